import Foundation
import ZeroMQ

/// The transport settings every service socket gets: bounded messages, short linger, ZMTP
/// heartbeats (so a dead TCP peer is noticed), reconnects with back-off and, when keys are
/// configured, CURVE.
struct SocketSettings: Sendable {
  var maximumMessageBytes: Int
  var linger: Duration = .milliseconds(200)
  var heartbeat: Duration = .seconds(1)
  var heartbeatTimeout: Duration = .seconds(5)
  var reconnectInterval: Duration = .milliseconds(100)
  var reconnectIntervalMax: Duration = .seconds(5)
  var curve: CurveRole?

  func apply(to socket: Socket, highWaterMark: Int) throws(ZeroMQError) {
    try socket.setOption(.maximumMessageSize, value: maximumMessageBytes)
    try socket.setOption(.linger, value: linger)
    try socket.setOption(.heartbeatInterval, value: heartbeat)
    try socket.setOption(.heartbeatTimeout, value: heartbeatTimeout)
    try socket.setOption(.heartbeatTTL, value: heartbeatTimeout)
    try socket.setOption(.reconnectInterval, value: reconnectInterval)
    try socket.setOption(.reconnectIntervalMax, value: reconnectIntervalMax)
    try socket.setOption(.sendHighWaterMark, value: highWaterMark)
    try socket.setOption(.receiveHighWaterMark, value: highWaterMark)
    try curve?.apply(to: socket)
  }
}

/// Binds `socket` to `endpoint` (port 0: a free port) and returns where it listens.
func bind(_ socket: Socket, to endpoint: Endpoint) throws -> Endpoint {
  let host = endpoint.isWildcard ? "*" : endpoint.host
  let address = endpoint.port == 0 ? "tcp://\(host):*" : "tcp://\(host):\(endpoint.port)"
  do {
    try socket.bind(to: address)
  } catch {
    throw ClusterError.failed("cannot bind \(address): \(error)")
  }
  guard let bound = try? socket.lastEndpoint, let actual = try? Endpoint(parsing: bound) else {
    return endpoint
  }
  return Endpoint(host: endpoint.host, port: actual.port)
}

/// A random 64-bit id drawn at process start: tells a restarted peer from the one before.
func makeIncarnation() -> UInt64 {
  var generator = SystemRandomNumberGenerator()
  return generator.next() | 1
}

/// Milliseconds since the Unix epoch.
func unixMilliseconds() -> UInt64 { UInt64(max(0, Date().timeIntervalSince1970 * 1000)) }
