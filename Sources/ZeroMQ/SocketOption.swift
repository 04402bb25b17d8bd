import CZeroMQ
import Foundation

extension ZeroMQ {
  /// A typed libzmq socket option, used with ``Socket/setOption(_:value:)`` and
  /// ``Socket/getOption(_:)``:
  ///
  /// ```swift
  /// try data.setOption(.receiveHighWaterMark, value: 4)
  /// try data.setOption(.maximumMessageSize, value: 64 << 20)
  /// try control.setOption(.heartbeatInterval, value: .seconds(1))
  /// try control.setOption(.receiveTimeout, value: .milliseconds(500))
  /// ```
  ///
  /// Times are whole milliseconds on the wire; `nil` stands for libzmq's -1 ("forever",
  /// "unlimited"). Most options take effect only for later binds and connects, so set them first.
  public struct SocketOption<Value>: Sendable {
    /// libzmq's name, for error messages.
    public let name: String
    let code: Int32
    /// The largest value libzmq may return; integer options must be read at their exact size.
    let capacity: Int
    let encode: @Sendable (Value) -> [UInt8]
    let decode: @Sendable ([UInt8]) -> Value

    static func integer<Raw: FixedWidthInteger & Sendable>(
      _ code: Int32, _ name: String, as _: Raw.Type,
      encode: @escaping @Sendable (Value) -> Raw, decode: @escaping @Sendable (Raw) -> Value
    ) -> Self {
      Self(
        name: name, code: code, capacity: MemoryLayout<Raw>.size,
        encode: { value in withUnsafeBytes(of: encode(value)) { Array($0) } },
        decode: { bytes in decode(bytes.withUnsafeBytes { $0.loadUnaligned(as: Raw.self) }) })
    }

    static func bytes(
      _ code: Int32, _ name: String, capacity: Int,
      encode: @escaping @Sendable (Value) -> [UInt8], decode: @escaping @Sendable ([UInt8]) -> Value
    ) -> Self {
      Self(name: name, code: code, capacity: capacity, encode: encode, decode: decode)
    }
  }
}

extension ZeroMQ.SocketOption where Value == Int {
  /// Messages queued per peer before sending blocks or drops (by socket type); 0 = no limit.
  public static var sendHighWaterMark: Self { count(ZMQ_SNDHWM, "ZMQ_SNDHWM") }
  /// Messages queued per peer on the receiving side; 0 = no limit.
  public static var receiveHighWaterMark: Self { count(ZMQ_RCVHWM, "ZMQ_RCVHWM") }

  private static func count(_ code: Int32, _ name: String) -> Self {
    integer(code, name, as: Int32.self, encode: { Int32(clamping: $0) }, decode: { Int($0) })
  }
}

extension ZeroMQ.SocketOption where Value == Int? {
  /// The largest inbound message in bytes (ZMQ_MAXMSGSIZE); `nil` = unlimited. A peer that sends
  /// a larger one is disconnected and the message is never delivered.
  public static var maximumMessageSize: Self {
    integer(
      ZMQ_MAXMSGSIZE, "ZMQ_MAXMSGSIZE", as: Int64.self,
      encode: { $0.map { Int64($0) } ?? -1 }, decode: { $0 < 0 ? nil : Int($0) })
  }
}

