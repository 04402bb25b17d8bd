import CZeroMQ

extension ZeroMQ {
  /// A libzmq context: the I/O threads and the registry of a process's sockets.
  ///
  /// Contexts are thread-safe; share one per process. Shutting down works in two steps, as libzmq's
  /// does:
  /// 1. ``shutdown()``, from any thread, makes every blocking call on the context's sockets — in
  ///    whichever thread it waits — throw a ``ZeroMQError`` with ``ZeroMQError/isContextTerminated``,
  ///    and makes new sockets fail the same way. Service loops catch that and close their sockets.
  /// 2. The context terminates (`zmq_ctx_term`) when the last reference to it goes away. Every
  ///    ``Socket`` holds one, so that happens only after all sockets are closed and released, and
  ///    it waits up to each socket's ``SocketOption/linger`` for unsent messages to leave — forever
  ///    by default (libzmq's -1), unless the context was made with `lingersByDefault: false`.
  public final class Context: @unchecked Sendable {
    // libzmq contexts are thread-safe; the handle never changes after init.
    let handle: UnsafeMutableRawPointer

    /// - Parameters:
    ///   - ioThreads: libzmq's I/O thread pool; one thread handles about a gigabyte per second.
    ///     Use 0 only when every socket is `inproc://`.
    ///   - lingersByDefault: with `false` (ZMQ_BLOCKY off), new sockets start with a linger of
    ///     zero, so termination never waits for unsent messages to reach absent peers.
    public init(ioThreads: Int = 1, lingersByDefault: Bool = true) throws(ZeroMQError) {
      guard let handle = zmq_ctx_new() else {
        throw ZeroMQError(operation: "create context")
      }
      self.handle = handle
      try check("set ZMQ_IO_THREADS to \(ioThreads)") {
        zmq_ctx_set(handle, ZMQ_IO_THREADS, Int32(clamping: ioThreads))
      }
      try check("set ZMQ_BLOCKY") { zmq_ctx_set(handle, ZMQ_BLOCKY, lingersByDefault ? 1 : 0) }
    }

    /// The size of the I/O thread pool.
    public var ioThreads: Int { Int(zmq_ctx_get(handle, ZMQ_IO_THREADS)) }

    /// Makes blocking calls on this context's sockets throw ETERM, in every thread, and refuses
    /// new sockets. Idempotent. The sockets must still be closed (or released) by their threads.
    public func shutdown() {
      // zmq_ctx_shutdown fails only for an invalid handle, which this class never holds.
      zmq_ctx_shutdown(handle)
    }

    deinit {
      // No socket can still be open: each one keeps its context alive until it is closed.
      _ = try? retryingInterrupts("terminate context") { zmq_ctx_term(handle) }
    }
  }
}
