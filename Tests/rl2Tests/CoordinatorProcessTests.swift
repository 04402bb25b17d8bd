import Foundation
import XCTest

/// `rl2 coordinator` and `rl2 status` as users run them.
final class CoordinatorProcessTests: XCTestCase {
  func testStatusJSONOfARunningCoordinatorAndAnExitZeroOnInterrupt() throws {
    let coordinator = try RunningProcess([
      "coordinator", "--endpoint", "tcp://127.0.0.1:0", "--test-configurations", "40",
      "--lease-timeout", "0.5",
    ])
    addTeardownBlock { coordinator.kill() }
    let line = try coordinator.waitForLine(containing: "coordinator listening on ", timeout: 30)
    let endpoint = try XCTUnwrap(
      line.split(separator: " ").first { $0.hasPrefix("tcp://") }.map { String($0.dropLast()) },
      line)
    let result = try CommandLineTests.run(["status", "--coordinator", endpoint, "--json"])
    XCTAssertEqual(result.status, 0, result.standardError)
    let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
    let status = try XCTUnwrap(object as? [String: Any], result.standardOutput)
    XCTAssertEqual(status["role"] as? String, "coordinator")
    XCTAssertEqual(status["endpoint"] as? String, endpoint)
    XCTAssertEqual(status["leases_outstanding"] as? Int, 0)
    XCTAssertEqual(status["sweep_id"] as? Int, 0)
    XCTAssertEqual((status["actors"] as? [Any])?.count, 0)
    let text = try CommandLineTests.run(["status", "--coordinator", endpoint])
    XCTAssertEqual(text.status, 0, text.standardError)
    XCTAssertTrue(text.standardOutput.contains("coordinator at \(endpoint)"), text.standardOutput)
    XCTAssertTrue(text.standardOutput.contains("0 live actors"), text.standardOutput)
    coordinator.interrupt()
    XCTAssertEqual(coordinator.waitForExit(timeout: 10), 0, coordinator.output)
    XCTAssertTrue(coordinator.output.contains("coordinator stopped"), coordinator.output)
  }

  func testStatusWithNobodyThereFailsWithAClearMessage() throws {
    let result = try CommandLineTests.run([
      "status", "--coordinator", "tcp://127.0.0.1:1", "--timeout", "0.3",
    ])
    XCTAssertNotEqual(result.status, 0)
    XCTAssertTrue(
      result.standardError.contains("no answer from tcp://127.0.0.1:1 within 0.3 s"),
      result.standardError)
  }

  func testHelpExplainsEveryFlagAndBadFlagsGetOneClearMessage() throws {
    let help = try CommandLineTests.run(["coordinator", "--help"])
    XCTAssertEqual(help.status, 0)
    for flag in [
      "--endpoint", "--training-configurations", "--test-configurations", "--lease-size",
      "--lease-timeout", "--actor-timeout", "--seed",
    ] {
      XCTAssertTrue(help.standardOutput.contains(flag), "coordinator --help lacks \(flag)")
    }
    let statusHelp = try CommandLineTests.run(["status", "--help"])
    for flag in ["--coordinator", "--learner", "--json", "--timeout"] {
      XCTAssertTrue(statusHelp.standardOutput.contains(flag), "status --help lacks \(flag)")
    }
    let bad: [([String], String)] = [
      (["coordinator", "--lease-size", "0"], "--lease-size must be at least 1"),
      (["coordinator", "--endpoint", "localhost:5600"], "tcp://HOST:PORT"),
      (["coordinator", "--lease-timeout", "-1"], "--lease-timeout"),
      (["status"], "exactly one of --coordinator and --learner"),
      (["status", "--coordinator", "tcp://h:1", "--learner", "tcp://h:2"], "exactly one"),
    ]
    for (arguments, message) in bad {
      let result = try CommandLineTests.run(arguments)
      XCTAssertNotEqual(result.status, 0, "\(arguments) succeeded")
      XCTAssertTrue(result.standardError.contains(message), "\(arguments): \(result.standardError)")
    }
  }
}
