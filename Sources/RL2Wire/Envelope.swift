import Foundation
import SwiftProtobuf

extension Rl2_V1_Envelope {
  /// The protocol version this build speaks.
  public static let currentProtocolVersion = UInt32(
    Rl2_V1_ProtocolVersion.protocolVersion.rawValue)

  /// An envelope of this protocol version around `body`, stamped with the send time.
  public init(_ body: OneOf_Body) {
    self.init()
    protocolVersion = Self.currentProtocolVersion
    sentAtUnixMs = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    self.body = body
  }

  /// The wire bytes. Encoding a proto3 message without required fields cannot fail.
  public var encoded: Data {
    (try? serializedData()) ?? Data()
  }

  /// Decodes `data`, refusing malformed bytes, another protocol version and an empty body.
  public init(decoding data: Data) throws(WireRejection) {
    do {
      try self.init(serializedBytes: data)
    } catch {
      throw WireRejection("malformed envelope (\(data.count) bytes): \(error)")
    }
    guard protocolVersion == Self.currentProtocolVersion else {
      throw WireRejection(
        "protocol version \(protocolVersion), this peer speaks \(Self.currentProtocolVersion)")
    }
    guard body != nil else { throw WireRejection("envelope without a body") }
  }

  /// The name of the body's kind, for logs and rejection reasons.
  public var bodyName: String {
    guard let body else { return "empty" }
    return String(describing: body).prefix { $0 != "(" }.description
  }
}

extension Rl2_V1_Reject {
  public init(_ code: Code, _ reason: String) {
    self.init()
    self.code = code
    self.reason = reason
  }
}
