import Foundation
import XCTest
import ZeroMQ

/// Typed options read back what was set, in libzmq's units, and ZMQ_MAXMSGSIZE protects a
/// receiver from oversize messages.
final class SocketOptionTests: XCTestCase {
  func testOptionsReadBackWhatWasSet() throws {
    let socket = try Socket(context: makeContext(), type: .dealer)
    XCTAssertNil(try socket.getOption(.maximumMessageSize))
    XCTAssertNil(try socket.getOption(.receiveTimeout))
    XCTAssertNil(try socket.getOption(.heartbeatTimeout))

    try socket.setOption(.sendHighWaterMark, value: 2)
    try socket.setOption(.receiveHighWaterMark, value: 3)
    try socket.setOption(.linger, value: .zero)
    try socket.setOption(.maximumMessageSize, value: 64 << 20)
    try socket.setOption(.receiveTimeout, value: .milliseconds(250))
    try socket.setOption(.sendTimeout, value: .seconds(2))
    try socket.setOption(.reconnectInterval, value: .milliseconds(50))
    try socket.setOption(.reconnectIntervalMax, value: .seconds(5))
    try socket.setOption(.heartbeatInterval, value: .seconds(1))
    try socket.setOption(.heartbeatTimeout, value: .seconds(3))
    try socket.setOption(.heartbeatTTL, value: .milliseconds(12_345))
    try socket.setOption(.immediate, value: true)
    try socket.setOption(.ipv6, value: true)
    try socket.setOption(.zapDomain, value: "rl2")

    XCTAssertEqual(try socket.getOption(.sendHighWaterMark), 2)
    XCTAssertEqual(try socket.getOption(.receiveHighWaterMark), 3)
    XCTAssertEqual(try socket.getOption(.linger), .zero)
    XCTAssertEqual(try socket.getOption(.maximumMessageSize), 64 << 20)
    XCTAssertEqual(try socket.getOption(.receiveTimeout), .milliseconds(250))
    XCTAssertEqual(try socket.getOption(.sendTimeout), .seconds(2))
    XCTAssertEqual(try socket.getOption(.reconnectInterval), .milliseconds(50))
    XCTAssertEqual(try socket.getOption(.reconnectIntervalMax), .seconds(5))
    XCTAssertEqual(try socket.getOption(.heartbeatInterval), .seconds(1))
    XCTAssertEqual(try socket.getOption(.heartbeatTimeout), .seconds(3))
    XCTAssertEqual(try socket.getOption(.heartbeatTTL), .milliseconds(12_300), "tenths of a second")
    XCTAssertEqual(try socket.getOption(.immediate), true)
    XCTAssertEqual(try socket.getOption(.ipv6), true)
    XCTAssertEqual(try socket.getOption(.zapDomain), "rl2")
  }

  func testRouterMandatoryIsWriteOnly() throws {
    let router = try Socket(context: makeContext(), type: .router)
    try router.setOption(.routerMandatory, value: true)
    assertThrowsZeroMQError(.invalidArgument, try router.getOption(.routerMandatory))
  }

  func testOversizeMessagesDisconnectTheSenderAndAreNeverDelivered() throws {
    let context = try makeContext()
    let receiver = try Socket(context: context, type: .pull)
    try receiver.setOption(.maximumMessageSize, value: 1024)
    let endpoint = try receiver.bindToFreeLoopbackPort()

    let offender = try Socket(context: context, type: .push)
    try offender.connect(to: endpoint)
    try offender.send(bytes: Data(patternOfCount: 1025))
    XCTAssertNil(try receiver.receive(timeout: shortWait), "an oversize message was delivered")

    let actor = try Socket(context: context, type: .push)
    try actor.connect(to: endpoint)
    try actor.send(bytes: Data(patternOfCount: 1024))
    XCTAssertEqual(try receiver.receive(timeout: patience), Data(patternOfCount: 1024))
  }
}
