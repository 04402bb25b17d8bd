import CZeroMQ

extension ZeroMQ {
  /// The messaging pattern of a socket; see the libzmq guide for which types connect to which.
  public enum SocketType: Sendable, CaseIterable {
    case pair, pub, sub, req, rep, dealer, router, pull, push

    var rawValue: Int32 {
      switch self {
      case .pair: ZMQ_PAIR
      case .pub: ZMQ_PUB
      case .sub: ZMQ_SUB
      case .req: ZMQ_REQ
      case .rep: ZMQ_REP
      case .dealer: ZMQ_DEALER
      case .router: ZMQ_ROUTER
      case .pull: ZMQ_PULL
      case .push: ZMQ_PUSH
      }
    }
  }

  /// A libzmq socket. One thread owns each socket: libzmq sockets are not thread-safe, so this
  /// class is deliberately not `Sendable` — create it on the thread that uses it.
  ///
  /// Sending and receiving are in `Socket+Sending.swift` and `Socket+Receiving.swift`, options in
  /// `SocketOption.swift`. The socket closes in `deinit` if ``close()`` was not called.
  public final class Socket {
    public let type: SocketType
    /// Kept alive until this socket is gone, so the context never terminates under an open socket.
    public let context: Context
    private var handle: UnsafeMutableRawPointer?
    /// The one `zmq_msg_t` that receives use, so small frames cost no allocation.
    let receiveBuffer: UnsafeMutablePointer<zmq_msg_t>

    public init(context: Context, type: SocketType) throws(ZeroMQError) {
      guard let handle = zmq_socket(context.handle, type.rawValue) else {
        throw ZeroMQError(operation: "create \(type) socket")
      }
      self.type = type
      self.context = context
      self.handle = handle
      receiveBuffer = .allocate(capacity: 1)
    }

    deinit {
      close()
      receiveBuffer.deallocate()
    }

    /// Whether ``close()`` was called; every operation on a closed socket throws ENOTSOCK.
    public var isClosed: Bool { handle == nil }

    /// Closes the socket. Unsent messages stay for up to ``SocketOption/linger`` in the context's
    /// I/O thread. Idempotent.
    public func close() {
      guard let handle else { return }
      // zmq_close fails only for an invalid handle, which `handle == nil` rules out.
      zmq_close(handle)
      self.handle = nil
    }

    /// The open socket's handle, for the other files of this module.
    func openHandle(for operation: @autoclosure () -> String, endpoint: String? = nil)
      throws(ZeroMQError) -> UnsafeMutableRawPointer
    {
      guard let handle else {
        throw ZeroMQError(code: .notASocket, operation: operation(), endpoint: endpoint)
      }
      return handle
    }

    /// Accepts connections on `endpoint`: `tcp://interface:port` (`*` for all interfaces or for a
    /// free port — then read ``lastEndpoint``), `ipc://path` or `inproc://name`.
    public func bind(to endpoint: String) throws(ZeroMQError) {
      let handle = try openHandle(for: "bind", endpoint: endpoint)
      try check("bind", endpoint: endpoint) { zmq_bind(handle, endpoint) }
    }

    /// Connects to `endpoint`. Over TCP this returns at once; libzmq connects, and reconnects after
    /// failures, in the background (see ``SocketOption/reconnectInterval``).
    public func connect(to endpoint: String) throws(ZeroMQError) {
      let handle = try openHandle(for: "connect", endpoint: endpoint)
      try check("connect", endpoint: endpoint) { zmq_connect(handle, endpoint) }
    }

    /// Stops accepting on an endpoint given to ``bind(to:)`` (or the ``lastEndpoint`` it resolved
    /// to, for wildcards).
    public func unbind(from endpoint: String) throws(ZeroMQError) {
      let handle = try openHandle(for: "unbind", endpoint: endpoint)
      try check("unbind", endpoint: endpoint) { zmq_unbind(handle, endpoint) }
    }

    /// Drops the connection made by ``connect(to:)``, discarding its queued messages.
    public func disconnect(from endpoint: String) throws(ZeroMQError) {
      let handle = try openHandle(for: "disconnect", endpoint: endpoint)
      try check("disconnect", endpoint: endpoint) { zmq_disconnect(handle, endpoint) }
    }

    /// The endpoint of the last bind or connect, with wildcards resolved (`tcp://127.0.0.1:41234`
    /// after binding `tcp://127.0.0.1:*`); `nil` before any.
    public var lastEndpoint: String? {
      get throws(ZeroMQError) {
        let endpoint = try getOption(.lastEndpoint)
        return endpoint.isEmpty ? nil : endpoint
      }
    }
  }
}

@available(*, unavailable, message: "one thread owns each socket; create it on that thread")
extension ZeroMQ.Socket: Sendable {}
