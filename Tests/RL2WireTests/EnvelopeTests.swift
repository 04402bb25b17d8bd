import Foundation
import RL2Wire
import XCTest

/// The generated schema round-trips through the binary wire format.
final class EnvelopeTests: XCTestCase {
  func testTrialBatchRoundTripsFieldByField() throws {
    var batch = Rl2_V1_TrialBatch()
    batch.actorID = "actor-3"
    batch.actorIncarnation = 0xDEAD_BEEF_0123_4567
    batch.weightsVersion = 42
    batch.trialCount = 2
    batch.stepCount = 3
    batch.trialIds = [7, 8]
    batch.rewards = Data([0, 0, 128, 63, 0, 0, 0, 64])
    var envelope = Rl2_V1_Envelope()
    envelope.protocolVersion = UInt32(Rl2_V1_ProtocolVersion.protocolVersion.rawValue)
    envelope.body = .trialBatch(batch)
    let bytes = try envelope.serializedData()
    let decoded = try Rl2_V1_Envelope(serializedBytes: bytes)
    XCTAssertEqual(decoded, envelope)
    guard case .trialBatch(let roundTripped) = decoded.body else {
      return XCTFail("body is not a trial batch")
    }
    XCTAssertEqual(roundTripped.actorIncarnation, 0xDEAD_BEEF_0123_4567)
    XCTAssertEqual(roundTripped.rewards, batch.rewards)
    XCTAssertEqual(roundTripped.trialIds, [7, 8])
  }

  func testGarbageIsRejectedWithAnError() {
    XCTAssertThrowsError(try Rl2_V1_Envelope(serializedBytes: Data([0xFF, 0xFF, 0xFF, 0x0F])))
  }
}
