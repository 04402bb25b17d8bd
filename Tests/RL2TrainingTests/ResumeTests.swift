import Foundation
import RL2Math
import XCTest

@testable import RL2Training

/// A run stopped and resumed ends bit-identical to the same run trained straight through; a run
/// forked from a checkpoint starts exactly at it.
final class ResumeTests: XCTestCase {
  var directory: URL!

  override func setUpWithError() throws {
    directory = try Fixtures.makeTemporaryDirectory()
  }

  override func tearDownWithError() throws {
    try FileManager.default.removeItem(at: directory)
  }

  /// Wall-clock columns of `progress.csv`, the only ones allowed to differ between runs.
  static let timingColumns: Set = [
    "rollout_seconds", "baseline_seconds", "policy_seconds", "value_seconds", "steps_per_second",
  ]

  func makeConfiguration(
    _ algorithm: TrainingConfiguration.Algorithm, iterations: Int
  ) -> TrainingConfiguration {
    var task = TaskSetting(kind: .bandit, episodes: 4)
    task.arms = 3
    var configuration = TrainingConfiguration(task: task)
    configuration.algorithm = algorithm
    configuration.iterations = iterations
    configuration.hidden = 4
    configuration.batchSteps = 64
    configuration.evaluationInstances = 0
    configuration.checkpointInterval = 1
    return configuration
  }

  @discardableResult
  func train(
    _ configuration: TrainingConfiguration, in name: String, resume: Bool
  ) throws -> TrainingSummary {
    try Training.train(
      configuration: configuration, runDirectory: directory.appendingPathComponent(name),
      resume: resume, report: { _ in })
  }

  func newestCheckpoint(in name: String) throws -> Checkpoint {
    let store = RunDirectory(url: directory.appendingPathComponent(name)).checkpoints(kept: 3)
    return try XCTUnwrap(try store.loadNewest(), "no checkpoint in \(name)")
  }

  /// The data rows of `progress.csv` without the timing columns.
  func progressRows(in name: String) throws -> [[String]] {
    let text = try String(
      contentsOf: RunDirectory(url: directory.appendingPathComponent(name)).progressURL,
      encoding: .utf8)
    let lines = text.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    let header = try XCTUnwrap(lines.first, "empty progress.csv in \(name)")
    let kept = header.indices.filter { !Self.timingColumns.contains(header[$0]) }
    XCTAssertEqual(kept.count, header.count - Self.timingColumns.count, "timing columns found")
    return lines.dropFirst().map { row in kept.map { $0 < row.count ? row[$0] : "<missing>" } }
  }

  func assertResumeIsBitIdentical(
    _ algorithm: TrainingConfiguration.Algorithm, file: StaticString = #filePath,
    line: UInt = #line
  ) throws {
    try train(makeConfiguration(algorithm, iterations: 4), in: "straight", resume: false)
    try train(makeConfiguration(algorithm, iterations: 2), in: "resumed", resume: false)
    let summary = try train(
      makeConfiguration(algorithm, iterations: 4), in: "resumed", resume: true)
    XCTAssertEqual(summary.iterations, 4, "iterations after resuming", file: file, line: line)

    let (straight, resumed) = try (
      newestCheckpoint(in: "straight"), newestCheckpoint(in: "resumed")
    )
    let name = algorithm.rawValue
    XCTAssertEqual(resumed.iteration, 4, "\(name): iteration", file: file, line: line)
    assertBitIdentical(
      resumed.policy.values, straight.policy.values, "\(name): policy", file: file, line: line)
    assertBitIdentical(
      resumed.value.values, straight.value.values, "\(name): value", file: file, line: line)
    // Adam's moments are private; their encoding holds their raw bits.
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    XCTAssertEqual(
      try encoder.encode(resumed.policyAdam), try encoder.encode(straight.policyAdam),
      "\(name): policy Adam", file: file, line: line)
    XCTAssertEqual(
      try encoder.encode(resumed.valueAdam), try encoder.encode(straight.valueAdam),
      "\(name): value Adam", file: file, line: line)
    XCTAssertEqual(
      resumed.weightsVersion, straight.weightsVersion, "\(name): weights version", file: file,
      line: line)
    XCTAssertEqual(
      resumed.environmentSteps, straight.environmentSteps, "\(name): steps", file: file, line: line)
    XCTAssertEqual(
      resumed.returnMean.bitPattern, straight.returnMean.bitPattern, "\(name): return mean",
      file: file, line: line)
    XCTAssertEqual(
      resumed.returnScale.bitPattern, straight.returnScale.bitPattern, "\(name): return scale",
      file: file, line: line)
    XCTAssertEqual(
      resumed.configuration, straight.configuration, "\(name): configuration", file: file,
      line: line)

    let (straightRows, resumedRows) = try (
      progressRows(in: "straight"), progressRows(in: "resumed")
    )
    XCTAssertEqual(
      straightRows.count, 4, "\(name): rows of the straight run", file: file, line: line)
    XCTAssertEqual(resumedRows, straightRows, "\(name): progress.csv rows", file: file, line: line)
  }

