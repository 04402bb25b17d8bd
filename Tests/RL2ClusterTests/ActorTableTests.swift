import Foundation
import RL2Wire
import XCTest

@testable import RL2Cluster

final class ActorTableTests: XCTestCase {
  func hello(_ id: String, _ incarnation: UInt64) -> Rl2_V1_Hello {
    var hello = Rl2_V1_Hello()
    hello.actorID = id
    hello.incarnation = incarnation
    return hello
  }

  func testJoinRepeatAndRestartKeepOrGiveIndices() {
    var table = ActorTable()
    let (first, how) = table.register(hello("a", 1), routingID: Data([1]), now: 0)
    XCTAssertEqual(how, .joined)
    XCTAssertEqual(table.register(hello("a", 1), routingID: Data([2]), now: 1).1, .repeated)
    XCTAssertEqual(table.entry("a", incarnation: 1)?.index, first.index)
    XCTAssertEqual(table.entry("a", incarnation: 1)?.routingID, Data([2]))
    let (restarted, again) = table.register(hello("a", 2), routingID: Data([3]), now: 2)
    XCTAssertEqual(again, .restarted)
    XCTAssertNotEqual(restarted.index, first.index)
    XCTAssertNil(table.entry("a", incarnation: 1), "the old incarnation is gone")
    XCTAssertEqual(table.liveCount, 1)
  }

  func testHeartbeatsKeepActorsAliveAndSilenceExpiresThem() {
    var table = ActorTable()
    _ = table.register(hello("a", 1), routingID: Data(), now: 0)
    _ = table.register(hello("b", 1), routingID: Data(), now: 0)
    var heartbeat = Rl2_V1_Heartbeat()
    heartbeat.actorID = "a"
    heartbeat.incarnation = 1
    heartbeat.weightsVersion = 4
    heartbeat.stepsPerSecond = 1000
    XCTAssertTrue(table.record(heartbeat, now: 5))
    heartbeat.incarnation = 9
    XCTAssertFalse(table.record(heartbeat, now: 5), "another incarnation is unknown")
    let lost = table.expire(now: 7, timeout: 3)
    XCTAssertEqual(lost.map(\.actorID), ["b"])
    XCTAssertEqual(table.entry("a", incarnation: 1)?.weightsVersion, 4)
    XCTAssertEqual(table.entry("a", incarnation: 1)?.stepsPerSecond, 1000)
  }
}
