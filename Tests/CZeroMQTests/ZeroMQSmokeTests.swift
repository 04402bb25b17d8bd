import CZeroMQ
import XCTest

/// The system library links and works: version, then one message over an in-process PAIR.
final class ZeroMQSmokeTests: XCTestCase {
  func testLibraryVersionIsAtLeastFour() {
    var (major, minor, patch): (Int32, Int32, Int32) = (0, 0, 0)
    zmq_version(&major, &minor, &patch)
    XCTAssertGreaterThanOrEqual(major, 4, "libzmq \(major).\(minor).\(patch)")
  }

  func testPairSocketsExchangeAMessageOverInproc() throws {
    let context = try XCTUnwrap(zmq_ctx_new(), "zmq_ctx_new: \(errorDescription())")
    defer { XCTAssertEqual(zmq_ctx_term(context), 0, "zmq_ctx_term: \(errorDescription())") }
    let server = try XCTUnwrap(zmq_socket(context, ZMQ_PAIR), "zmq_socket: \(errorDescription())")
    defer { XCTAssertEqual(zmq_close(server), 0, "zmq_close: \(errorDescription())") }
    let client = try XCTUnwrap(zmq_socket(context, ZMQ_PAIR), "zmq_socket: \(errorDescription())")
    defer { XCTAssertEqual(zmq_close(client), 0, "zmq_close: \(errorDescription())") }

    // Without a timeout a lost message would hang the suite instead of failing it.
    var timeout: Int32 = 2000
    XCTAssertEqual(
      zmq_setsockopt(client, ZMQ_RCVTIMEO, &timeout, MemoryLayout<Int32>.size), 0,
      "zmq_setsockopt: \(errorDescription())")
    XCTAssertEqual(zmq_bind(server, "inproc://smoke"), 0, "zmq_bind: \(errorDescription())")
    XCTAssertEqual(zmq_connect(client, "inproc://smoke"), 0, "zmq_connect: \(errorDescription())")

    let message: [UInt8] = Array("rl2 ✓".utf8) + [0, 255]
    XCTAssertEqual(
      zmq_send(server, message, message.count, 0), Int32(message.count),
      "zmq_send: \(errorDescription())")
    var received = [UInt8](repeating: 0, count: 64)
    let size = zmq_recv(client, &received, received.count, 0)
    XCTAssertEqual(size, Int32(message.count), "zmq_recv: \(errorDescription())")
    XCTAssertEqual(Array(received.prefix(Int(max(size, 0)))), message)
  }

  private func errorDescription() -> String {
    String(cString: zmq_strerror(zmq_errno()))
  }
}
