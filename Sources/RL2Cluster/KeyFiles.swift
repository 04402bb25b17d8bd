import Foundation
import ZeroMQ

/// CURVE key files as `rl2 keygen` writes them: `NAME.key` holds the secret key (mode 0600,
/// never to leave its machine), `NAME.pub` the public key to hand to the other side. Both are
/// text: a `#` comment line and the 40-character Z85 key.
///
/// ```swift
/// let files = try KeyFiles.generate(into: directory, name: "actor-1")
/// let keys = try KeyFiles.readKeyPair(files.secret)
/// ```
public enum KeyFiles {
  /// A fresh key pair written as `NAME.key` and `NAME.pub` (see ``write(_:to:name:overwrite:)``).
  @discardableResult
  public static func generate(
    into directory: URL, name: String, overwrite: Bool = false
  ) throws(ClusterError) -> (secret: URL, public: URL) {
    let keys: CurveKeyPair
    do {
      keys = try CurveKeyPair.generate()
    } catch {
      throw .failed("cannot make a CURVE key pair (\(error)): libzmq needs CURVE (libsodium)")
    }
    return try write(keys, to: directory, name: name, overwrite: overwrite)
  }

  /// Writes `NAME.key` and `NAME.pub` into `directory` (made if missing); refuses to replace
  /// either unless `overwrite`.
  @discardableResult
  public static func write(
    _ keys: CurveKeyPair, to directory: URL, name: String, overwrite: Bool = false
  ) throws(ClusterError) -> (secret: URL, public: URL) {
    guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
      throw .failed("--name \(name): give a plain file name, such as actor-1")
    }
    let secret = directory.appendingPathComponent("\(name).key")
    let publicFile = directory.appendingPathComponent("\(name).pub")
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw .failed(
        "cannot create \(directory.path): \(error.localizedDescription); choose a directory "
          + "you can write with --out")
    }
    if !overwrite {
      for file in [secret, publicFile] where FileManager.default.fileExists(atPath: file.path) {
        throw .failed(
          "\(file.path) exists; pass --force to replace the pair (clients or services that "
            + "hold the old public key will then be refused)")
      }
    }
    try writeText(
      "# rl2 CURVE secret key \(name): keep it on this machine\n\(keys.secretKey)\n", to: secret,
      mode: 0o600)
    try writeText(
      "# rl2 CURVE public key \(name): give it to the other side\n\(keys.publicKey)\n",
      to: publicFile, mode: 0o644)
    return (secret, publicFile)
  }

  /// The key pair of a secret key file (the public key derived again).
  public static func readKeyPair(_ url: URL) throws(ClusterError) -> CurveKeyPair {
    let lines = try keyLines(url)
    guard lines.count == 1 else {
      throw .failed(
        "\(url.path) holds \(lines.count) keys; a secret key file (NAME.key from `rl2 keygen`) "
          + "holds one")
    }
    do {
      return try CurveKeyPair(secretKey: lines[0].text)
    } catch {
      throw .failed(
        "\(url.path) line \(lines[0].number) is not a CURVE secret key (40 Z85 characters); "
          + "give the NAME.key file `rl2 keygen` wrote")
    }
  }

  /// The public keys of a file, one per line in order.
  public static func readPublicKeys(_ url: URL) throws(ClusterError) -> [String] {
    try keyLines(url).map { (line) throws(ClusterError) in
      guard line.text.utf8.count == CurveKeyPair.keyLength,
        (try? Z85.decode(line.text))?.count == 32
      else {
        throw .failed(
          "\(url.path) line \(line.number) is not a CURVE public key (40 Z85 characters, as in "
            + "the NAME.pub files of `rl2 keygen`)")
      }
      return line.text
    }
  }

  /// The lines that are neither blank nor `#` comments, trimmed, with their line numbers.
  private static func keyLines(_ url: URL) throws(ClusterError) -> [(number: Int, text: String)] {
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw .failed("cannot read the key file \(url.path): \(error.localizedDescription)")
    }
    return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
      .map { (number: $0.offset + 1, text: $0.element.trimmingCharacters(in: .whitespaces)) }
      .filter { !$0.text.isEmpty && !$0.text.hasPrefix("#") }
  }

  /// Writes a fresh file created with `mode` (never readable by others in between).
  private static func writeText(_ text: String, to url: URL, mode: mode_t) throws(ClusterError) {
    unlink(url.path)
    let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL, mode)
    guard descriptor >= 0 else {
      throw .failed(
        "cannot write \(url.path): \(String(cString: strerror(errno))); choose a directory you "
          + "can write with --out")
    }
    let file = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    fchmod(descriptor, mode)
    do {
      try file.write(contentsOf: Data(text.utf8))
      try file.synchronize()
    } catch {
      throw .failed("cannot write \(url.path): \(error.localizedDescription)")
    }
  }
}
