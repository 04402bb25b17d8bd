import CZeroMQ
import Foundation

/// Frames at least this long are lent to libzmq instead of copied. Smaller ones are copied:
/// `Data` keeps up to 14 bytes inline in the value itself, so their storage cannot be lent, and
/// below a few kilobytes a copy costs less than the message allocation and reference counting.
let zeroCopyMinimumCount = 4096

extension ZeroMQ.Socket {
  /// Sends one frame, or one more frame of a message with `.more`.
  ///
  /// Zero copy: a frame of 4 KiB or more is not copied. Its storage is handed to libzmq
  /// (`zmq_msg_init_data`) together with a retained reference to the `Data`; libzmq's I/O thread
  /// writes from that storage and releases the reference when done, possibly after this call
  /// returns. Value semantics keep it safe: the storage is shared, not owned, so a later mutation of
  /// the caller's copy copies first. Only `Data(bytesNoCopy:…)` with `.none` as deallocator lends
  /// memory that the caller must keep unchanged until the `Data` is released.
  ///
  /// - Returns: `false` if the frame was not queued: `.dontWait` and the queue is full (or there
  ///   is no peer), or ``SocketOption/sendTimeout`` passed. Blocking sends always return `true`.
  @discardableResult
  public func send(bytes: Data, flags: SendFlags = []) throws(ZeroMQError) -> Bool {
    try sendFrame(bytes, flags: flags.rawValue, operation: "send")
  }

  /// Sends one frame from an array; arrays of 4 KiB or more are lent like `Data` is.
  @discardableResult
  public func send(bytes: [UInt8], flags: SendFlags = []) throws(ZeroMQError) -> Bool {
    try sendFrame(bytes, flags: flags.rawValue, operation: "send")
  }

  /// Sends the frames of `message` as one atomic message; large frames are lent as in
  /// `send(bytes:flags:)`. With `.more`, frames of a later send continue the message.
  ///
  /// - Returns: `false` if the message was not queued (see `send(bytes:flags:)`).
  @discardableResult
  public func send(_ message: Message, flags: SendFlags = []) throws(ZeroMQError) -> Bool {
    guard !message.frames.isEmpty else {
      throw ZeroMQError(code: .invalidArgument, operation: "send a message without frames")
    }
    let count = message.frames.count
    for (index, frame) in message.frames.enumerated() {
      let frameFlags = index == count - 1 ? flags : flags.union(.more)
      let operation = { "send frame \(index + 1) of \(count)" }
      let isQueued = try sendFrame(frame, flags: frameFlags.rawValue, operation: operation())
      if !isQueued {
        // libzmq queues the rest of a message once it has queued its first frame.
        guard index == 0 else { throw ZeroMQError(code: .wouldBlock, operation: operation()) }
        return false
      }
    }
    return true
  }

  /// Copies a small frame with `zmq_send`, or lends a large one's storage with `zmq_msg_send`.
  private func sendFrame(
    _ frame: some LendableBytes, flags: Int32, operation: @autoclosure () -> String
  ) throws(ZeroMQError) -> Bool {
    let handle = try openHandle(for: operation())
    guard frame.count >= zeroCopyMinimumCount else {
      return try retryingInterrupts(operation()) {
        frame.withFrameBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
      } != nil
    }
    let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
    defer { message.deallocate() }
    // Escaping the address is sound here: at this size the bytes live in heap storage that the
    // retained `LentStorage` shares and nothing can mutate in place (see `send(bytes:flags:)`).
    let base = frame.withFrameBytes { UnsafeMutableRawPointer(mutating: $0.baseAddress!) }
    let owner = Unmanaged.passRetained(LentStorage(frame)).toOpaque()
    let initialized = zmq_msg_init_data(
      message, base, frame.count,
      { _, owner in owner.map { Unmanaged<LentStorage>.fromOpaque($0).release() } }, owner)
    guard initialized == 0 else {
      Unmanaged<LentStorage>.fromOpaque(owner).release()
      throw ZeroMQError(operation: operation())
    }
    // After a successful send the message is empty and closing it does nothing; after a failed
    // one, closing it calls the free function above, which releases the storage.
    defer { zmq_msg_close(message) }
    return try retryingInterrupts(operation()) { zmq_msg_send(message, handle, flags) } != nil
  }
}

/// Contiguous bytes that a send can copy, or lend to libzmq when they live in heap storage.
protocol LendableBytes {
  var count: Int { get }
  func withFrameBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result
}

extension Data: LendableBytes {
  func withFrameBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
    withUnsafeBytes(body)
  }
}

extension Array: LendableBytes where Element == UInt8 {
  func withFrameBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
    withUnsafeBytes(body)
  }
}

/// Keeps a lent frame's storage alive until libzmq's free function releases it, from whichever
/// thread libzmq finishes on.
private final class LentStorage: @unchecked Sendable {
  // Immutable after init, and only ever released from the other thread.
  let storage: Any

  init(_ storage: Any) {
    self.storage = storage
  }
}
