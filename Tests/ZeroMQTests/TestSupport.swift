import Foundation
import XCTest
import ZeroMQ

/// How long a test waits for something that should happen: long enough for a loaded machine,
/// short enough that a lost message fails the test instead of hanging the suite.
let patience: Duration = .seconds(5)

/// How long a test waits for something that should not happen.
let shortWait: Duration = .milliseconds(300)

/// A context whose sockets do not linger, so a test that leaves messages unsent ends at once.
func makeContext() throws -> Context {
  try Context(lingersByDefault: false)
}

extension Socket {
  /// Binds to a free loopback port, so tests never collide on ports, and returns the endpoint.
  func bindToFreeLoopbackPort() throws -> String {
    try bind(to: "tcp://127.0.0.1:*")
    return try XCTUnwrap(lastEndpoint, "no endpoint after binding tcp://127.0.0.1:*")
  }

  /// Receives a frame as text, failing the test after `patience`.
  func receiveText(
    timeout: Duration = patience, file: StaticString = #filePath, line: UInt = #line
  ) throws -> String {
    let frame = try XCTUnwrap(
      receive(timeout: timeout), "nothing arrived within \(timeout)", file: file, line: line)
    return String(decoding: frame, as: UTF8.self)
  }
}

extension Data {
  init(text: String) {
    self.init(text.utf8)
  }

  /// `count` bytes of a pattern that a shifted, truncated or reordered copy would not match: a
  /// block of prime length, so no power-of-two chunking lines up with it, repeated.
  init(patternOfCount count: Int, seed: UInt8 = 0) {
    let block = Data((0..<4093).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) &+ seed })
    self.init(capacity: count)
    while self.count < count {
      append(block.prefix(count - self.count))
    }
  }
}

/// A value handed from another thread to the test, under a lock.
final class Handoff<Value: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var storedValue: Value?

  var value: Value? {
    get { lock.withLock { storedValue } }
    set { lock.withLock { storedValue = newValue } }
  }
}

/// Asserts that `body` throws a ``ZeroMQError`` with `code`, and returns the error.
@discardableResult
func assertThrowsZeroMQError<Result>(
  _ code: ZeroMQError.Code, _ body: @autoclosure () throws -> Result,
  file: StaticString = #filePath, line: UInt = #line
) -> ZeroMQError? {
  do {
    let result = try body()
    XCTFail("expected \(code), got \(result)", file: file, line: line)
  } catch let error as ZeroMQError {
    XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
    return error
  } catch {
    XCTFail("expected a ZeroMQError, got \(error)", file: file, line: line)
  }
  return nil
}
