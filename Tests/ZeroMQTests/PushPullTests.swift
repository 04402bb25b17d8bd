import Foundation
import XCTest
import ZeroMQ

/// PUSH/PULL over TCP loopback and inproc: frames and messages arrive byte for byte, and large
/// frames travel without being copied.
final class PushPullTests: XCTestCase {
  private var context: Context!
  private var pull: Socket!
  private var push: Socket!

  override func setUpWithError() throws {
    context = try makeContext()
    pull = try Socket(context: context, type: .pull)
    push = try Socket(context: context, type: .push)
    try push.connect(to: pull.bindToFreeLoopbackPort())
  }

  override func tearDown() {
    (pull, push, context) = (nil, nil, nil)
  }

  func testSingleFramesRoundTripByteForByte() throws {
    let frame = Data(text: "rl2 ✓") + Data([0, 255])
    XCTAssertTrue(try push.send(bytes: frame))
    XCTAssertEqual(try pull.receive(timeout: patience), frame)
    XCTAssertFalse(try pull.hasMoreFrames)

    XCTAssertTrue(try push.send(bytes: [1, 2, 3]))
    XCTAssertEqual(try pull.receive(timeout: patience), Data([1, 2, 3]))
  }

  func testMultipartMessagesRoundTripWithEmptyAndLargeFrames() throws {
    let message = Message([
      Data(text: "header"), Data(), Data(patternOfCount: 10_000), Data([0]),
    ])
    XCTAssertTrue(try push.send(message))
    XCTAssertEqual(try pull.receiveMessage(timeout: patience), message)
  }

  func testFramesSentWithMoreArriveAsOneMessage() throws {
    try push.send(bytes: Data(text: "first"), flags: .more)
    try push.send(Message([Data(text: "second"), Data(text: "third")]))
    XCTAssertEqual(try pull.receiveText(), "first")
    XCTAssertTrue(try pull.hasMoreFrames)
    XCTAssertEqual(
      try pull.receiveMessage(timeout: patience),
      Message([Data(text: "second"), Data(text: "third")]))
  }

  func testEightMegabyteFramesRoundTripOverTCP() throws {
    let weights = Data(patternOfCount: 8 << 20)
    XCTAssertTrue(try push.send(bytes: weights))
    XCTAssertEqual(try pull.receive(timeout: patience), weights)

    let batch = [UInt8](Data(patternOfCount: (8 << 20) + 3, seed: 101))
    XCTAssertTrue(try push.send(bytes: batch))
    XCTAssertEqual(try pull.receive(timeout: patience).map { [UInt8]($0) }, batch)
  }

  /// Over inproc libzmq passes the message itself, so the receiver's bytes are the sender's
  /// memory: neither send nor receive copied them. The memory is freed when the receiver's last
  /// copy goes away — the free function released the lent storage.
  func testLargeFramesAreLentNotCopiedAndFreedByTheLastOwner() throws {
    let (sender, receiver) = try makeInprocPair(name: "zero-copy")
    let count = 1 << 20
    let memory = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
    memory.initializeMemory(as: UInt8.self, repeating: 7, count: count)
    let freed = Handoff<Bool>()
    do {
      let frame = Data(
        bytesNoCopy: memory, count: count,
        deallocator: .custom { pointer, _ in
          pointer.deallocate()
          freed.value = true
        })
      XCTAssertTrue(try sender.send(bytes: frame))
    }
    XCTAssertNil(freed.value, "freed while libzmq still held the frame")
    do {
      let received = try XCTUnwrap(receiver.receive(timeout: patience))
      XCTAssertEqual(received.withUnsafeBytes { $0.baseAddress }, UnsafeRawPointer(memory))
      XCTAssertEqual(received.count, count)
      XCTAssertNil(freed.value, "freed while the receiver still held the frame")
    }
    XCTAssertEqual(freed.value, true)
  }

  private func makeInprocPair(name: String) throws -> (push: Socket, pull: Socket) {
    let receiver = try Socket(context: context, type: .pull)
    try receiver.bind(to: "inproc://\(name)")
    let sender = try Socket(context: context, type: .push)
    try sender.connect(to: "inproc://\(name)")
    return (sender, receiver)
  }
}