extension ZeroMQ.SocketOption where Value == Duration? {
  /// How long unsent messages outlive ``ZeroMQ/Socket/close()``; `nil` = until delivered
  /// (libzmq's default), `.zero` = drop them.
  public static var linger: Self { milliseconds(ZMQ_LINGER, "ZMQ_LINGER") }
  /// How long a blocking receive waits before returning `nil`; `nil` = forever (the default).
  public static var receiveTimeout: Self { milliseconds(ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO") }
  /// How long a blocking send waits before returning `false`; `nil` = forever (the default).
  public static var sendTimeout: Self { milliseconds(ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO") }
  /// How long a silent peer may stay connected after a heartbeat (ZMQ_HEARTBEAT_TIMEOUT);
  /// `nil` = the heartbeat interval (the default).
  public static var heartbeatTimeout: Self {
    milliseconds(ZMQ_HEARTBEAT_TIMEOUT, "ZMQ_HEARTBEAT_TIMEOUT")
  }

  private static func milliseconds(_ code: Int32, _ name: String) -> Self {
    integer(
      code, name, as: Int32.self, encode: { $0.map(\.wholeMilliseconds) ?? -1 },
      decode: { $0 < 0 ? nil : .milliseconds($0) })
  }
}

extension ZeroMQ.SocketOption where Value == Duration {
  /// The first delay before reconnecting a lost or refused connection (default 100 ms).
  public static var reconnectInterval: Self { milliseconds(ZMQ_RECONNECT_IVL, "ZMQ_RECONNECT_IVL") }
  /// The cap of the exponential reconnect back-off; `.zero` = no back-off (the default).
  public static var reconnectIntervalMax: Self {
    milliseconds(ZMQ_RECONNECT_IVL_MAX, "ZMQ_RECONNECT_IVL_MAX")
  }
  /// How often a ZMTP heartbeat (PING) goes to each peer; `.zero` = none (the default).
  public static var heartbeatInterval: Self { milliseconds(ZMQ_HEARTBEAT_IVL, "ZMQ_HEARTBEAT_IVL") }
  /// How long peers may wait for our next heartbeat before dropping us, sent with each PING;
  /// libzmq keeps it in tenths of a second (rounding down), up to 6553.5 s.
  public static var heartbeatTTL: Self { milliseconds(ZMQ_HEARTBEAT_TTL, "ZMQ_HEARTBEAT_TTL") }

  private static func milliseconds(_ code: Int32, _ name: String) -> Self {
    integer(
      code, name, as: Int32.self, encode: { $0.wholeMilliseconds }, decode: { .milliseconds($0) })
  }
}

extension ZeroMQ.SocketOption where Value == Bool {
  /// Queue messages only to completed connections, so none wait for a peer that is not there.
  public static var immediate: Self { flag(ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE") }
  /// A ROUTER throws ``ZeroMQError/Code/hostUnreachable`` for an unknown routing id instead of
  /// dropping the message silently. Write-only in libzmq: reading it throws `invalidArgument`.
  public static var routerMandatory: Self { flag(ZMQ_ROUTER_MANDATORY, "ZMQ_ROUTER_MANDATORY") }
  /// Keep only the newest message in the queue (last-value semantics); single-frame messages only.
  public static var conflate: Self { flag(ZMQ_CONFLATE, "ZMQ_CONFLATE") }
  /// Use IPv6 as well as IPv4 for TCP.
  public static var ipv6: Self { flag(ZMQ_IPV6, "ZMQ_IPV6") }
  /// Act as the CURVE server: needs ``curveSecretKey``; clients need this server's public key.
  public static var curveServer: Self { flag(ZMQ_CURVE_SERVER, "ZMQ_CURVE_SERVER") }

  private static func flag(_ code: Int32, _ name: String) -> Self {
    integer(code, name, as: Int32.self, encode: { $0 ? 1 : 0 }, decode: { $0 != 0 })
  }
}

extension ZeroMQ.SocketOption where Value == Data {
  /// The identity a DEALER or REQ announces to a ROUTER (1–255 bytes, not starting with 0).
  public static var routingID: Self {
    bytes(
      ZMQ_ROUTING_ID, "ZMQ_ROUTING_ID", capacity: 255, encode: { Array($0) }, decode: { Data($0) })
  }
}

extension ZeroMQ.SocketOption where Value == String {
  /// This socket's long-term public key, 40 Z85 characters (see ``ZeroMQ/CurveKeyPair``).
  public static var curvePublicKey: Self { key(ZMQ_CURVE_PUBLICKEY, "ZMQ_CURVE_PUBLICKEY") }
  /// This socket's long-term secret key, 40 Z85 characters.
  public static var curveSecretKey: Self { key(ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY") }
  /// A CURVE client's knowledge of the server's public key, 40 Z85 characters.
  public static var curveServerKey: Self { key(ZMQ_CURVE_SERVERKEY, "ZMQ_CURVE_SERVERKEY") }
  /// The ZAP domain a server's authentication requests name, for the ZAP handler to act on.
  public static var zapDomain: Self { text(ZMQ_ZAP_DOMAIN, "ZMQ_ZAP_DOMAIN", capacity: 256) }
  /// Read-only; exposed as ``ZeroMQ/Socket/lastEndpoint``.
  static var lastEndpoint: Self { text(ZMQ_LAST_ENDPOINT, "ZMQ_LAST_ENDPOINT", capacity: 1024) }

  /// Read back as Z85: libzmq answers in Z85 when asked with room for 40 characters and a NUL.
  private static func key(_ code: Int32, _ name: String) -> Self {
    text(code, name, capacity: ZeroMQ.CurveKeyPair.keyLength + 1)
  }

  /// libzmq returns strings with their NUL terminator and takes them without one.
  private static func text(_ code: Int32, _ name: String, capacity: Int) -> Self {
    bytes(
      code, name, capacity: capacity, encode: { Array($0.utf8) },
      decode: { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) })
  }
}

extension ZeroMQ.Socket {
  public func setOption<Value>(_ option: SocketOption<Value>, value: Value) throws(ZeroMQError) {
    let handle = try openHandle(for: "set \(option.name)")
    let bytes = option.encode(value)
    // The value stays out of the message: it may be a secret key.
    try check("set \(option.name)") {
      bytes.withUnsafeBytes { zmq_setsockopt(handle, option.code, $0.baseAddress, $0.count) }
    }
  }

  public func getOption<Value>(_ option: SocketOption<Value>) throws(ZeroMQError) -> Value {
    let handle = try openHandle(for: "get \(option.name)")
    var bytes = [UInt8](repeating: 0, count: option.capacity)
    var size = bytes.count
    try check("get \(option.name)") { zmq_getsockopt(handle, option.code, &bytes, &size) }
    return option.decode(Array(bytes.prefix(size)))
  }

  /// A SUB socket receives messages whose first frame starts with `prefix`; call it once per
  /// prefix, with `""` for everything. Subscriptions travel to the publishers asynchronously, so
  /// messages published right after connecting are lost ("slow joiner").
  public func subscribe(to prefix: String = "") throws(ZeroMQError) {
    try setOption(.subscription(ZMQ_SUBSCRIBE, "ZMQ_SUBSCRIBE"), value: Data(prefix.utf8))
  }

  public func subscribe(to prefix: Data) throws(ZeroMQError) {
    try setOption(.subscription(ZMQ_SUBSCRIBE, "ZMQ_SUBSCRIBE"), value: prefix)
  }

  /// Removes one earlier `subscribe(to:)` of the same prefix.
  public func unsubscribe(from prefix: String = "") throws(ZeroMQError) {
    try setOption(.subscription(ZMQ_UNSUBSCRIBE, "ZMQ_UNSUBSCRIBE"), value: Data(prefix.utf8))
  }

  public func unsubscribe(from prefix: Data) throws(ZeroMQError) {
    try setOption(.subscription(ZMQ_UNSUBSCRIBE, "ZMQ_UNSUBSCRIBE"), value: prefix)
  }
}

extension ZeroMQ.SocketOption where Value == Data {
  /// Write-only, hence not public: `Socket.subscribe(to:)` sets it.
  fileprivate static func subscription(_ code: Int32, _ name: String) -> Self {
    bytes(code, name, capacity: 0, encode: { Array($0) }, decode: { Data($0) })
  }
}

extension Duration {
  /// The whole milliseconds libzmq's options take, clamped to `0...Int32.max`.
  var wholeMilliseconds: Int32 {
    let (seconds, attoseconds) = components
    let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
    guard !milliseconds.overflow else { return seconds < 0 ? 0 : .max }
    return Int32(clamping: max(0, milliseconds.partialValue + attoseconds / 1_000_000_000_000_000))
  }
}
