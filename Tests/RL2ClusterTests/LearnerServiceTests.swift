import Foundation
import RL2Training
import RL2Wire
import XCTest
import ZeroMQ

@testable import RL2Cluster

final class LearnerServiceTests: XCTestCase {
  func testHelloBeforeAnyWeightsIsAskedToRetry() throws {
    let fixture = try ClusterFixture()
    defer { fixture.close() }
    let reply = try fixture.ask(try fixture.makeDealer(), fixture.hello())
    guard case .reject(let reject) = reply.body else { return XCTFail("got \(reply.bodyName)") }
    XCTAssertEqual(reject.code, .overloaded)
  }

  func testWelcomeCarriesTheExperimentTheEndpointsAndTheCurrentWeights() throws {
    let fixture = try ClusterFixture()
    defer { fixture.close() }
    fixture.service.publish(version: 3, values: fixture.parameters.values)
    let reply = try fixture.ask(try fixture.makeDealer(), fixture.hello())
    guard case .welcome(let welcome) = reply.body else { return XCTFail("got \(reply.bodyName)") }
    XCTAssertEqual(welcome.learnerIncarnation, fixture.service.incarnation)
    XCTAssertEqual(welcome.dataEndpoint, fixture.service.data.description)
    XCTAssertEqual(welcome.weightsEndpoint, fixture.service.weights.description)
    XCTAssertEqual(Int(welcome.spec.parameterCount), fixture.parameters.count)
    XCTAssertEqual(welcome.weights.version, 3)
    XCTAssertEqual(
      try welcome.weights.validatedValues(expectedCount: fixture.parameters.count),
      Array(fixture.parameters.values))
    let configuration = try JSONDecoder().decode(
      TrainingConfiguration.self, from: Data(welcome.spec.configurationJson.utf8))
    XCTAssertEqual(configuration, fixture.configuration)
    XCTAssertEqual(fixture.service.liveActors.map(\.actorID), ["test-actor"])
  }

  func testAHeartbeatFromAnUnknownActorIsToldToSayHello() throws {
    let fixture = try ClusterFixture()
    defer { fixture.close() }
    fixture.service.publish(version: 0, values: fixture.parameters.values)
    var heartbeat = Rl2_V1_Heartbeat()
    heartbeat.actorID = "stranger"
    let reply = try fixture.ask(try fixture.makeDealer(), Rl2_V1_Envelope(.heartbeat(heartbeat)))
    guard case .reject(let reject) = reply.body else { return XCTFail("got \(reply.bodyName)") }
    XCTAssertEqual(reject.code, .unknownActor)
  }

