import Foundation
import XCTest
import ZeroMQ

/// PUB/SUB, the weights channel: topic prefixes filter, and a conflating subscriber that falls
/// behind gets only the newest message — never a backlog.
final class PubSubTests: XCTestCase {
  private var context: Context!
  private var publisher: Socket!
  private var endpoint: String!

  override func setUpWithError() throws {
    context = try makeContext()
    publisher = try Socket(context: context, type: .pub)
    endpoint = try publisher.bindToFreeLoopbackPort()
  }

  override func tearDown() {
    (publisher, context) = (nil, nil)
  }

  func testSubscribersReceiveOnlyTheirTopicPrefix() throws {
    let subscriber = try makeSubscriber(topic: "weights/")
    try waitUntilSubscribed(subscriber, probe: "weights/probe")

    try publisher.send(bytes: Data(text: "metrics/1"))
    try publisher.send(bytes: Data(text: "weights/2"))
    XCTAssertEqual(try receiveSkippingProbes(subscriber, probe: "weights/probe"), "weights/2")
    XCTAssertNil(try subscriber.receive(timeout: .milliseconds(50)))
  }

  func testConflatingSubscriberGetsOnlyTheNewestMessage() throws {
    let subscriber = try makeSubscriber(topic: "", conflate: true)
    try waitUntilSubscribed(subscriber, probe: "probe")
    Thread.sleep(forTimeInterval: 0.05)
    while try subscriber.receive(flags: .dontWait) != nil {}

    for version in 1...100 {
      try publisher.send(bytes: Data(text: "version \(version)"))
    }
    // A slow subscriber: everything has arrived by the time it looks.
    Thread.sleep(forTimeInterval: 0.3)
    XCTAssertEqual(try subscriber.receiveText(), "version 100")
    XCTAssertNil(try subscriber.receive(flags: .dontWait), "a backlog was kept")
  }

  private func makeSubscriber(topic: String, conflate: Bool = false) throws -> Socket {
    let subscriber = try Socket(context: context, type: .sub)
    // Conflation applies to connections made after it is set.
    try subscriber.setOption(.conflate, value: conflate)
    try subscriber.subscribe(to: topic)
    try subscriber.connect(to: endpoint)
    return subscriber
  }

  /// Publishes `probe` until the subscriber receives one: subscriptions reach the publisher
  /// asynchronously, and it drops messages nobody has subscribed to yet.
  private func waitUntilSubscribed(_ subscriber: Socket, probe: String) throws {
    let deadline = ContinuousClock.now + patience
    while ContinuousClock.now < deadline {
      try publisher.send(bytes: Data(text: probe))
      if try subscriber.receive(timeout: .milliseconds(20)) != nil { return }
    }
    XCTFail("the subscription did not reach the publisher within \(patience)")
  }

  private func receiveSkippingProbes(_ subscriber: Socket, probe: String) throws -> String {
    while true {
      let text = try subscriber.receiveText()
      if text != probe { return text }
    }
  }
}
