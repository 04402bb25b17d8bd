import Foundation
import RL2Training
import XCTest
import ZeroMQ

@testable import RL2Cluster

/// ZMQ_MAXMSGSIZE and CURVE through the real client code paths.
final class ClusterTransportLimitTests: XCTestCase {
  /// A frame header declaring more than ZMQ_MAXMSGSIZE ends the connection at once — libzmq
  /// never allocates for it nor waits for its bytes — while a header within the limit keeps
  /// the connection waiting for the rest; the next valid peer is served.
  func testAnOversizeFrameHeaderClosesTheConnectionBeforeItsBytesArrive() throws {
    let fixture = try CoordinatorFixture(maximumMessageBytes: 64 << 10)
    defer { fixture.service.shutdown(reason: "test over") }
    let port = fixture.service.endpoint.port
    let oversize = try RawZMTPPeer(port: port)
    oversize.sendFrameHeader(declaredSize: 1 << 40, sentBytes: 16)
    XCTAssertTrue(oversize.isClosedByPeer(within: 3), "a 1 TiB frame header was accepted")
    let withinLimit = try RawZMTPPeer(port: port)
    withinLimit.sendFrameHeader(declaredSize: 32 << 10, sentBytes: 16)
    XCTAssertFalse(withinLimit.isClosedByPeer(within: 0.5), "a legal header was refused")
    XCTAssertEqual(fixture.service.counts.rejected, 0)
    XCTAssertNotNil(try fixture.makeClient("next").welcome)
  }

  /// `ActorService` itself with CURVE keys: the allowed actor's batches arrive (control, data
  /// and weights sockets all CURVE); an actor with another key never registers.
  func testACurveActorFeedsTheLearnerAndAStrangerNeverRegisters() throws {
    try XCTSkipUnless(ZeroMQ.hasCurve, "libzmq was built without CURVE")
    let (server, allowed, stranger) = (
      try CurveKeyPair.generate(), try CurveKeyPair.generate(), try CurveKeyPair.generate()
    )
    let fixture = try ClusterFixture(
      security: ServerSecurity(keys: server, allowedClientKeys: [allowed.publicKey]))
    defer { fixture.close() }
    fixture.service.publish(version: 0, values: fixture.parameters.values)
    let stop = StopSignal()
    let finished = DispatchGroup()
    defer {
      stop.raise()
      _ = finished.wait(timeout: .now() + 10)
    }
    for (name, keys) in [("allowed", allowed), ("stranger", stranger)] {
      var configuration = ActorConfiguration(learner: fixture.service.control, actorID: name)
      configuration.trialsPerBatch = 2
      configuration.security = ClientSecurity(keys: keys, serverPublicKey: server.publicKey)
      let actor = try ActorService(configuration, log: { _ in })
      finished.enter()
      Thread.detachNewThread {
        _ = try? actor.run(stop: stop)
        finished.leave()
      }
    }
    let (_, origin) = try XCTUnwrap(fixture.service.nextBatch(timeout: 20), "no CURVE batch")
    XCTAssertEqual(origin.actorID, "allowed")
    eventually("the stranger is refused") { fixture.service.refusedConnections >= 1 }
    XCTAssertEqual(fixture.service.liveActors.map(\.actorID), ["allowed"])
  }
}
