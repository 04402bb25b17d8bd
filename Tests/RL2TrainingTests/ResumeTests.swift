import Foundation
import RL2Math
import XCTest

@testable import RL2Training

/// A run stopped and resumed ends bit-identical to the same run trained straight through.
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
