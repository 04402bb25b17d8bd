import Foundation
import RL2Math
import XCTest

/// The command-line contract, checked by running the built `rl2` binary.
final class CommandLineTests: XCTestCase {
  struct Result {
    let status: Int32
    let standardOutput: String
    let standardError: String
  }

  /// The `rl2` executable built beside this test bundle.
  static var executable: URL {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0])
      .deletingLastPathComponent().appendingPathComponent("rl2")
    if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent(".build/debug/rl2")
  }

  func run(_ arguments: [String]) throws -> Result { try Self.run(arguments) }

  static func run(_ arguments: [String]) throws -> Result {
    let process = Process()
    process.executableURL = Self.executable
    process.arguments = arguments
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus,
      standardOutput: String(decoding: outputData, as: UTF8.self),
      standardError: String(decoding: errorData, as: UTF8.self))
  }

  func testHelpListsSubcommands() throws {
    let result = try run(["--help"])
    XCTAssertEqual(result.status, 0)
    for subcommand in ["train", "eval", "bench"] {
      XCTAssertTrue(
        result.standardOutput.contains(subcommand), "help does not mention \(subcommand)")
    }
  }

  func testBenchNetsJSONHasTheReportedFigures() throws {
    let result = try run([
      "bench", "nets", "--json", "--trials", "4", "--hidden", "8", "--steps", "3",
      "--input-width", "5", "--images", "2", "--gemm-size", "64", "--repetitions", "1",
    ])
    XCTAssertEqual(result.status, 0, result.standardError)
    let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
    let report = try XCTUnwrap(object as? [String: Any], "not a JSON object")
    for key in ["sgemm_gflops", "gru_forward_gflops", "gru_train_gflops", "conv_train_gflops"] {
      let value = try XCTUnwrap(report[key] as? Double, "missing \(key)")
      XCTAssertGreaterThan(value, 0, key)
    }
    // rl2 relaunches itself when OpenBLAS picked kernels narrower than the CPU.
    let kernels = try XCTUnwrap(report["blas_kernels"] as? String, "missing blas_kernels")
    let isa = try XCTUnwrap(report["instruction_set"] as? String, "missing instruction_set")
    XCTAssertNil(BLAS.fittingKernel(for: kernels, instructionSet: isa), "\(kernels) on \(isa)")
  }

  func testUnknownFlagIsRejectedWithItsName() throws {
    let result = try run(["bench", "nets", "--no-such-flag"])
    XCTAssertNotEqual(result.status, 0)
    XCTAssertTrue(result.standardError.contains("--no-such-flag"), result.standardError)
  }

  func testInvalidValueNamesTheFlag() throws {
    let result = try run(["bench", "nets", "--trials", "0"])
    XCTAssertNotEqual(result.status, 0)
    XCTAssertTrue(result.standardError.contains("--trials"), result.standardError)
  }

  /// A fresh temporary folder for a run directory, removed after the test.
  func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "rl2-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
  }

  static let tinyBandit = [
    "train", "--env", "bandit", "--arms", "3", "--episodes", "4", "--batch-steps", "64",
    "--hidden", "6", "--eval-instances", "20", "--checkpoint-interval", "1", "--no-baselines",
  ]

  func dataRows(_ url: URL) throws -> [String] {
    let text = try String(contentsOf: url, encoding: .utf8)
    return Array(text.split(separator: "\n").dropFirst().map(String.init))
  }

  func testTinyTrainingRunWritesTheRunDirectoryAndResumes() throws {
    let runDirectory = try makeTemporaryDirectory().appendingPathComponent("run")
    let first = try run(Self.tinyBandit + ["--iterations", "2", "--run-dir", runDirectory.path])
    XCTAssertEqual(first.status, 0, first.standardError)
    XCTAssertTrue(first.standardOutput.contains("iter 2/2"), first.standardOutput)
    XCTAssertTrue(first.standardOutput.contains("evaluation on 20 test instances"))
    let config = runDirectory.appendingPathComponent("config.json")
    XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(contentsOf: config)))
    XCTAssertEqual(try dataRows(runDirectory.appendingPathComponent("progress.csv")).count, 2)
    let checkpoints = try FileManager.default.contentsOfDirectory(
      atPath: runDirectory.appendingPathComponent("checkpoints").path)
    XCTAssertFalse(checkpoints.isEmpty, "no checkpoint written")
    XCTAssertTrue(
      FileManager.default.fileExists(
        atPath: runDirectory.appendingPathComponent("eval/final.json").path))

    let resumed = try run(
      Self.tinyBandit + ["--iterations", "3", "--run-dir", runDirectory.path, "--resume"])
    XCTAssertEqual(resumed.status, 0, resumed.standardError)
    XCTAssertTrue(resumed.standardOutput.contains("iter 3/3"), resumed.standardOutput)
    XCTAssertFalse(resumed.standardOutput.contains("iter 1/3"), "resume started over")
    XCTAssertEqual(try dataRows(runDirectory.appendingPathComponent("progress.csv")).count, 3)

    // --resume without the run's flags continues it as configured.
    let bare = try run([
      "train", "--run-dir", runDirectory.path, "--resume", "--iterations", "4", "--actors", "0",
      "--no-baselines",
    ])
    XCTAssertEqual(bare.status, 0, bare.standardError)
    XCTAssertTrue(bare.standardOutput.contains("iter 4/4"), bare.standardOutput)
    XCTAssertTrue(bare.standardOutput.contains("bandit-k3-n4"), bare.standardOutput)
    // A flag that would change the run is named with both values.
    let changed = try run(
      Self.tinyBandit + [
        "--hidden", "9", "--iterations", "5", "--run-dir", runDirectory.path, "--resume",
      ])
    XCTAssertNotEqual(changed.status, 0)
    XCTAssertTrue(
      changed.standardError.contains("hidden: run 6, asked 9"), changed.standardError)
  }

  /// `--fork` starts a new run at another run's checkpoint, under its configuration with the run
  /// flags given changed, and refuses what it cannot do by name.
  func testForkStartsANewRunFromACheckpointWithTheFlagsGiven() throws {
    let root = try makeTemporaryDirectory()
    let parent = root.appendingPathComponent("parent")
    let first = try run(
      Self.tinyBandit + [
        "--algo", "first-order", "--iterations", "2", "--eval-instances", "0", "--run-dir",
        parent.path,
      ])
    XCTAssertEqual(first.status, 0, first.standardError)
    let checkpoint = parent.appendingPathComponent("checkpoints/iteration-0000002.checkpoint.json")
    let child = root.appendingPathComponent("child")
    let forked = try run([
      "train", "--fork", checkpoint.path, "--learning-rate", "5e-4", "--iterations", "3",
      "--run-dir", child.path, "--actors", "0", "--no-baselines", "--eval-instances", "0",
    ])
    XCTAssertEqual(forked.status, 0, forked.standardError)
    XCTAssertTrue(forked.standardOutput.contains("iter 3/3"), forked.standardOutput)
    XCTAssertFalse(forked.standardOutput.contains("iter 1/3"), "the fork started over")
    XCTAssertTrue(forked.standardOutput.contains("bandit-k3-n4"), forked.standardOutput)
    let config = try XCTUnwrap(
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: child.appendingPathComponent("config.json"))) as? [String: Any])
    let firstOrder = try XCTUnwrap(config["firstOrder"] as? [String: Any])
    XCTAssertEqual(config["hidden"] as? Int, 6, "the parent's setting")
    XCTAssertEqual(config["algorithm"] as? String, "first-order", "the parent's setting")
    XCTAssertEqual(firstOrder["learningRate"] as? Double, 5e-4, "the flag given")
    let record = try String(
      contentsOf: child.appendingPathComponent("fork.json"), encoding: .utf8)
    XCTAssertTrue(record.contains("firstOrder.learningRate: run 0.001, asked 0.0005"), record)
    XCTAssertEqual(try dataRows(child.appendingPathComponent("progress.csv")).count, 3)

    // Evaluating during training: one row and one line per evaluated iteration.
    let watched = root.appendingPathComponent("watched")
    let watching = try run([
      "train", "--fork", checkpoint.path, "--iterations", "4", "--eval-interval", "1",
      "--eval-instances", "20", "--run-dir", watched.path, "--actors", "0", "--no-baselines",
    ])
    XCTAssertEqual(watching.status, 0, watching.standardError)
    for iteration in 3...4 {
      XCTAssertTrue(
        watching.standardOutput.contains("test set at iteration \(iteration): "),
        watching.standardOutput)
    }
    let evaluations = try dataRows(watched.appendingPathComponent("evaluations.csv"))
    XCTAssertEqual(evaluations.map { $0.prefix { $0 != "," } }, ["3", "4"])

    let refusals: [([String], String)] = [
      (["--fork", checkpoint.path], "--fork needs --run-dir"),
      (
        ["--fork", checkpoint.path, "--run-dir", child.path, "--resume"],
        "give one of them"
      ),
      (
        ["--fork", root.appendingPathComponent("missing.json").path, "--run-dir", child.path],
        "missing.json"
      ),
      (
        [
          "--fork", checkpoint.path, "--hidden", "9", "--run-dir",
          root.appendingPathComponent("wide").path,
        ],
        "not the networks' shape"
      ),
      (["--fork", checkpoint.path, "--run-dir", child.path], "already holds a run"),
    ]
    for (arguments, message) in refusals {
      let refused = try run(["train", "--actors", "0", "--no-baselines"] + arguments)
      XCTAssertNotEqual(refused.status, 0, "\(arguments)")
      XCTAssertTrue(
        refused.standardError.contains(message), "\(arguments): \(refused.standardError)")
    }
  }

  /// With the paper's φ, with --previous-state-input and with --previous-pair-input: the
  /// checkpoint's configuration rebuilds the encoder it was trained with.
  func testFirstOrderOnAnMDPAndEvalOfItsCheckpoint() throws {
    for extra in [[], ["--previous-state-input"], ["--previous-pair-input"]] {
      try trainAndEvaluateTinyMDP(extra)
    }
  }

  func trainAndEvaluateTinyMDP(_ extra: [String]) throws {
    let runDirectory = try makeTemporaryDirectory().appendingPathComponent("mdp")
    let train = try run(
      [
        "train", "--env", "mdp", "--episodes", "2", "--states", "3", "--actions", "2",
        "--horizon", "3", "--algo", "first-order", "--iterations", "1", "--batch-steps", "60",
        "--hidden", "5", "--eval-instances", "0", "--actors", "0", "--run-dir", runDirectory.path,
      ] + extra)
    XCTAssertEqual(train.status, 0, train.standardError)
    let folder = runDirectory.appendingPathComponent("checkpoints")
    let name = try XCTUnwrap(
      try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().last)
    let eval = try run([
      "eval", "--checkpoint", folder.appendingPathComponent(name).path, "--instances", "12",
      "--json",
    ])
    XCTAssertEqual(eval.status, 0, eval.standardError)
    let object = try JSONSerialization.jsonObject(with: Data(eval.standardOutput.utf8))
    let result = try XCTUnwrap(object as? [String: Any])
    XCTAssertEqual(result["instances"] as? Int, 12)
    XCTAssertNotNil(result["mean"] as? Double)
    XCTAssertNotNil(result["stderr"] as? Double)
    XCTAssertEqual((result["episode_means"] as? [Double])?.count, 2)
  }

  func testEvalOfAMissingCheckpointNamesThePath() throws {
    let result = try run(["eval", "--checkpoint", "/nonexistent/ckpt.json"])
    XCTAssertNotEqual(result.status, 0)
    XCTAssertTrue(result.standardError.contains("/nonexistent/ckpt.json"), result.standardError)
  }

  func testTrainRejectsBadFlagsByName() throws {
    for (flags, name) in [
      (["--episodes", "0"], "--episodes"), (["--arms", "1"], "--arms"),
      (["--batch-steps", "0"], "--batch-steps"), (["--actors", "-1"], "--actors"),
      (["--endpoint", "udp://x:1"], "--endpoint"), (["--actor-timeout", "0"], "--actor-timeout"),
      (["--env", "maze", "--maze-size", "1"], "--maze-size"), (["--env", "cave"], "--env"),
      (["--previous-state-input"], "--previous-state-input"),
      (["--previous-pair-input"], "--previous-pair-input"),
      (["--env", "maze", "--value-time-input"], "--value-time-input"),
      (["--eval-interval", "2", "--eval-instances", "0"], "--eval-interval"),
      (["--eval-interval", "-1"], "--eval-interval"),
    ] {
      let result = try run(["train"] + flags)
      XCTAssertNotEqual(result.status, 0, "\(flags) was accepted")
      XCTAssertTrue(result.standardError.contains(name), "\(flags): \(result.standardError)")
    }
  }

  func testInterruptCheckpointsAndTheRunResumes() throws {
    let runDirectory = try makeTemporaryDirectory().appendingPathComponent("interrupted")
    let process = Process()
    process.executableURL = Self.executable
    process.arguments =
      Self.tinyBandit + [
        "--iterations", "100000", "--checkpoint-interval", "1000", "--run-dir", runDirectory.path,
      ]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = Pipe()
    try process.run()
    var text = ""
    let deadline = Date().addingTimeInterval(60)
    while !text.contains("iter 2/"), Date() < deadline {
      text += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
    }
    process.interrupt()
    text += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0, text)
    XCTAssertTrue(text.contains("stopped after iteration"), text)
    let checkpoints = try FileManager.default.contentsOfDirectory(
      atPath: runDirectory.appendingPathComponent("checkpoints").path)
    XCTAssertEqual(checkpoints.count, 1, "the interrupt did not leave exactly one checkpoint")
    for i in 0..<2 {
      let actorLog = try String(
        contentsOf: runDirectory.appendingPathComponent("actors/actor-\(i).log"), encoding: .utf8)
      XCTAssertTrue(actorLog.contains("actor done:"), "actor \(i) did not stop: \(actorLog)")
    }
    let rows = try dataRows(runDirectory.appendingPathComponent("progress.csv")).count
    let resumed = try run(
      Self.tinyBandit + ["--iterations", "\(rows + 1)", "--run-dir", runDirectory.path, "--resume"])
    XCTAssertEqual(resumed.status, 0, resumed.standardError)
    XCTAssertTrue(
      resumed.standardOutput.contains("iter \(rows + 1)/\(rows + 1)"), resumed.standardOutput)
  }
}

