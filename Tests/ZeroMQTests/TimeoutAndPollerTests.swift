import Foundation
import XCTest
import ZeroMQ

/// Nothing waits longer than asked: receive timeouts and `.dontWait` return `nil`, and the
/// poller reports exactly the sockets that are ready.
final class TimeoutAndPollerTests: XCTestCase {
  private var context: Context!

  override func setUpWithError() throws {
    context = try makeContext()
  }

  override func tearDown() {
    context = nil
  }

  func testReceiveTimeoutOptionReturnsNilInsteadOfHanging() throws {
    let pull = try Socket(context: context, type: .pull)
    _ = try pull.bindToFreeLoopbackPort()
    try pull.setOption(.receiveTimeout, value: .milliseconds(50))
    let elapsed = try ContinuousClock().measure {
      XCTAssertNil(try pull.receive())
      XCTAssertNil(try pull.receiveMessage())
    }
    XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(100))
    XCTAssertLessThan(elapsed, .seconds(2))
  }

  func testReceiveWithATimeoutWaitsThatLongAndNoLonger() throws {
    let pull = try Socket(context: context, type: .pull)
    _ = try pull.bindToFreeLoopbackPort()
    let elapsed = try ContinuousClock().measure {
      XCTAssertNil(try pull.receive(timeout: .milliseconds(30)))
    }
    XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(30))
    XCTAssertLessThan(elapsed, .seconds(2))
  }

  func testDontWaitReturnsAtOnce() throws {
    let pull = try Socket(context: context, type: .pull)
    _ = try pull.bindToFreeLoopbackPort()
    XCTAssertNil(try pull.receive(flags: .dontWait))
    XCTAssertNil(try pull.receiveMessage(flags: .dontWait))

    // A PUSH without peers has nowhere to queue a message.
    let push = try Socket(context: context, type: .push)
    XCTAssertFalse(try push.send(bytes: Data(text: "nowhere"), flags: .dontWait))
    XCTAssertFalse(
      try push.send(Message([Data(text: "no"), Data(text: "where")]), flags: .dontWait))
    try push.setOption(.sendTimeout, value: .milliseconds(20))
    XCTAssertFalse(try push.send(bytes: Data(patternOfCount: 5000)))
  }

  func testPollerReportsOnlyTheReadySockets() throws {
    let (quietPush, quiet) = try makeInprocPair(name: "quiet")
    let (busyPush, busy) = try makeInprocPair(name: "busy")
    var poller = Poller()
    poller.register(quiet, for: .readable)
    poller.register(busy, for: .readable)

    let clock = ContinuousClock()
    let start = clock.now
    XCTAssertTrue(try poller.poll(timeout: .milliseconds(30)).isEmpty)
    XCTAssertGreaterThanOrEqual(start.duration(to: clock.now), .milliseconds(30))

    try busyPush.send(bytes: Data(text: "work"))
    let ready = try poller.poll(timeout: patience)
    XCTAssertTrue(ready.isReadable(busy))
    XCTAssertFalse(ready.isReadable(quiet))
    XCTAssertEqual(ready.events(of: quiet), [])
    XCTAssertEqual(try busy.receiveText(), "work")
    XCTAssertTrue(try poller.poll(timeout: .zero).isEmpty, "still readable after the receive")
    _ = quietPush
  }

  func testPollerReportsWritabilityOnceAPeerIsConnected() throws {
    let push = try Socket(context: context, type: .push)
    var poller = Poller()
    poller.register(push, for: [.readable, .writable])
    XCTAssertTrue(try poller.poll(timeout: .milliseconds(10)).isEmpty, "writable without a peer")

    let pull = try Socket(context: context, type: .pull)
    try pull.bind(to: "inproc://writable")
    try push.connect(to: "inproc://writable")
    let ready = try poller.poll(timeout: patience)
    XCTAssertTrue(ready.isWritable(push))
    XCTAssertFalse(ready.isReadable(push))
  }

  func testPollingAClosedSocketThrows() throws {
    let pull = try Socket(context: context, type: .pull)
    var poller = Poller()
    poller.register(pull)
    pull.close()
    assertThrowsZeroMQError(.notASocket, try poller.poll(timeout: .zero))
  }

  private func makeInprocPair(name: String) throws -> (push: Socket, pull: Socket) {
    let receiver = try Socket(context: context, type: .pull)
    try receiver.bind(to: "inproc://\(name)")
    let sender = try Socket(context: context, type: .push)
    try sender.connect(to: "inproc://\(name)")
    return (sender, receiver)
  }
}
