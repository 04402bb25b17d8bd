import Foundation
import RL2Envs
import RL2Math
import RL2Nets
import RL2Training
import XCTest

@testable import RL2Wire

/// Trajectories and weights survive the wire exactly, and anything malformed is refused with a
/// reason instead of reaching the learner.
final class WireConversionTests: XCTestCase {
  let distribution = BernoulliBanditDistribution(arms: 3)
  lazy var expectation = BatchExpectation(
    inputWidth: 5, actionCount: 3, episodesPerTrial: 4, maximumSteps: 100)

  func makeTrajectories() -> Trajectories {
    let policy = RecurrentNetwork<Float>.policy(inputCount: 5, hiddenCount: 4, actionCount: 3)
    var random = RandomStream(seed: 5)
    let parameters = policy.makeParameters(random: &random)
    let streams = (0..<3).map { RandomStream(seed: 9).stream(UInt64($0)) }
    return Rollout.run(
      policy: policy, parameters: parameters, distribution: distribution, episodes: 4,
      streams: streams, encoder: distribution.makeEncoder())
  }

  func makeBatch() -> Rl2_V1_TrialBatch {
    let origin = BatchOrigin(
      actorID: "a", actorIncarnation: 1, learnerIncarnation: 2, weightsVersion: 3, sequence: 4,
      trialIDs: [10, 11, 12], taskSeeds: [20, 21, 22])
    return Rl2_V1_TrialBatch(makeTrajectories(), origin: origin)
  }

