import Foundation

/// A TCP endpoint `tcp://HOST:PORT` of a service. `HOST` may be `*` (every interface) when
/// binding; port 0 asks the system for a free one (bound as `*` port, read back afterwards).
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
  public var host: String
  public var port: Int

  public init(host: String, port: Int) {
    self.host = host
    self.port = port
  }

  /// Parses `tcp://HOST:PORT`, naming what is wrong with a bad value.
  public init(parsing text: String) throws(ClusterError) {
    guard text.hasPrefix("tcp://") else {
      throw .invalidEndpoint("\(text): an endpoint looks like tcp://HOST:PORT")
    }
    let rest = text.dropFirst("tcp://".count)
    guard let colon = rest.lastIndex(of: ":"), colon != rest.startIndex else {
      throw .invalidEndpoint("\(text): missing host or port (tcp://HOST:PORT)")
    }
    let host = String(rest[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    guard let port = Int(rest[rest.index(after: colon)...]), (0...65_535).contains(port) else {
      throw .invalidEndpoint("\(text): the port must be a number in 0...65535")
    }
    self.init(host: host, port: port)
  }

  public var description: String {
    "tcp://\(host.contains(":") ? "[\(host)]" : host):\(port == 0 ? "*" : String(port))"
  }

  /// The endpoint `k` ports above this one (the learner's data and weights sockets).
  public func offset(by k: Int) -> Endpoint { Endpoint(host: host, port: port == 0 ? 0 : port + k) }

  /// Binds every interface.
  public var isWildcard: Bool { host == "*" || host == "0.0.0.0" || host == "::" }

  /// `localhost`, `::1` or an IPv4 address 127.x.y.z — not a host name that merely starts
  /// with "127.", which may resolve anywhere.
  public var isLoopback: Bool {
    let octets = host.split(separator: ".", omittingEmptySubsequences: false)
    return host == "localhost" || host == "::1"
      || (octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil })
  }

  /// This endpoint with a wildcard host replaced by `host` (how a peer reaches it).
  public func reachable(through host: String) -> Endpoint {
    isWildcard ? Endpoint(host: host, port: port) : self
  }
}

/// What went wrong in a cluster service, in words that say what to do.
public enum ClusterError: Error, CustomStringConvertible, Equatable {
  case invalidEndpoint(String)
  case incompatible(String)
  case failed(String)
  /// A service answered and turned the request down (as opposed to not answering).
  case refused(String)

  public var description: String {
    switch self {
    case .invalidEndpoint(let message), .incompatible(let message), .failed(let message),
      .refused(let message):
      message
    }
  }

  public var isRefusal: Bool {
    if case .refused = self { return true }
    return false
  }
}
