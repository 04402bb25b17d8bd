import CZeroMQ

extension ZeroMQ {
  /// A CURVE key pair as 40-character Z85 strings, for ``SocketOption/curvePublicKey``,
  /// ``SocketOption/curveSecretKey`` and ``SocketOption/curveServerKey``.
  ///
  /// A server sets ``SocketOption/curveServer`` and its secret key; each client sets its own pair
  /// and the server's public key. Keys travel and are stored as Z85 text; only the public one may
  /// leave the machine.
  public struct CurveKeyPair: Hashable, Sendable {
    /// The length of a key in Z85 characters; 32 bytes in binary.
    public static let keyLength = 40

    public var publicKey: String
    public var secretKey: String

    /// A fresh random key pair (`zmq_curve_keypair`).
    ///
    /// - Throws: ``ZeroMQError/Code/notSupported`` when libzmq lacks CURVE
    ///   (see ``ZeroMQ/hasCurve``).
    public static func generate() throws(ZeroMQError) -> CurveKeyPair {
      var publicKey = [CChar](repeating: 0, count: keyLength + 1)
      var secretKey = [CChar](repeating: 0, count: keyLength + 1)
      try check("generate a CURVE key pair") { zmq_curve_keypair(&publicKey, &secretKey) }
      return CurveKeyPair(publicKey: String(z85: publicKey), secretKey: String(z85: secretKey))
    }

    /// The pair of a stored secret key, its public key derived again (`zmq_curve_public`).
    public init(secretKey: String) throws(ZeroMQError) {
      var publicKey = [CChar](repeating: 0, count: Self.keyLength + 1)
      guard secretKey.utf8.count == Self.keyLength, zmq_curve_public(&publicKey, secretKey) == 0
      else {
        throw ZeroMQError(
          code: .invalidArgument, operation: "read a CURVE secret key (need 40 Z85 characters)")
      }
      self.init(publicKey: String(z85: publicKey), secretKey: secretKey)
    }

    public init(publicKey: String, secretKey: String) {
      self.publicKey = publicKey
      self.secretKey = secretKey
    }
  }

  /// ZeroMQ's Base85 text encoding (RFC 32/Z85): 4 bytes become 5 printable characters.
  public enum Z85 {
    /// Encodes `bytes`, whose count must be a multiple of 4.
    public static func encode(_ bytes: [UInt8]) throws(ZeroMQError) -> String {
      guard bytes.count % 4 == 0 else {
        throw ZeroMQError(
          code: .invalidArgument, operation: "Z85-encode \(bytes.count) bytes (not a multiple of 4)"
        )
      }
      var text = [CChar](repeating: 0, count: bytes.count / 4 * 5 + 1)
      guard zmq_z85_encode(&text, bytes, bytes.count) != nil else {
        throw ZeroMQError(operation: "Z85-encode \(bytes.count) bytes")
      }
      return String(z85: text)
    }

    /// Decodes `text`: a multiple of 5 characters of the Z85 alphabet, each group of 5 at most
    /// 2³² - 1.
    public static func decode(_ text: String) throws(ZeroMQError) -> [UInt8] {
      let length = text.utf8.count
      // libzmq encodes no bytes as "" but refuses to decode "".
      if length == 0 { return [] }
      var bytes = [UInt8](repeating: 0, count: length / 5 * 4)
      guard length % 5 == 0, zmq_z85_decode(&bytes, text) != nil else {
        throw ZeroMQError(
          code: .invalidArgument,
          operation: "Z85-decode \(length) characters (need a multiple of 5, all Z85)")
      }
      return bytes
    }
  }
}

extension String {
  /// The text libzmq wrote into a NUL-terminated buffer: Z85, hence ASCII.
  fileprivate init(z85 characters: [CChar]) {
    self.init(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
