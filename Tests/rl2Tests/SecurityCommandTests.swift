import Foundation
import XCTest

/// `rl2 keygen`, the CURVE flags and the refusal to expose a service without keys, as users
/// run them.
final class SecurityCommandTests: XCTestCase {
  func makeDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("rl2-keygen-\(UUID().uuidString)")
    addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
  }

  func testKeygenWritesTheTwoFilesAndRefusesToOverwriteWithoutForce() throws {
    let directory = try makeDirectory()
    let first = try CommandLineTests.run(["keygen", "--out", directory.path, "--name", "admin"])
    XCTAssertEqual(first.status, 0, first.standardError)
    let secret = directory.appendingPathComponent("admin.key")
    let attributes = try FileManager.default.attributesOfItem(atPath: secret.path)
    XCTAssertEqual(attributes[.posixPermissions] as? Int, 0o600)
    let publicKey = try String(
      contentsOf: directory.appendingPathComponent("admin.pub"), encoding: .utf8)
    XCTAssertEqual(publicKey.split(separator: "\n").last?.count, 40, publicKey)
    let again = try CommandLineTests.run(["keygen", "--out", directory.path, "--name", "admin"])
    XCTAssertNotEqual(again.status, 0)
    XCTAssertTrue(again.standardError.contains("pass --force"), again.standardError)
    let forced = try CommandLineTests.run([
      "keygen", "--out", directory.path, "--name", "admin", "--force",
    ])
    XCTAssertEqual(forced.status, 0, forced.standardError)
    let blocked = try CommandLineTests.run([
      "keygen", "--out", secret.appendingPathComponent("sub").path,
    ])
    XCTAssertNotEqual(blocked.status, 0)
    XCTAssertTrue(blocked.standardError.contains("--out"), blocked.standardError)
  }

  /// A CURVE coordinator answers `rl2 status` with an allowed key, and not with another one.
  func testStatusOfACurveCoordinatorNeedsAnAllowedKey() throws {
    let keys = try makeDirectory()
    for name in ["coordinator", "admin", "stranger"] {
      let made = try CommandLineTests.run(["keygen", "--out", keys.path, "--name", name])
      XCTAssertEqual(made.status, 0, made.standardError)
    }
    let path = { (file: String) in keys.appendingPathComponent(file).path }
    let coordinator = try RunningProcess([
      "coordinator", "--endpoint", "tcp://127.0.0.1:0", "--server-key", path("coordinator.key"),
      "--allowed-keys", path("admin.pub"),
    ])
    addTeardownBlock { coordinator.kill() }
    let line = try coordinator.waitForLine(containing: "coordinator listening on ", timeout: 30)
    let endpoint = try XCTUnwrap(
      line.split(separator: " ").first { $0.hasPrefix("tcp://") }.map { String($0.dropLast()) },
      line)
    let status = { (key: String) in
      try CommandLineTests.run([
        "status", "--coordinator", endpoint, "--timeout", "1", "--client-key", path(key),
        "--server-public-key", path("coordinator.pub"),
      ])
    }
    let allowed = try status("admin.key")
    XCTAssertEqual(allowed.status, 0, allowed.standardError)
    XCTAssertTrue(allowed.standardOutput.contains("coordinator at"), allowed.standardOutput)
    XCTAssertNotEqual(try status("stranger.key").status, 0)
    let plain = try CommandLineTests.run([
      "status", "--coordinator", endpoint, "--timeout", "1",
    ])
    XCTAssertNotEqual(plain.status, 0)
    _ = try coordinator.waitForLine(containing: "is not among the allowed keys", timeout: 10)
    coordinator.interrupt()
    XCTAssertEqual(coordinator.waitForExit(timeout: 10), 0, coordinator.output)
  }

  /// `rl2 eval --coordinator` against a CURVE coordinator: the sweep's own client and the local
  /// workers it starts all authenticate with the key given.
  func testASweepThroughACurveCoordinatorUsesTheClientKey() throws {
    let keys = try makeDirectory()
    for name in ["coordinator", "worker"] {
      let made = try CommandLineTests.run(["keygen", "--out", keys.path, "--name", name])
      XCTAssertEqual(made.status, 0, made.standardError)
    }
    let path = { (file: String) in keys.appendingPathComponent(file).path }
    let runDirectory = keys.appendingPathComponent("maze")
    let train = try CommandLineTests.run(
      MazeCommandTests.tinyMaze + ["--iterations", "1", "--run-dir", runDirectory.path])
    XCTAssertEqual(train.status, 0, train.standardError)
    let checkpoints = runDirectory.appendingPathComponent("checkpoints")
    let name = try XCTUnwrap(
      try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).last)
    let coordinator = try RunningProcess([
      "coordinator", "--endpoint", "tcp://127.0.0.1:0", "--server-key", path("coordinator.key"),
      "--allowed-keys", path("worker.pub"), "--test-configurations", "8",
    ])
    addTeardownBlock { coordinator.kill() }
    let line = try coordinator.waitForLine(containing: "coordinator listening on ", timeout: 30)
    let endpoint = try XCTUnwrap(
      line.split(separator: " ").first { $0.hasPrefix("tcp://") }.map { String($0.dropLast()) })
    let sweep = try CommandLineTests.run([
      "eval", "--checkpoint", checkpoints.appendingPathComponent(name).path, "--instances", "8",
      "--coordinator", endpoint, "--workers", "1", "--client-key", path("worker.key"),
      "--server-public-key", path("coordinator.pub"), "--json",
    ])
    XCTAssertEqual(sweep.status, 0, sweep.standardError + coordinator.output)
    XCTAssertTrue(sweep.standardOutput.contains("\"instances\":8"), sweep.standardOutput)
    XCTAssertFalse(coordinator.output.contains("is not among the allowed keys"))
    let local = try CommandLineTests.run([
      "eval", "--checkpoint", checkpoints.appendingPathComponent(name).path, "--workers", "1",
      "--client-key", path("worker.key"), "--server-public-key", path("coordinator.pub"),
    ])
    XCTAssertNotEqual(local.status, 0)
    XCTAssertTrue(local.standardError.contains("remote --coordinator"), local.standardError)
  }

  func testBindingEveryInterfaceWithoutKeysIsRefusedAndInsecureWarns() throws {
    let refused = try CommandLineTests.run(["coordinator", "--endpoint", "tcp://*:0"])
    XCTAssertNotEqual(refused.status, 0)
    for hint in ["refusing to bind", "--server-key", "--allowed-keys", "--insecure"] {
      XCTAssertTrue(refused.standardError.contains(hint), refused.standardError)
    }
    let insecure = try RunningProcess([
      "coordinator", "--endpoint", "tcp://0.0.0.0:0", "--insecure",
    ])
    addTeardownBlock { insecure.kill() }
    _ = try insecure.waitForLine(containing: "warning: ", timeout: 30)
    _ = try insecure.waitForLine(containing: "coordinator listening on ", timeout: 30)
    insecure.interrupt()
    XCTAssertEqual(insecure.waitForExit(timeout: 10), 0, insecure.output)
    let learner = try CommandLineTests.run([
      "learner", "--endpoint", "tcp://*:0", "--iterations", "1",
    ])
    XCTAssertNotEqual(learner.status, 0)
    XCTAssertTrue(learner.standardError.contains("--insecure"), learner.standardError)
    let halfKeys = try CommandLineTests.run([
      "actor", "--learner", "tcp://h:1", "--client-key", "k",
    ])
    XCTAssertTrue(halfKeys.standardError.contains("--server-public-key"), halfKeys.standardError)
  }

  func testHelpShowsTheSecurityFlags() throws {
    let expected: [String: [String]] = [
      "keygen": ["--out", "--name", "--force"],
      "learner": ["--server-key", "--allowed-keys", "--insecure"],
      "coordinator": ["--server-key", "--allowed-keys", "--insecure"],
      "actor": ["--client-key", "--server-public-key", "--coordinator-public-key"],
      "eval": ["--client-key", "--server-public-key"],
      "eval-worker": ["--client-key", "--server-public-key"],
      "status": ["--client-key", "--server-public-key"],
    ]
    for (command, flags) in expected {
      let help = try CommandLineTests.run([command, "--help"])
      XCTAssertEqual(help.status, 0, help.standardError)
      for flag in flags {
        XCTAssertTrue(help.standardOutput.contains(flag), "\(command) --help lacks \(flag)")
      }
    }
  }
}
