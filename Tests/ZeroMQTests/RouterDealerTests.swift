import Foundation
import XCTest
import ZeroMQ

/// ROUTER/DEALER, the learner's and coordinator's control pattern: the router learns each
/// dealer's routing id from the first frame and replies through it.
final class RouterDealerTests: XCTestCase {
  private var context: Context!
  private var router: Socket!
  private var endpoint: String!

  override func setUpWithError() throws {
    context = try makeContext()
    router = try Socket(context: context, type: .router)
    endpoint = try router.bindToFreeLoopbackPort()
  }

  override func tearDown() {
    (router, context) = (nil, nil)
  }

  func testRouterSeesTheDealersRoutingIDAndRepliesThroughIt() throws {
    let dealer = try makeDealer(routingID: "actor-1")
    let other = try makeDealer(routingID: "actor-2")
    try dealer.send(bytes: Data(text: "hello"))

    let request = try XCTUnwrap(router.receiveMessage(timeout: patience))
    XCTAssertEqual(request.frames, [Data(text: "actor-1"), Data(text: "hello")])
    XCTAssertTrue(try router.send(Message([request.frames[0], Data(text: "welcome")])))
    XCTAssertEqual(try dealer.receiveText(), "welcome")
    XCTAssertNil(
      try other.receive(timeout: .milliseconds(50)), "the reply went to the wrong dealer")
  }

  func testUnknownRoutingIDsAreDroppedSilentlyByDefault() throws {
    XCTAssertTrue(try router.send(Message([Data(text: "nobody"), Data(text: "lost")])))
  }

  func testRouterMandatoryMakesUnknownRoutingIDsAnError() throws {
    try router.setOption(.routerMandatory, value: true)
    let error = assertThrowsZeroMQError(
      .hostUnreachable, try router.send(Message([Data(text: "nobody"), Data(text: "lost")])))
    XCTAssertEqual(error?.operation, "send frame 1 of 2")
  }

  private func makeDealer(routingID: String) throws -> Socket {
    let dealer = try Socket(context: context, type: .dealer)
    try dealer.setOption(.routingID, value: Data(text: routingID))
    XCTAssertEqual(try dealer.getOption(.routingID), Data(text: routingID))
    try dealer.connect(to: endpoint)
    return dealer
  }
}
