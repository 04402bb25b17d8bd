import ArgumentParser
import Foundation
import RL2Cluster

/// CURVE flags of the services that bind (`rl2 learner`, `rl2 coordinator`).
struct ServerSecurityOptions: ParsableArguments {
  @Option(help: "This service's secret key file (NAME.key from `rl2 keygen`); turns on CURVE.")
  var serverKey: String?

  @Option(
    help: "File of allowed client public keys, one Z85 key per line, # comments (cat *.pub).")
  var allowedKeys: String?

  @Flag(help: "Bind a non-loopback address without keys (a warning is logged).")
  var insecure = false

  func validate() throws {
    guard (serverKey == nil) == (allowedKeys == nil) else {
      throw ValidationError(
        "give both --server-key and --allowed-keys (or neither): a CURVE service needs its "
          + "secret key and the public keys of the clients it admits")
    }
  }

  /// The keys to use, `nil` for plain TCP.
  func load() throws -> ServerSecurity? {
    guard let serverKey, let allowedKeys else { return nil }
    return try ServerSecurity.load(
      serverKey: URL(fileURLWithPath: serverKey), allowedKeys: URL(fileURLWithPath: allowedKeys))
  }
}

/// CURVE flags of the clients (`rl2 actor`, `rl2 eval-worker`, `rl2 status`).
struct ClientSecurityOptions: ParsableArguments {
  @Option(help: "This client's secret key file (NAME.key from `rl2 keygen`); turns on CURVE.")
  var clientKey: String?

  @Option(help: "The service's public key file (its NAME.pub); needed with --client-key.")
  var serverPublicKey: String?

  func validate() throws {
    guard (clientKey == nil) == (serverPublicKey == nil) else {
      throw ValidationError(
        "give both --client-key and --server-public-key (or neither): a CURVE client needs "
          + "its own secret key and the service's public key")
    }
  }

  /// The key files, `nil` for plain TCP.
  var files: ClientKeyFiles? {
    guard let clientKey, let serverPublicKey else { return nil }
    return ClientKeyFiles(
      clientKey: URL(fileURLWithPath: clientKey),
      serverPublicKey: URL(fileURLWithPath: serverPublicKey))
  }

  /// The keys to use, `nil` for plain TCP.
  func load() throws -> ClientSecurity? {
    guard let clientKey, let serverPublicKey else { return nil }
    return try ClientSecurity.load(
      clientKey: URL(fileURLWithPath: clientKey),
      serverPublicKey: URL(fileURLWithPath: serverPublicKey))
  }
}
