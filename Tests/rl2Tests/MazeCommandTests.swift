import Foundation
import XCTest

/// `rl2 train --env maze` and `rl2 eval --env maze` end to end with tiny budgets.
final class MazeCommandTests: XCTestCase {
  func run(_ arguments: [String]) throws -> CommandLineTests.Result {
    try CommandLineTests.run(arguments)
  }

  /// 3×3 mazes with 20-step episodes, 2 trials per iteration, a GRU of 8 units.
  static let tinyMaze = [
    "train", "--env", "maze", "--maze-size", "3", "--maze-horizon", "20", "--batch-steps", "80",
    "--iterations", "2", "--hidden", "8", "--actors", "0", "--eval-instances", "3",
    "--threads", "1",
  ]

  func testTrainThenEvaluateATinyMazeRun() throws {
    let runDirectory = try makeTemporaryDirectory().appendingPathComponent("maze")
    let train = try run(Self.tinyMaze + ["--run-dir", runDirectory.path])
    XCTAssertEqual(train.status, 0, train.standardError)
    XCTAssertTrue(train.standardOutput.contains("iter 2/2"), train.standardOutput)
    XCTAssertTrue(train.standardOutput.contains("success"), "the evaluation line shows Table 3")
    let progress = try String(
      contentsOf: runDirectory.appendingPathComponent("progress.csv"), encoding: .utf8)
    XCTAssertTrue(progress.contains("success_rate_1"), "progress.csv has per-episode success")
    XCTAssertTrue(progress.contains("value_fit_kl"), "progress.csv has the value fit's KL")
    let checkpoints = try FileManager.default.contentsOfDirectory(
      atPath: runDirectory.appendingPathComponent("checkpoints").path)
    let checkpoint = try XCTUnwrap(checkpoints.sorted().last)
    let path = runDirectory.appendingPathComponent("checkpoints").appendingPathComponent(checkpoint)
    let eval = try run([
      "eval", "--env", "maze", "--checkpoint", path.path, "--episodes", "3", "--instances", "4",
      "--json", "--threads", "1",
    ])
    XCTAssertEqual(eval.status, 0, eval.standardError)
    let object = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: Data(eval.standardOutput.utf8)) as? [String: Any])
    for key in ["success_rate", "mean_length", "mean_length_stderr"] {
      XCTAssertEqual((object[key] as? [Double])?.count, 3, "\(key) has one entry per episode")
    }
    XCTAssertTrue(object.keys.contains("improved_share"))
    XCTAssertEqual(object["instances"] as? Int, 4)
    let text = try run(["eval", "--checkpoint", path.path, "--instances", "2", "--threads", "1"])
    XCTAssertEqual(text.status, 0, text.standardError)
    XCTAssertTrue(text.standardOutput.contains("episode  success"), text.standardOutput)
    let pictures = runDirectory.appendingPathComponent("pictures")
    let render = try run([
      "render", "--checkpoint", path.path, "--maze-size", "5", "--maze-seed", "2", "--set", "test",
      "--frames", "1", "--out", pictures.path,
    ])
    XCTAssertEqual(render.status, 0, render.standardError)
    let map = try Data(contentsOf: pictures.appendingPathComponent("map.png"))
    XCTAssertEqual(Array(map.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "map.png is a PNG")
    let wrong = try run(["eval", "--env", "bandit", "--checkpoint", path.path])
    XCTAssertNotEqual(wrong.status, 0)
    XCTAssertTrue(wrong.standardError.contains("maze run"), wrong.standardError)
  }

  /// The default distributed maze run: learner, an in-process coordinator, 2 actor processes
  /// whose batches play the training configurations the coordinator leases them.
  func testActorsLeaseTheirTrainingConfigurationsFromTheCoordinator() throws {
    let runDirectory = try makeTemporaryDirectory().appendingPathComponent("maze-actors")
    let result = try run([
      "train", "--env", "maze", "--maze-size", "3", "--maze-horizon", "20", "--batch-steps",
      "80", "--iterations", "2", "--hidden", "8", "--actors", "2", "--eval-instances", "0",
      "--threads", "1", "--run-dir", runDirectory.path,
    ])
    XCTAssertEqual(result.status, 0, result.standardError)
    let line = try XCTUnwrap(
      result.standardOutput.split(separator: "\n").first { $0.contains("training leases granted") },
      result.standardOutput)
    let granted = Int(line.split(separator: " ")[1]) ?? 0
    XCTAssertGreaterThanOrEqual(granted, 2, String(line))
    XCTAssertTrue(result.standardOutput.contains("iter 2/2"), result.standardOutput)
  }

  /// The proof of the coordinator's bookkeeping with real processes: a sweep over 160 test
  /// configurations, one of its two workers SIGKILLed half-way, still evaluates every
  /// configuration exactly once, with exactly the figures of the one-process evaluation.
  func testASweepWithAWorkerKilledHalfWayEvaluatesEveryConfigurationOnce() throws {
    let (checkpoint, evaluation, expected) = try sweepFixture(
      in: try makeTemporaryDirectory())

    let coordinator = try RunningProcess([
      "coordinator", "--endpoint", "tcp://127.0.0.1:0", "--test-configurations", "160",
      "--lease-size", "2", "--lease-timeout", "3", "--actor-timeout", "1",
    ])
    addTeardownBlock { coordinator.kill() }
    let endpoint = try listeningEndpoint(of: coordinator)
    let workers = try startEvaluationWorkers(["victim", "survivor"], endpoint, checkpoint)
    let sweep = try RunningProcess(["eval", "--coordinator", endpoint] + evaluation)
    addTeardownBlock { sweep.kill() }
    _ = try sweep.waitForLine(containing: "/160 configurations evaluated", timeout: 60)
    _ = try coordinator.waitForLine(containing: "sweep 1: 32/160", timeout: 60)
    workers[0].kill()
    XCTAssertEqual(sweep.waitForExit(timeout: 120), 0, sweep.output)
    let swept = try assertSweepFigures(of: sweep, equal: expected)
    XCTAssertEqual(swept["duplicates"] as? Int, 0)
    XCTAssertTrue(coordinator.output.contains("victim"), "the coordinator saw the victim")
    XCTAssertTrue(coordinator.output.contains("lost"), coordinator.output)
  }

  /// A one-iteration tiny maze checkpoint, the `rl2 eval` flags of a 160-configuration,
  /// 3-episode evaluation of it, and that evaluation's JSON figures from one process.
  func sweepFixture(in directory: URL) throws -> (
    checkpoint: String, evaluation: [String], expected: [String: Any]
  ) {
    let runDirectory = directory.appendingPathComponent("maze")
    let train = try run(Self.tinyMaze + ["--iterations", "1", "--run-dir", runDirectory.path])
    XCTAssertEqual(train.status, 0, train.standardError)
    let checkpoints = runDirectory.appendingPathComponent("checkpoints")
    let name = try XCTUnwrap(
      try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).last)
    let checkpoint = checkpoints.appendingPathComponent(name).path
    let evaluation = [
      "--checkpoint", checkpoint, "--instances", "160", "--episodes", "3", "--json",
    ]
    let local = try run(["eval", "--threads", "1"] + evaluation)
    XCTAssertEqual(local.status, 0, local.standardError)
    let expected = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: Data(local.standardOutput.utf8)) as? [String: Any])
    return (checkpoint, evaluation, expected)
  }

  /// The endpoint a coordinator announces once it listens.
  func listeningEndpoint(of coordinator: RunningProcess) throws -> String {
    let line = try coordinator.waitForLine(containing: "coordinator listening on ", timeout: 30)
    return try XCTUnwrap(
      line.split(separator: " ").first { $0.hasPrefix("tcp://") }.map { String($0.dropLast()) },
      line)
  }

  /// `rl2 eval-worker` processes with leases of 2, killed at teardown.
  func startEvaluationWorkers(_ ids: [String], _ endpoint: String, _ checkpoint: String) throws
    -> [RunningProcess]
  {
    let workers = try ids.map { id in
      try RunningProcess([
        "eval-worker", "--coordinator", endpoint, "--checkpoint", checkpoint, "--lease-size", "2",
        "--actor-id", id,
      ])
    }
    addTeardownBlock { for worker in workers { worker.kill() } }
    return workers
  }

  /// The sweep's JSON: all 160 configurations, with exactly the one-process figures.
  @discardableResult
  func assertSweepFigures(of sweep: RunningProcess, equal expected: [String: Any]) throws
    -> [String: Any]
  {
    let json = try XCTUnwrap(sweep.output.split(separator: "\n").last { $0.hasPrefix("{") })
    let swept = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    XCTAssertEqual(swept["instances"] as? Int, 160)
    for key in ["success_rate", "mean_length", "mean_length_stderr"] {
      let (a, b) = (swept[key] as? [Double] ?? [], expected[key] as? [Double] ?? [])
      XCTAssertEqual(a.count, 3, key)
      for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-9, key) }
    }
    return swept
  }

  func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "rl2-maze-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
  }
}
