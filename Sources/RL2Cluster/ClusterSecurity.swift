import Foundation
import ZeroMQ

/// A service's CURVE keys: its own key pair and the public keys of the clients it admits.
///
/// With it, every socket of the learner or coordinator is a CURVE server, and a ZAP handler in
/// the service's context refuses every client whose public key is not allowed:
///
/// ```swift
/// var configuration = CoordinatorService.Configuration(endpoint: endpoint, book: book)
/// configuration.security = try ServerSecurity.load(
///   serverKey: URL(fileURLWithPath: "keys/coordinator.key"),
///   allowedKeys: URL(fileURLWithPath: "keys/allowed-actors"))
/// ```
public struct ServerSecurity: Sendable, Equatable {
  public var keys: CurveKeyPair
  /// Z85 public keys of the admitted clients.
  public var allowedClientKeys: Set<String>

  public init(keys: CurveKeyPair, allowedClientKeys: Set<String>) {
    self.keys = keys
    self.allowedClientKeys = allowedClientKeys
  }

  /// Reads the service's secret key file (`rl2 keygen`'s NAME.key) and an allowlist: one Z85
  /// public key per line, `#` comments and blank lines ignored (so `cat *.pub` makes one).
  public static func load(serverKey: URL, allowedKeys: URL) throws(ClusterError) -> Self {
    let keys = try KeyFiles.readKeyPair(serverKey)
    let allowed = try KeyFiles.readPublicKeys(allowedKeys)
    guard !allowed.isEmpty else {
      throw .failed(
        "\(allowedKeys.path) holds no public keys: add one line per client (its NAME.pub "
          + "from `rl2 keygen`), or no client could connect")
    }
    return Self(keys: keys, allowedClientKeys: Set(allowed))
  }
}

/// A client's CURVE keys: its own key pair and the public key of the service it talks to.
///
/// ```swift
/// var configuration = ActorConfiguration(learner: endpoint, actorID: "actor-1")
/// configuration.security = try ClientSecurity.load(
///   clientKey: URL(fileURLWithPath: "keys/actor-1.key"),
///   serverPublicKey: URL(fileURLWithPath: "keys/learner.pub"))
/// ```
public struct ClientSecurity: Sendable, Equatable {
  public var keys: CurveKeyPair
  public var serverPublicKey: String

  public init(keys: CurveKeyPair, serverPublicKey: String) {
    self.keys = keys
    self.serverPublicKey = serverPublicKey
  }

  public static func load(clientKey: URL, serverPublicKey: URL) throws(ClusterError) -> Self {
    let keys = try KeyFiles.readKeyPair(clientKey)
    let server = try KeyFiles.readPublicKeys(serverPublicKey)
    guard server.count == 1 else {
      throw .failed(
        "\(serverPublicKey.path) holds \(server.count) public keys; give the file with the "
          + "service's one public key (its NAME.pub from `rl2 keygen`)")
    }
    return Self(keys: keys, serverPublicKey: server[0])
  }
}

/// A client's key files, kept as paths so that processes started for it (evaluation workers)
/// can be given the same files.
public struct ClientKeyFiles: Sendable, Equatable {
  /// This client's secret key file (NAME.key from `rl2 keygen`).
  public var clientKey: URL
  /// The service's public key file (its NAME.pub).
  public var serverPublicKey: URL

  public init(clientKey: URL, serverPublicKey: URL) {
    self.clientKey = clientKey
    self.serverPublicKey = serverPublicKey
  }

  public func load() throws(ClusterError) -> ClientSecurity {
    try ClientSecurity.load(clientKey: clientKey, serverPublicKey: serverPublicKey)
  }

  /// The same files as `rl2` flags.
  public var arguments: [String] {
    ["--client-key", clientKey.path, "--server-public-key", serverPublicKey.path]
  }
}

/// How a socket takes part in CURVE, if at all.
enum CurveRole: Sendable, Equatable {
  case server(secretKey: String)
  case client(CurveKeyPair, serverPublicKey: String)

  /// The ZAP domain of the services' sockets, named in every authentication request.
  static let domain = "rl2"

  func apply(to socket: Socket) throws(ZeroMQError) {
    switch self {
    case .server(let secretKey):
      try socket.setOption(.curveServer, value: true)
      try socket.setOption(.curveSecretKey, value: secretKey)
      try socket.setOption(.zapDomain, value: Self.domain)
    case .client(let keys, let serverPublicKey):
      try socket.setOption(.curveServerKey, value: serverPublicKey)
      try socket.setOption(.curvePublicKey, value: keys.publicKey)
      try socket.setOption(.curveSecretKey, value: keys.secretKey)
    }
  }
}

extension Endpoint {
  /// Refuses to bind an address other hosts can reach unless CURVE guards it or the user said
  /// `--insecure`; then it only warns.
  func checkExposure(
    isSecured: Bool, allowsInsecure: Bool, log: @Sendable (String) -> Void
  ) throws(ClusterError) {
    guard !isLoopback, !isSecured else { return }
    guard allowsInsecure else {
      throw .failed(
        "refusing to bind \(self) without CURVE keys: any host that reaches it could join or "
          + "feed the run. Make keys with `rl2 keygen` and pass --server-key and "
          + "--allowed-keys (clients: --client-key and --server-public-key), or pass --insecure "
          + "on a network you trust; `rl2 train` binds loopback only")
    }
    log(
      "warning: \(self) is open to every host that can reach it, without authentication or "
        + "encryption (--insecure)")
  }
}

extension SocketSettings {
  /// With `security`, makes these settings a CURVE server's and returns the ZAP handler that
  /// admits only its allowed client keys on `context`; without, changes nothing.
  mutating func secure(
    with security: ServerSecurity?, context: Context, log: @escaping @Sendable (String) -> Void
  ) throws -> ZAPHandler? {
    guard let security else { return nil }
    curve = .server(secretKey: security.keys.secretKey)
    return try ZAPHandler(context: context, allowedKeys: security.allowedClientKeys, log: log)
  }
}
