import CZeroMQ

/// A thin, safe Swift wrapper over libzmq — the only module that imports `CZeroMQ`.
///
/// The types (except ``ZeroMQError``, whose name already says it) live inside this namespace so that `ZeroMQ.Socket` and `ZeroMQ.Message` still name
/// them when a client also has a `Socket` or `Message` of its own (a module-qualified name would
/// resolve to this enum instead). The top-level aliases below keep the short names for everyone else.
///
/// Threading: a ``Context`` is shared by every thread; each ``Socket`` belongs to one thread, and
/// no blocking call should run on Swift concurrency's cooperative pool.
///
/// ```swift
/// let context = try Context()
/// let weights = try Socket(context: context, type: .pub)
/// try weights.setOption(.sendHighWaterMark, value: 1)
/// try weights.bind(to: "tcp://127.0.0.1:*")
/// print(try weights.lastEndpoint ?? "unbound")  // tcp://127.0.0.1:41234
/// try weights.send(bytes: encodedWeights)
/// ```
public enum ZeroMQ {
  /// The version of the libzmq library linked at run time.
  public struct Version: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(major: Int, minor: Int, patch: Int) {
      self.major = major
      self.minor = minor
      self.patch = patch
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    public static func < (lhs: Version, rhs: Version) -> Bool {
      (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }
  }

  public static var version: Version {
    var (major, minor, patch): (Int32, Int32, Int32) = (0, 0, 0)
    zmq_version(&major, &minor, &patch)
    return Version(major: Int(major), minor: Int(minor), patch: Int(patch))
  }

  /// Whether libzmq was built with `capability` ("curve", "ipc", "gssapi", "draft", …).
  public static func has(_ capability: String) -> Bool {
    zmq_has(capability) != 0
  }

  /// Whether CURVE encryption and authentication are available (libzmq built with libsodium).
  public static var hasCurve: Bool { has("curve") }
}

public typealias Context = ZeroMQ.Context
public typealias Socket = ZeroMQ.Socket
public typealias SocketType = ZeroMQ.SocketType
public typealias SocketOption = ZeroMQ.SocketOption
public typealias SendFlags = ZeroMQ.SendFlags
public typealias ReceiveFlags = ZeroMQ.ReceiveFlags
public typealias Message = ZeroMQ.Message
public typealias Poller = ZeroMQ.Poller
public typealias CurveKeyPair = ZeroMQ.CurveKeyPair
public typealias Z85 = ZeroMQ.Z85
public typealias ZAPHandler = ZeroMQ.ZAPHandler