  func fork(
    _ configuration: TrainingConfiguration, from parent: String, into name: String
  ) throws -> TrainingSummary {
    let store = RunDirectory(url: directory.appendingPathComponent(parent)).checkpoints(kept: 3)
    let url = try XCTUnwrap(store.files().last, "no checkpoint in \(parent)")
    return try Training.train(
      configuration: configuration, runDirectory: directory.appendingPathComponent(name),
      resume: false, fork: try RunFork(url: url), report: { _ in })
  }

  func forkRecord(in name: String) throws -> ForkRecord {
    let url = RunDirectory(url: directory.appendingPathComponent(name)).forkURL
    return try JSONDecoder().decode(ForkRecord.self, from: Data(contentsOf: url))
  }

  /// A fork that changes nothing but the length of the run is the run continued: bit-identical
  /// to training straight through, with the parent's progress and evaluation rows carried over.
  func testAForkUnderTheSameSettingsContinuesBitIdentically() throws {
    let watched = { (iterations: Int) in
      var configuration = self.makeConfiguration(.firstOrder, iterations: iterations)
      configuration.evaluationInstances = 10
      configuration.evaluationInterval = 1
      return configuration
    }
    try train(watched(4), in: "straight", resume: false)
    try train(watched(2), in: "parent", resume: false)
    let summary = try fork(watched(4), from: "parent", into: "fork")
    XCTAssertEqual(summary.iterations, 4)
    XCTAssertEqual(try evaluationRows(in: "fork"), try evaluationRows(in: "straight"))
    let (straight, forked) = try (newestCheckpoint(in: "straight"), newestCheckpoint(in: "fork"))
    assertBitIdentical(forked.policy.values, straight.policy.values, "policy")
    assertBitIdentical(forked.value.values, straight.value.values, "value")
    XCTAssertEqual(forked.weightsVersion, straight.weightsVersion, "weights version")
    XCTAssertEqual(try progressRows(in: "fork"), try progressRows(in: "straight"), "progress rows")
    let record = try forkRecord(in: "fork")
    XCTAssertEqual(record.iteration, 2)
    XCTAssertEqual(record.environmentSteps, try newestCheckpoint(in: "parent").environmentSteps)
    XCTAssertTrue(record.checkpoint.hasSuffix("iteration-0000002.checkpoint.json"))
    XCTAssertEqual(record.changes, [], "the run's length is not a change of its trajectory")
  }

  /// A fork at another learning rate starts from the parent's networks and Adam moments and
  /// steps at its own rate; it is recorded, and the fork itself resumes like any run.
  func testAForkTrainsAtItsOwnLearningRateFromTheParentsState() throws {
    try train(makeConfiguration(.firstOrder, iterations: 4), in: "straight", resume: false)
    try train(makeConfiguration(.firstOrder, iterations: 2), in: "parent", resume: false)
    var slower = makeConfiguration(.firstOrder, iterations: 2)
    slower.firstOrder.learningRate = 5e-4
    slower.value.learningRate = 2e-4
    // Iterations 2 of 2: the fork only records its start.
    try fork(slower, from: "parent", into: "fork")
    let (parent, start) = try (newestCheckpoint(in: "parent"), newestCheckpoint(in: "fork"))
    XCTAssertEqual(start.iteration, 2)
    assertBitIdentical(start.policy.values, parent.policy.values, "policy at the fork")
    assertBitIdentical(start.value.values, parent.value.values, "value at the fork")
    XCTAssertEqual(start.policyAdam.learningRate, 5e-4)
    XCTAssertEqual(start.valueAdam.learningRate, 2e-4)
    var moments = start.policyAdam
    moments.learningRate = parent.policyAdam.learningRate
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    XCTAssertEqual(
      try encoder.encode(moments), try encoder.encode(parent.policyAdam), "Adam moments kept")
    XCTAssertEqual(start.configuration.firstOrder.learningRate, 5e-4)
    XCTAssertEqual(
      try forkRecord(in: "fork").changes,
      [
        "firstOrder.learningRate: run 0.001, asked 0.0005",
        "value.learningRate: run 0.001, asked 0.0002",
      ])

    slower.iterations = 4
    let summary = try train(slower, in: "fork", resume: true)
    XCTAssertEqual(summary.iterations, 4)
    let (straight, forked) = try (newestCheckpoint(in: "straight"), newestCheckpoint(in: "fork"))
    XCTAssertNotEqual(forked.policy.values, straight.policy.values, "the rate made no difference")
    XCTAssertEqual(forked.policyAdam.learningRate, 5e-4)
    XCTAssertEqual(try progressRows(in: "fork").map { $0.first ?? "" }, ["1", "2", "3", "4"])
  }

