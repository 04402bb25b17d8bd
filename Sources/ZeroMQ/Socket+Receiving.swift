import CZeroMQ
import Foundation

extension ZeroMQ.Socket {
  /// Receives one frame; for the frames of a multipart message, read ``hasMoreFrames`` after
  /// each, or use ``receiveMessage(flags:)``.
  ///
  /// Zero copy: a frame of 4 KiB or more comes back as `Data` over libzmq's own buffer, which is
  /// freed when the last copy of the `Data` goes away; smaller frames are copied.
  ///
  /// - Returns: `nil` when nothing arrived: `.dontWait` and the queue is empty, or
  ///   ``SocketOption/receiveTimeout`` passed.
  /// - Throws: ``ZeroMQError`` with ``ZeroMQError/isContextTerminated`` after
  ///   ``ZeroMQ/Context/shutdown()``.
  public func receive(flags: ReceiveFlags = []) throws(ZeroMQError) -> Data? {
    try receiveFrame(flags: flags.rawValue)?.bytes
  }

  /// Receives all frames of the next message.
  ///
  /// - Returns: `nil` when nothing arrived (see ``receive(flags:)``).
  public func receiveMessage(flags: ReceiveFlags = []) throws(ZeroMQError) -> Message? {
    guard var frame = try receiveFrame(flags: flags.rawValue) else { return nil }
    var frames = [frame.bytes]
    while frame.hasMore {
      // libzmq delivers messages whole, so the rest is already here.
      guard let next = try receiveFrame(flags: 0) else {
        throw ZeroMQError(code: .wouldBlock, operation: "receive frame \(frames.count + 1)")
      }
      frame = next
      frames.append(frame.bytes)
    }
    return Message(frames)
  }

  /// Receives one frame, waiting at most `timeout` regardless of ``SocketOption/receiveTimeout``.
  public func receive(timeout: Duration) throws(ZeroMQError) -> Data? {
    try untilDeadline(timeout) { () throws(ZeroMQError) in try receive(flags: .dontWait) }
  }

  /// Receives all frames of the next message, waiting at most `timeout` for it to begin.
  public func receiveMessage(timeout: Duration) throws(ZeroMQError) -> Message? {
    try untilDeadline(timeout) { () throws(ZeroMQError) in try receiveMessage(flags: .dontWait) }
  }

  /// Whether the frame last received has more frames of its message after it.
  public var hasMoreFrames: Bool {
    get throws(ZeroMQError) { try getOption(.receiveMore) }
  }

  /// Polls and retries `attempt` until it returns a value or `timeout` has passed.
  private func untilDeadline<Value>(
    _ timeout: Duration, _ attempt: () throws(ZeroMQError) -> Value?
  ) throws(ZeroMQError) -> Value? {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    var poller = ZeroMQ.Poller()
    poller.register(self, for: .readable)
    while true {
      if let value = try attempt() { return value }
      let remaining = clock.now.duration(to: deadline)
      guard remaining > .zero else { return nil }
      _ = try poller.poll(timeout: remaining)
    }
  }

  private func receiveFrame(flags: Int32) throws(ZeroMQError) -> (bytes: Data, hasMore: Bool)? {
    let handle = try openHandle(for: "receive")
    let message = receiveBuffer
    zmq_msg_init(message)
    defer { zmq_msg_close(message) }
    guard try retryingInterrupts("receive", { zmq_msg_recv(message, handle, flags) }) != nil else {
      return nil
    }
    let hasMore = zmq_msg_more(message) != 0
    let count = zmq_msg_size(message)
    guard count >= zeroCopyMinimumCount else {
      return (Data(bytes: zmq_msg_data(message), count: count), hasMore)
    }
    // The large frame's message moves to the heap and lives as long as the `Data` over it.
    let owned = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
    zmq_msg_init(owned)
    zmq_msg_move(owned, message)
    let bytes = Data(
      bytesNoCopy: zmq_msg_data(owned), count: count,
      deallocator: .custom { _, _ in
        zmq_msg_close(owned)
        owned.deallocate()
      })
    return (bytes, hasMore)
  }
}

extension ZeroMQ.SocketOption where Value == Bool {
  /// Read-only; exposed as ``ZeroMQ/Socket/hasMoreFrames``.
  static var receiveMore: Self {
    integer(ZMQ_RCVMORE, "ZMQ_RCVMORE", as: Int32.self, encode: { $0 ? 1 : 0 }, decode: { $0 != 0 })
  }
}