  /// Every kind of bad batch is refused with its own reason, and the service still takes the
  /// good batch sent after all of them.
  func testBadBatchesAreRejectedWithReasonsAndTrainingDataStillFlows() throws {
    let fixture = try ClusterFixture()
    defer { fixture.close() }
    fixture.service.publish(version: 5, values: fixture.parameters.values)
    _ = try fixture.ask(try fixture.makeDealer(), fixture.hello())
    let push = try fixture.makePush()
    let good = fixture.batch(version: 5)
    var wrongShape = good
    wrongShape.inputWidth += 1
    var nanReward = good
    nanReward.rewards.replaceSubrange(0..<4, with: Data(Float.nan.bitPattern.littleEndianBytes))
    var badAction = good
    badAction.actions.replaceSubrange(0..<4, with: Data(UInt32(7).littleEndianBytes))
    var oldProtocol = Rl2_V1_Envelope(.trialBatch(good))
    oldProtocol.protocolVersion = 99
    let bad: [(Data, String)] = [
      (Data([0xFF, 0x00, 0x13]), "malformed envelope"),
      (Rl2_V1_Envelope(.trialBatch(good)).encoded.prefix(40), "malformed envelope"),
      (oldProtocol.encoded, "protocol version 99"),
      (Rl2_V1_Envelope(.heartbeat(Rl2_V1_Heartbeat())).encoded, "unexpected heartbeat"),
      (Rl2_V1_Envelope(.trialBatch(wrongShape)).encoded, "input_width"),
      (Rl2_V1_Envelope(.trialBatch(nanReward)).encoded, "rewards are not all finite"),
      (Rl2_V1_Envelope(.trialBatch(badAction)).encoded, "action 7"),
      (Rl2_V1_Envelope(.trialBatch(fixture.batch(version: 6))).encoded, "newer than 5"),
      (
        Rl2_V1_Envelope(.trialBatch(fixture.batch(version: 5, actorID: "intruder"))).encoded,
        "unregistered actor"
      ),
    ]
    for (payload, _) in bad { try push.send(bytes: payload) }
    try push.send(Message([Data([1]), Data([2])]))
    let stale = fixture.batch(version: 5, learnerIncarnation: fixture.service.incarnation ^ 1)
    try push.send(bytes: Rl2_V1_Envelope(.trialBatch(stale)).encoded)
    try push.send(bytes: Rl2_V1_Envelope(.trialBatch(good)).encoded)

    let (trajectories, origin) = try XCTUnwrap(fixture.service.nextBatch(timeout: 10))
    XCTAssertEqual(trajectories.trialCount, 2)
    XCTAssertEqual(origin.weightsVersion, 5)
    XCTAssertEqual(origin.actorID, "test-actor")
    let counters = fixture.service.takeCounters()
    XCTAssertEqual(counters.rejected, bad.count + 1)
    XCTAssertEqual(counters.late, 1, "a batch for another learner incarnation is late")
    XCTAssertEqual(counters.accepted, 1)
    let reasons = fixture.service.rejectionTotals.keys.joined(separator: "\n")
    let log = fixture.logged.value.joined(separator: "\n")
    for (_, expected) in bad + [(Data(), "data message of 2 frames")] {
      let kind = expected.replacing(/[0-9]+/, with: "#")
      XCTAssertTrue(reasons.contains(kind), "no rejection mentions \(kind):\n\(reasons)")
      XCTAssertTrue(log.contains(expected), "no log line mentions \(expected):\n\(log)")
    }
  }

  func testSilentActorsAreDroppedFromTheLivenessTable() throws {
    let fixture = try ClusterFixture(actorTimeout: 0.3)
    defer { fixture.close() }
    fixture.service.publish(version: 0, values: fixture.parameters.values)
    _ = try fixture.ask(try fixture.makeDealer(), fixture.hello())
    XCTAssertEqual(fixture.service.liveActors.count, 1)
    eventually("the silent actor is expired") { fixture.service.liveActors.isEmpty }
  }

  func testWeightsAndTheEndOfACollectionAreBroadcast() throws {
    let fixture = try ClusterFixture()
    defer { fixture.close() }
    let sub = try Socket(context: fixture.context, type: .sub)
    try sub.subscribe(to: "")
    try sub.connect(to: fixture.service.weights.description)
    Thread.sleep(forTimeInterval: 0.3)  // PUB drops messages for subscribers not yet joined.
    fixture.service.publish(version: 1, values: fixture.parameters.values)
    let weights = try Rl2_V1_Envelope(
      decoding: try XCTUnwrap(try sub.receive(timeout: .seconds(5))))
    guard case .weights(let message) = weights.body else {
      return XCTFail("got \(weights.bodyName)")
    }
    XCTAssertEqual(message.version, 1)
    fixture.service.closeCollection(version: 1)
    let closed = try Rl2_V1_Envelope(decoding: try XCTUnwrap(try sub.receive(timeout: .seconds(5))))
    guard case .collectionClosed(let notice) = closed.body else {
      return XCTFail("got \(closed.bodyName)")
    }
    XCTAssertEqual(notice.weightsVersion, 1)
    XCTAssertEqual(notice.learnerIncarnation, fixture.service.incarnation)
  }
}

extension FixedWidthInteger {
  var littleEndianBytes: [UInt8] {
    (0..<(Self.bitWidth / 8)).map { UInt8(truncatingIfNeeded: self >> (8 * $0)) }
  }
}