  func testAForkRefusesAnotherNetworkShapeAResumeAndAnOccupiedFolder() throws {
    try train(makeConfiguration(.firstOrder, iterations: 2), in: "parent", resume: false)
    var wider = makeConfiguration(.firstOrder, iterations: 3)
    wider.hidden = 5
    XCTAssertThrowsError(try fork(wider, from: "parent", into: "wider")) { error in
      XCTAssertTrue("\(error)".contains("not the networks' shape"), "\(error)")
    }
    let store = RunDirectory(url: directory.appendingPathComponent("parent")).checkpoints(kept: 3)
    let url = try XCTUnwrap(store.files().last)
    XCTAssertThrowsError(
      try Training.train(
        configuration: makeConfiguration(.firstOrder, iterations: 3),
        runDirectory: directory.appendingPathComponent("both"), resume: true,
        fork: try RunFork(url: url), report: { _ in })
    ) { error in XCTAssertTrue("\(error)".contains("give one of them"), "\(error)") }
    XCTAssertFalse(
      FileManager.default.fileExists(atPath: directory.appendingPathComponent("both").path),
      "a refused fork left a folder behind")
    XCTAssertThrowsError(
      try fork(makeConfiguration(.firstOrder, iterations: 3), from: "parent", into: "parent")
    ) { error in XCTAssertTrue("\(error)".contains("already holds a run"), "\(error)") }
    XCTAssertEqual(try newestCheckpoint(in: "parent").iteration, 2, "the parent was touched")
  }

  /// The data rows of `evaluations.csv`.
  func evaluationRows(in name: String) throws -> [[String]] {
    let url = RunDirectory(url: directory.appendingPathComponent(name)).evaluationsURL
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
    XCTAssertEqual(
      lines.first.map(String.init),
      (ProgressLog.evaluationColumns + (1...4).map { "return_episode_\($0)" }).joined(
        separator: ","))
    return lines.dropFirst().map { $0.split(separator: ",").map(String.init) }
  }

  /// Evaluating during training writes the test-set figures of the iteration's policy and leaves
  /// the run's own trajectory untouched; a resumed run keeps one row per evaluated iteration.
  func testEvaluationsDuringTrainingDoNotChangeTheRunAndResume() throws {
    var watched = makeConfiguration(.firstOrder, iterations: 4)
    watched.evaluationInstances = 30
    watched.evaluationInterval = 2
    try train(makeConfiguration(.firstOrder, iterations: 4), in: "plain", resume: false)
    try train(watched, in: "watched", resume: false)
    let (plain, checkpoint) = try (newestCheckpoint(in: "plain"), newestCheckpoint(in: "watched"))
    assertBitIdentical(checkpoint.policy.values, plain.policy.values, "policy")
    XCTAssertEqual(try progressRows(in: "watched"), try progressRows(in: "plain"))

    let rows = try evaluationRows(in: "watched")
    XCTAssertEqual(rows.map { $0[0] }, ["2", "4"], "evaluated iterations")
    let final = try Training.evaluate(
      checkpoint: try XCTUnwrap(
        RunDirectory(url: directory.appendingPathComponent("watched")).checkpoints(kept: 3)
          .files().last),
      instances: 30, seed: watched.evaluationSeed)
    XCTAssertEqual(try XCTUnwrap(Double(rows[1][2])), final.mean, accuracy: 1e-4, "mean")
    XCTAssertEqual(try XCTUnwrap(Double(rows[1][3])), final.stderr, accuracy: 1e-4, "stderr")
    XCTAssertEqual(rows[1][1], "\(checkpoint.environmentSteps)", "steps")

    // Stopped after iteration 3 without its checkpoint: iteration 2's row stays, 4 comes once.
    var short = watched
    short.iterations = 3
    try train(short, in: "resumed", resume: false)
    let store = RunDirectory(url: directory.appendingPathComponent("resumed")).checkpoints(kept: 3)
    try FileManager.default.removeItem(at: try XCTUnwrap(store.files().last))
    var extra = try evaluationRows(in: "resumed")
    XCTAssertEqual(extra.map { $0[0] }, ["2"])
    try train(watched, in: "resumed", resume: true)
    extra = try evaluationRows(in: "resumed")
    XCTAssertEqual(extra, rows, "rows of the resumed run")
  }

