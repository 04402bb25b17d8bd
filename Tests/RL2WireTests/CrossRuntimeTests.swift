import CProtobufC
import CRL2Wire
import Foundation
import RL2Wire
import XCTest

/// The same schema compiled by protoc-c (C, libprotobuf-c) reads what Swift writes and the other
/// way round, field by field: actors written in other languages can join a run.
final class CrossRuntimeTests: XCTestCase {
  func makeSwiftTrialBatch() -> Rl2_V1_Envelope {
    var batch = Rl2_V1_TrialBatch()
    batch.actorID = "actor-7 ☂"
    batch.actorIncarnation = 0xFEDC_BA98_7654_3210
    batch.learnerIncarnation = 12_345
    batch.weightsVersion = 99
    batch.sequence = 3
    batch.trialCount = 2
    batch.stepCount = 3
    batch.inputWidth = 4
    batch.actionCount = 2
    batch.episodesPerTrial = 3
    batch.trialIds = [11, 12]
    batch.taskSeeds = [UInt64.max, 0]
    batch.rewards = Data((0..<24).map { UInt8($0) })
    batch.live = Data([1, 1, 1, 1, 0, 1])
    var envelope = Rl2_V1_Envelope()
    envelope.protocolVersion = 1
    envelope.sentAtUnixMs = 1_700_000_000_123
    envelope.body = .trialBatch(batch)
    return envelope
  }

  func testCDecodesWhatSwiftEncodes() throws {
    let envelope = makeSwiftTrialBatch()
    let bytes = [UInt8](try envelope.serializedData())
    let decoded = try XCTUnwrap(
      bytes.withUnsafeBufferPointer { rl2__v1__envelope__unpack(nil, $0.count, $0.baseAddress) },
      "protoc-c could not unpack the Swift envelope")
    defer { rl2__v1__envelope__free_unpacked(decoded, nil) }
    XCTAssertEqual(decoded.pointee.protocol_version, 1)
    XCTAssertEqual(decoded.pointee.sent_at_unix_ms, 1_700_000_000_123)
    XCTAssertEqual(decoded.pointee.body_case, RL2__V1__ENVELOPE__BODY_TRIAL_BATCH)
    let batch = try XCTUnwrap(decoded.pointee.trial_batch).pointee
    guard case .trialBatch(let expected) = envelope.body else { return XCTFail("no batch") }
    XCTAssertEqual(String(cString: batch.actor_id), expected.actorID)
    XCTAssertEqual(batch.actor_incarnation, expected.actorIncarnation)
    XCTAssertEqual(batch.learner_incarnation, expected.learnerIncarnation)
    XCTAssertEqual(batch.weights_version, expected.weightsVersion)
    XCTAssertEqual(batch.sequence, expected.sequence)
    XCTAssertEqual(
      [batch.trial_count, batch.step_count, batch.input_width, batch.action_count],
      [expected.trialCount, expected.stepCount, expected.inputWidth, expected.actionCount])
    XCTAssertEqual(batch.episodes_per_trial, expected.episodesPerTrial)
    XCTAssertEqual(
      Array(UnsafeBufferPointer(start: batch.trial_ids, count: batch.n_trial_ids)),
      expected.trialIds)
    XCTAssertEqual(
      Array(UnsafeBufferPointer(start: batch.task_seeds, count: batch.n_task_seeds)),
      expected.taskSeeds)
    XCTAssertEqual(Data(bytes: batch.rewards.data, count: batch.rewards.len), expected.rewards)
    XCTAssertEqual(Data(bytes: batch.live.data, count: batch.live.len), expected.live)
    XCTAssertEqual(batch.inputs.len, 0, "an unset bytes field is empty")
  }

  func testSwiftDecodesWhatCEncodes() throws {
    var weights = Rl2__V1__Weights()
    rl2__v1__weights__init(&weights)
    var values: [UInt8] = [0, 0, 128, 63, 0, 0, 0, 192]
    weights.version = 77
    weights.learner_incarnation = 0x0123_4567_89AB_CDEF
    weights.parameter_count = 2
    weights.checksum = 0xCAFE_F00D
    var envelope = Rl2__V1__Envelope()
    rl2__v1__envelope__init(&envelope)
    envelope.protocol_version = 1
    envelope.body_case = RL2__V1__ENVELOPE__BODY_WEIGHTS
    let bytes: [UInt8] = values.withUnsafeMutableBufferPointer { buffer in
      weights.values = ProtobufCBinaryData(len: buffer.count, data: buffer.baseAddress)
      return withUnsafeMutablePointer(to: &weights) { pointer in
        envelope.weights = pointer
        var packed = [UInt8](repeating: 0, count: rl2__v1__envelope__get_packed_size(&envelope))
        let written = packed.withUnsafeMutableBufferPointer {
          rl2__v1__envelope__pack(&envelope, $0.baseAddress)
        }
        XCTAssertEqual(written, packed.count)
        return packed
      }
    }
    let decoded = try Rl2_V1_Envelope(serializedBytes: bytes)
    XCTAssertEqual(decoded.protocolVersion, 1)
    guard case .weights(let received) = decoded.body else { return XCTFail("body is not weights") }
    XCTAssertEqual(received.version, 77)
    XCTAssertEqual(received.learnerIncarnation, 0x0123_4567_89AB_CDEF)
    XCTAssertEqual(received.parameterCount, 2)
    XCTAssertEqual(received.checksum, 0xCAFE_F00D)
    XCTAssertEqual([UInt8](received.values), values)
  }
}
