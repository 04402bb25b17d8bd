import CZeroMQ
import Foundation

extension ZeroMQ {
  /// A multipart message: frames that libzmq delivers together, all or none.
  ///
  /// A ROUTER receives each message with the sender's routing id as the first frame and routes
  /// what it sends by that first frame:
  ///
  /// ```swift
  /// guard let request = try router.receiveMessage(), request.frames.count == 2 else { … }
  /// let reply = handle(request.frames[1])
  /// try router.send(Message([request.frames[0], reply]))
  /// ```
  public struct Message: Hashable, Sendable {
    public var frames: [Data]

    public init(_ frames: [Data]) {
      self.frames = frames
    }
  }

  /// How a send behaves.
  public struct SendFlags: OptionSet, Hashable, Sendable {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Return `false` instead of waiting when the message cannot be queued now.
    public static let dontWait = SendFlags(rawValue: ZMQ_DONTWAIT)
    /// More frames of this message follow in later sends.
    public static let more = SendFlags(rawValue: ZMQ_SNDMORE)
  }

  /// How a receive behaves.
  public struct ReceiveFlags: OptionSet, Hashable, Sendable {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Return `nil` instead of waiting when no message is queued.
    public static let dontWait = ReceiveFlags(rawValue: ZMQ_DONTWAIT)
  }
}