  func testTRPOResumeIsBitIdentical() throws {
    try assertResumeIsBitIdentical(.trpo)
  }

  func testFirstOrderResumeIsBitIdentical() throws {
    try assertResumeIsBitIdentical(.firstOrder)
  }

  /// A run killed between checkpoints has logged iterations its newest checkpoint does not hold;
  /// resuming repeats them, and `progress.csv` must then hold each iteration once, as in a run
  /// that was never interrupted.
  func testResumeAfterAnInterruptionKeepsOneRowPerIteration() throws {
    var configuration = makeConfiguration(.trpo, iterations: 4)
    configuration.checkpointInterval = 2
    try train(configuration, in: "straight", resume: false)
    var interrupted = configuration
    interrupted.iterations = 3
    try train(interrupted, in: "resumed", resume: false)
    // Killed after logging iteration 3 and before checkpointing it (the last iteration of a run
    // always checkpoints, so that checkpoint is removed by hand).
    let store = RunDirectory(url: directory.appendingPathComponent("resumed")).checkpoints(kept: 3)
    try FileManager.default.removeItem(at: try XCTUnwrap(store.files().last))
    XCTAssertEqual(try newestCheckpoint(in: "resumed").iteration, 2, "newest checkpoint left")
    try train(configuration, in: "resumed", resume: true)

    let rows = try progressRows(in: "resumed")
    XCTAssertEqual(rows.map { $0.first ?? "" }, ["1", "2", "3", "4"], "iteration column")
    // Iteration 3 had used (and, with actors, broadcast) version 2 before the crash; the
    // repeat uses version 3, so no version number means two different sets of weights.
    XCTAssertEqual(rows.map { $0[1] }, ["1", "2", "4", "5"], "weights versions stay monotonic")
    let withoutVersions = { (rows: [[String]]) in
      rows.map { row in row.enumerated().filter { $0.offset != 1 }.map(\.element) }
    }
    XCTAssertEqual(
      withoutVersions(rows), withoutVersions(try progressRows(in: "straight")),
      "progress.csv rows")
  }

  /// Training afresh (no resume) into a folder that already holds a run must either refuse, with
  /// the old run intact, or replace it: never mix the two, where the old run's later checkpoints
  /// would outrank (and prune) the new run's.
  func testFreshRunInAFolderWithARunDoesNotMixTheTwo() throws {
    try train(makeConfiguration(.trpo, iterations: 5), in: "run", resume: false)
    var fresh = makeConfiguration(.trpo, iterations: 2)
    fresh.seed = 2
    do {
      try train(fresh, in: "run", resume: false)
    } catch {
      XCTAssertEqual(
        try newestCheckpoint(in: "run").iteration, 5, "old run after a refused fresh run: \(error)")
      return
    }
    let newest = try newestCheckpoint(in: "run")
    XCTAssertEqual(newest.iteration, 2, "iteration of the newest checkpoint after the fresh run")
    XCTAssertEqual(newest.configuration.seed, 2, "seed of the newest checkpoint")
    XCTAssertEqual(try progressRows(in: "run").count, 2, "rows of progress.csv")
  }

  func testResumingWithAnotherConfigurationIsAMismatch() throws {
    try train(makeConfiguration(.trpo, iterations: 1), in: "run", resume: false)
    var other = makeConfiguration(.trpo, iterations: 2)
    other.hidden = 5
    XCTAssertThrowsError(try train(other, in: "run", resume: true)) { error in
      guard case CheckpointError.mismatch = error else {
        return XCTFail("expected CheckpointError.mismatch, got \(error)")
      }
    }
    XCTAssertEqual(try newestCheckpoint(in: "run").iteration, 1, "checkpoint after the refusal")
  }

  func testResumingFromATruncatedCheckpointIsMalformed() throws {
    try train(makeConfiguration(.trpo, iterations: 1), in: "run", resume: false)
    let store = RunDirectory(url: directory.appendingPathComponent("run")).checkpoints(kept: 3)
    let url = try XCTUnwrap(store.files().last)
    let data = try Data(contentsOf: url)
    try data.prefix(data.count - 10).write(to: url)
    XCTAssertThrowsError(
      try train(makeConfiguration(.trpo, iterations: 2), in: "run", resume: true)
    ) { error in
      guard case CheckpointError.malformed(let path, _) = error else {
        return XCTFail("expected CheckpointError.malformed, got \(error)")
      }
      XCTAssertEqual(path, url.path, "path named by the error")
    }
  }
}
