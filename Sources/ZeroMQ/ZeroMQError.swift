import CZeroMQ

/// A failed libzmq call: the operation, the endpoint it concerned (if any), and libzmq's errno.
///
/// A service loop exits cleanly on ``isContextTerminated`` — another thread called
/// ``ZeroMQ/Context/shutdown()`` — and treats everything else as a real failure:
///
/// ```swift
/// do {
///   while let request = try control.receiveMessage() { … }
/// } catch let error as ZeroMQError where error.isContextTerminated {
///   return  // shutting down
/// }
/// ```
public struct ZeroMQError: Error, Hashable, Sendable, CustomStringConvertible {
  /// An errno value as libzmq reports it, with names for the ones callers act on.
  public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The context was shut down or terminated (ETERM); the socket should be closed.
    public static let contextTerminated = Code(rawValue: ETERM)
    /// The call would block or timed out (EAGAIN); the wrapper reports this as `nil`/`false`.
    public static let wouldBlock = Code(rawValue: EAGAIN)
    public static let interrupted = Code(rawValue: EINTR)
    public static let invalidArgument = Code(rawValue: EINVAL)
    public static let addressInUse = Code(rawValue: EADDRINUSE)
    public static let addressNotAvailable = Code(rawValue: EADDRNOTAVAIL)
    public static let protocolNotSupported = Code(rawValue: EPROTONOSUPPORT)
    /// A ROUTER with ``ZeroMQ/SocketOption/routerMandatory`` has no peer with that routing id.
    public static let hostUnreachable = Code(rawValue: EHOSTUNREACH)
    /// The operation is not valid in the socket's current state (EFSM), e.g. REQ sending twice.
    public static let wrongState = Code(rawValue: EFSM)
    /// The socket was closed (ENOTSOCK).
    public static let notASocket = Code(rawValue: ENOTSOCK)
    public static let notSupported = Code(rawValue: ENOTSUP)

    /// libzmq's text for the code (`zmq_strerror`).
    public var description: String { String(cString: zmq_strerror(rawValue)) }
  }

  public var code: Code
  /// What was attempted, e.g. "bind", "receive", "set ZMQ_SNDHWM".
  public var operation: String
  /// The endpoint the operation concerned, if any.
  public var endpoint: String?

  public init(code: Code, operation: String, endpoint: String? = nil) {
    self.code = code
    self.operation = operation
    self.endpoint = endpoint
  }

  /// An error from libzmq's thread-local errno, read right after the failed call.
  init(operation: String, endpoint: String? = nil) {
    self.init(code: Code(rawValue: zmq_errno()), operation: operation, endpoint: endpoint)
  }

  public var isContextTerminated: Bool { code == .contextTerminated }

  public var description: String {
    let target = endpoint.map { " \($0)" } ?? ""
    let hint = self.hint.map { " — \($0)" } ?? ""
    return "ZeroMQ \(operation)\(target) failed: \(code) (errno \(code.rawValue))\(hint)"
  }

  /// What to do about the common failures.
  private var hint: String? {
    switch code {
    case .addressInUse:
      return "another socket or process already listens there; choose another port or stop it"
    case .addressNotAvailable:
      return "the address is not one of this machine's interfaces"
    case .protocolNotSupported:
      return "use a tcp://, ipc:// or inproc:// endpoint"
    case .invalidArgument where endpoint != nil:
      return "check the endpoint's syntax, e.g. tcp://127.0.0.1:5555 or tcp://*:*"
    case .contextTerminated:
      return "the context was shut down; close the socket"
    case .hostUnreachable:
      return "no connected peer has that routing id"
    default:
      return nil
    }
  }
}

/// Runs a libzmq call that returns -1 on failure and retries it while a signal interrupts it.
///
/// Only for calls that have no effect when they fail (send, receive, poll, term): retrying them is
/// then indistinguishable from a call that was never interrupted.
/// - Returns: the call's result, or `nil` when it would block or timed out (EAGAIN).
/// - Throws: ``ZeroMQError`` for every other failure.
func retryingInterrupts(
  _ operation: @autoclosure () -> String, endpoint: String? = nil, _ call: () -> Int32
) throws(ZeroMQError) -> Int32? {
  while true {
    let result = call()
    if result != -1 { return result }
    let code = ZeroMQError.Code(rawValue: zmq_errno())
    switch code {
    case .interrupted: continue
    case .wouldBlock: return nil
    default: throw ZeroMQError(code: code, operation: operation(), endpoint: endpoint)
    }
  }
}

/// Runs a libzmq call that returns -1 on failure and fails on every error, EAGAIN included.
func check(
  _ operation: @autoclosure () -> String, endpoint: String? = nil, _ call: () -> Int32
) throws(ZeroMQError) {
  if call() == -1 {
    throw ZeroMQError(operation: operation(), endpoint: endpoint)
  }
}