  /// The byte layout other runtimes read: little-endian IEEE floats and two's-complement ints,
  /// also when the bytes sit at an offset inside a larger buffer.
  func testRawTensorsAreLittleEndianAndDecodeFromSlices() {
    XCTAssertEqual([UInt8](RawTensors.encode([Float(1), -2])), [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0])
    XCTAssertEqual([UInt8](RawTensors.encode([Int32(-2)])), [0xFE, 0xFF, 0xFF, 0xFF])
    XCTAssertEqual([UInt8](RawTensors.encode([Double(1)])), [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
    let padded = Data([9, 9, 9]) + RawTensors.encode([Float(0.5), 3, -7])
    XCTAssertEqual(RawTensors.floats(padded.dropFirst(3)), [0.5, 3, -7])
    XCTAssertEqual(RawTensors.int32s(Data([1, 0, 0, 0, 0xFF])), [1], "a partial word is ignored")
    XCTAssertEqual(RawTensors.doubles(RawTensors.encode([Double.pi, -0.0])), [Double.pi, -0.0])
  }

  func testTrialBatchRoundTripsThroughTheWireExactly() throws {
    let trajectories = makeTrajectories()
    let origin = BatchOrigin(
      actorID: "actor-1", actorIncarnation: 77, learnerIncarnation: 5, weightsVersion: 9,
      sequence: 2, trialIDs: [1, 2, 3], taskSeeds: [4, 5, 6])
    let bytes = try Rl2_V1_TrialBatch(trajectories, origin: origin).serializedData()
    let decoded = try Rl2_V1_TrialBatch(serializedBytes: bytes)
    XCTAssertEqual(decoded.origin, origin)
    let received = try decoded.validatedTrajectories(expectation)
    XCTAssertEqual(received.inputs, trajectories.inputs)
    XCTAssertEqual(received.actions, trajectories.actions)
    XCTAssertEqual(received.rewards, trajectories.rewards)
    XCTAssertEqual(received.episodeEnded, trajectories.episodeEnded)
    XCTAssertEqual(received.live, trajectories.live)
    XCTAssertEqual(received.behaviourLogProbabilities, trajectories.behaviourLogProbabilities)
    XCTAssertEqual(received.episodeReturns, trajectories.episodeReturns)
    XCTAssertEqual(received.optimalReturns, trajectories.optimalReturns)
  }

  func assertRejected(
    _ batch: Rl2_V1_TrialBatch, mentioning word: String, file: StaticString = #filePath,
    line: UInt = #line
  ) {
    XCTAssertThrowsError(try batch.validatedTrajectories(expectation), file: file, line: line) {
      let reason = ($0 as? WireRejection)?.reason ?? "\($0)"
      XCTAssertTrue(
        reason.contains(word), "reason '\(reason)' does not name \(word)", file: file, line: line)
    }
  }

  func testMalformedBatchesAreRejectedWithAReason() {
    var batch = makeBatch()
    batch.inputWidth = 6
    assertRejected(batch, mentioning: "input_width")
    batch = makeBatch()
    batch.rewards.removeLast()
    assertRejected(batch, mentioning: "rewards")
    batch = makeBatch()
    batch.trialIds.removeLast()
    assertRejected(batch, mentioning: "trial ids")
    batch = makeBatch()
    batch.stepCount = 1_000_000
    assertRejected(batch, mentioning: "step_count")
    batch = makeBatch()
    batch.actions.replaceSubrange(0..<4, with: [7, 0, 0, 0])
    assertRejected(batch, mentioning: "action 7")
    batch = makeBatch()
    batch.rewards.replaceSubrange(0..<4, with: RawTensors.encode([Float.nan]))
    assertRejected(batch, mentioning: "rewards")
    batch = makeBatch()
    batch.behaviourLogProbabilities.replaceSubrange(0..<4, with: RawTensors.encode([Float(0.5)]))
    assertRejected(batch, mentioning: "log-probability")
    batch = makeBatch()
    batch.live.replaceSubrange(0..<1, with: [2])
    assertRejected(batch, mentioning: "live")
  }

  func testWeightsRoundTripAndAreChecked() throws {
    let values: [Float] = [1, -2.5, 0, .leastNonzeroMagnitude]
    let weights = Rl2_V1_Weights(version: 8, learnerIncarnation: 3, values: values)
    let decoded = try Rl2_V1_Weights(serializedBytes: try weights.serializedData())
    XCTAssertEqual(try decoded.validatedValues(expectedCount: 4), values)
    XCTAssertThrowsError(try decoded.validatedValues(expectedCount: 5))
    var corrupted = decoded
    corrupted.values[0] ^= 1
    XCTAssertThrowsError(try corrupted.validatedValues(expectedCount: 4)) {
      XCTAssertTrue("\($0)".contains("checksum"))
    }
    let infinite = Rl2_V1_Weights(version: 9, learnerIncarnation: 3, values: [1, .infinity])
    XCTAssertThrowsError(try infinite.validatedValues(expectedCount: 2))
  }

  /// The eight-bytes-per-step loop against the plain bytewise definition, for every length
  /// around the step and at unaligned offsets.
  func testCRC32CMatchesTheBytewiseDefinition() {
    func reference(_ bytes: [UInt8]) -> UInt32 {
      var crc: UInt32 = 0xFFFF_FFFF
      for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
      }
      return crc ^ 0xFFFF_FFFF
    }
    var random = SystemRandomNumberGenerator()
    let bytes = (0..<200).map { _ in UInt8.random(in: 0...255, using: &random) }
    for start in 0..<3 {
      for count in 0..<40 {
        let slice = Array(bytes[start..<(start + count)])
        XCTAssertEqual(
          CRC32C.checksum(Data(bytes).dropFirst(start).prefix(count)), reference(slice),
          "offset \(start), length \(count)")
      }
    }
    XCTAssertEqual(CRC32C.checksum(bytes), reference(bytes))
  }

  func testCRC32CKnownValue() {
    XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
    XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
  }

  /// Random mutations of a valid envelope never crash decoding or validation: each is either
  /// refused with a reason or decodes to a batch that passes every check.
  func testMutatedEnvelopesAreDecodedOrRefusedNeverCrash() throws {
    var envelope = Rl2_V1_Envelope()
    envelope.protocolVersion = 1
    envelope.body = .trialBatch(makeBatch())
    let valid = [UInt8](try envelope.serializedData())
    var random = RandomStream(seed: 13)
    var refused = 0
    for _ in 0..<2000 {
      var bytes = valid
      for _ in 0...random.integer(below: 4) {
        bytes[random.integer(below: bytes.count)] = UInt8(truncatingIfNeeded: random.next())
      }
      if random.bernoulli(0.2) { bytes.removeLast(random.integer(below: bytes.count)) }
      guard let decoded = try? Rl2_V1_Envelope(serializedBytes: bytes),
        case .trialBatch(let batch) = decoded.body
      else {
        refused += 1
        continue
      }
      do {
        _ = try batch.validatedTrajectories(expectation)
      } catch {
        XCTAssertFalse(error.reason.isEmpty)
        refused += 1
      }
    }
    XCTAssertGreaterThan(refused, 1000, "most random mutations must be refused")
  }
}
