import Foundation

/// A TCP peer that speaks just enough ZMTP 3.0 (NULL mechanism, as a DEALER) to send one frame
/// header of its choosing — to show what a service does with a size it never gets the bytes of.
final class RawZMTPPeer {
  private let descriptor: Int32

  init(port: Int) throws {
    descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else {
      close(descriptor)
      throw CocoaError(.fileReadUnknown)
    }
    var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
    setsockopt(
      descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
  }

  deinit { close(descriptor) }

  /// Greeting and READY, then the header of a message frame declaring `declaredSize` bytes,
  /// followed by only `sentBytes` of them.
  func sendFrameHeader(declaredSize: UInt64, sentBytes: Int) {
    var greeting = [UInt8](repeating: 0, count: 64)
    greeting[0] = 0xFF
    greeting[9] = 0x7F
    greeting[10] = 3
    for (i, byte) in "NULL".utf8.enumerated() { greeting[12 + i] = byte }
    var ready: [UInt8] = [5] + Array("READY".utf8) + [11] + Array("Socket-Type".utf8)
    ready += [0, 0, 0, 6] + Array("DEALER".utf8)
    var bytes = greeting + [0x04, UInt8(ready.count)] + ready
    bytes += [0x02] + withUnsafeBytes(of: declaredSize.bigEndian) { Array($0) }
    bytes += [UInt8](repeating: 0x2A, count: sentBytes)
    _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
  }

  /// Whether the service closed the connection within `seconds` (reading and discarding its
  /// greeting meanwhile).
  func isClosedByPeer(within seconds: Double) -> Bool {
    let deadline = Date(timeIntervalSinceNow: seconds)
    var buffer = [UInt8](repeating: 0, count: 4096)
    while Date() < deadline {
      let count = recv(descriptor, &buffer, buffer.count, 0)
      if count == 0 { return true }
      if count < 0, errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR { return true }
    }
    return false
  }
}
