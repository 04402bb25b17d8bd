import Foundation
import XCTest
import ZeroMQ

/// Failures name the operation and endpoint, and a context shutdown wakes blocked threads with
/// ETERM so that service loops can exit cleanly.
final class ErrorAndContextTests: XCTestCase {
  func testLibraryVersionIsFourOrLater() {
    XCTAssertGreaterThanOrEqual(ZeroMQ.version, ZeroMQ.Version(major: 4, minor: 0, patch: 0))
    XCTAssertEqual(ZeroMQ.version.description.split(separator: ".").count, 3)
  }

  func testBindingAnInvalidEndpointNamesTheEndpoint() throws {
    let socket = try Socket(context: makeContext(), type: .pull)
    let error = assertThrowsZeroMQError(.invalidArgument, try socket.bind(to: "tcp://no-port"))
    XCTAssertEqual(error?.endpoint, "tcp://no-port")
    XCTAssertTrue(
      error?.description.contains("bind tcp://no-port") ?? false, "\(String(describing: error))")

    assertThrowsZeroMQError(.protocolNotSupported, try socket.connect(to: "carrier-pigeon://loft"))
  }

  func testBindingATakenPortThrowsAddressInUse() throws {
    let context = try makeContext()
    let first = try Socket(context: context, type: .pull)
    let endpoint = try first.bindToFreeLoopbackPort()
    let second = try Socket(context: context, type: .pull)
    let error = assertThrowsZeroMQError(.addressInUse, try second.bind(to: endpoint))
    XCTAssertTrue(error?.description.contains(endpoint) ?? false, "\(String(describing: error))")
  }

  func testClosedSocketsAndEmptyMessagesAreErrorsNotCrashes() throws {
    let socket = try Socket(context: makeContext(), type: .push)
    assertThrowsZeroMQError(.invalidArgument, try socket.send(Message([])))
    socket.close()
    socket.close()
    XCTAssertTrue(socket.isClosed)
    assertThrowsZeroMQError(.notASocket, try socket.send(bytes: Data(text: "late")))
    assertThrowsZeroMQError(.notASocket, try socket.receive(flags: .dontWait))
    assertThrowsZeroMQError(.notASocket, try socket.connect(to: "inproc://anywhere"))
  }

  func testShutdownWakesABlockingReceiveInAnotherThread() throws {
    try assertShutdownInterrupts { socket in _ = try socket.receive() }
  }

  func testShutdownWakesABlockingPollInAnotherThread() throws {
    try assertShutdownInterrupts { socket in
      var poller = Poller()
      poller.register(socket)
      _ = try poller.poll(timeout: nil)
    }
  }

  /// Runs `block` on a socket of its own thread, shuts the context down while it waits, and
  /// checks that it threw ETERM and that new sockets are refused.
  private func assertShutdownInterrupts(
    _ block: @escaping @Sendable (Socket) throws -> Void, file: StaticString = #filePath,
    line: UInt = #line
  ) throws {
    let context = try makeContext()
    let waiting = DispatchSemaphore(value: 0)
    let finished = DispatchSemaphore(value: 0)
    let outcome = Handoff<String>()
    let thread = Thread {
      defer { finished.signal() }
      do {
        let socket = try Socket(context: context, type: .pull)
        try socket.bind(to: "inproc://blocked")
        waiting.signal()
        try block(socket)
        outcome.value = "returned without an error"
      } catch let error as ZeroMQError where error.isContextTerminated {
        outcome.value = "ETERM"
      } catch {
        outcome.value = "\(error)"
      }
    }
    thread.start()
    XCTAssertEqual(waiting.wait(timeout: .now() + 5), .success, file: file, line: line)
    Thread.sleep(forTimeInterval: 0.05)
    context.shutdown()
    XCTAssertEqual(
      finished.wait(timeout: .now() + 5), .success, "still blocked after shutdown", file: file,
      line: line)
    XCTAssertEqual(outcome.value, "ETERM", file: file, line: line)
    assertThrowsZeroMQError(
      .contextTerminated, try Socket(context: context, type: .push), file: file, line: line)
  }
}