/// `rl2 baselines` and `rl2 table`: the JSON contract and the RL² column from checkpoints.
final class BaselineCommandTests: XCTestCase {
  func run(_ arguments: [String]) throws -> CommandLineTests.Result {
    try CommandLineTests.run(arguments)
  }

  func testBaselinesJSONHasEachMethodWithMeanStderrAndHyperparameter() throws {
    let cache = FileManager.default.temporaryDirectory.appendingPathComponent(
      "rl2-cache-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: cache) }
    for (flags, keys) in [
      (
        ["--env", "bandit", "--arms", "3", "--episodes", "5"],
        // Gittins is left out: its discounted tables take minutes in a debug build (its own
        // tests cover it).
        ["random", "ts", "ots", "ucb1", "eps_greedy", "greedy"]
      ),
      (
        ["--env", "mdp", "--episodes", "2", "--states", "3", "--actions", "2", "--horizon", "2"],
        ["random", "psrl", "opsrl", "ucrl2", "beb", "eps_greedy", "greedy"]
      ),
    ] {
      let result = try run(
        ["baselines"] + flags + [
          "--instances", "30", "--tuning-instances", "10", "--json", "--cache", cache.path,
          "--methods", keys.joined(separator: ","),
        ])
      XCTAssertEqual(result.status, 0, result.standardError)
      let object = try XCTUnwrap(
        try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
          as? [String: Any])
      let methods = try XCTUnwrap(object["methods"] as? [String: [String: Any]])
      XCTAssertEqual(Set(methods.keys), Set(keys))
      for (key, method) in methods {
        XCTAssertNotNil(method["mean"] as? Double, key)
        XCTAssertNotNil(method["stderr"] as? Double, key)
        XCTAssertNotNil(method["hyperparameter"] as? String, key)
      }
    }
  }

  func testTableFillsTheRL2ColumnFromCheckpoints() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "rl2-table-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let train = try run([
      "train", "--env", "bandit", "--arms", "5", "--episodes", "10", "--iterations", "1",
      "--batch-steps", "100", "--hidden", "4", "--eval-instances", "0", "--actors", "0",
      "--run-dir", folder.appendingPathComponent("run").path,
    ])
    XCTAssertEqual(train.status, 0, train.standardError)
    let table = try run([
      "table", "bandits", "--settings", "bandit-k5-n10", "--instances", "20",
      "--tuning-instances", "5", "--checkpoints", folder.path, "--methods", "random,ucb1",
      "--cache", folder.appendingPathComponent("cache").path,
    ])
    XCTAssertEqual(table.status, 0, table.standardError)
    let row = try XCTUnwrap(
      table.standardOutput.split(separator: "\n").first { $0.hasPrefix("| n = 10, k = 5") },
      table.standardOutput)
    XCTAssertFalse(row.contains("– (6.7)"), "the RL² cell is empty: \(row)")
    XCTAssertTrue(row.contains("(6.7)"), String(row))
  }

  func testTableRejectsConflictingFormatsAndUnknownMethods() throws {
    let result = try run(["table", "mdps", "--markdown", "--json"])
    XCTAssertNotEqual(result.status, 0)
    XCTAssertTrue(result.standardError.contains("--markdown"), result.standardError)
    let unknown = try run(["baselines", "--methods", "ucb1,ucb9"])
    XCTAssertNotEqual(unknown.status, 0)
    XCTAssertTrue(unknown.standardError.contains("ucb9"), unknown.standardError)
  }
}
