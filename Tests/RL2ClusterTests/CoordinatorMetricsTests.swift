import RL2Envs
import RL2Wire
import XCTest

@testable import RL2Cluster

final class CoordinatorMetricsTests: XCTestCase {
  /// Five configurations of two episodes, worked by hand:
  /// episode 1 succeeds in 0, 1, 2, 4 with lengths 10, 20, 15, 8: mean 13.25, s² = 86.75 / 3,
  /// SE = √(s²/4) = 2.68871; episode 2 succeeds in 0, 1, 3, 4 with lengths 6, 20, 12, 9: mean
  /// 11.75, s² = 108.75 / 3, SE = 3.01040. Both succeed in 0, 1, 4; episode 2 is no longer in
  /// 0 (6 ≤ 10) and 1 (20 ≤ 20), not in 4 (9 > 8): improved share 2/3.
  func testTheTable3FiguresOfAHandWorkedExample() {
    let outcomes = [
      outcome(0, lengths: [10, 6]),
      outcome(1, lengths: [20, 20]),
      outcome(2, lengths: [15, 30], successes: [true, false]),
      outcome(3, lengths: [30, 12], successes: [false, true]),
      outcome(4, lengths: [8, 9]),
    ]
    let metrics = MazeEvaluationMetrics(outcomes.shuffled(), episodesPerTrial: 2)
    XCTAssertEqual(metrics.configurations, 5)
    XCTAssertEqual(metrics.episodes.map(\.successes), [4, 4])
    XCTAssertEqual(metrics.episodes.map(\.successRate), [0.8, 0.8])
    XCTAssertEqual(metrics.episodes[0].meanSuccessfulLength, 13.25, accuracy: 1e-12)
    XCTAssertEqual(metrics.episodes[0].successfulLengthStandardError, 2.688711, accuracy: 1e-6)
    XCTAssertEqual(metrics.episodes[1].meanSuccessfulLength, 11.75, accuracy: 1e-12)
    XCTAssertEqual(metrics.episodes[1].successfulLengthStandardError, 3.010399, accuracy: 1e-6)
    XCTAssertEqual(metrics.improvedBasis, 3)
    XCTAssertEqual(try XCTUnwrap(metrics.improvedShare), 2.0 / 3.0, accuracy: 1e-12)
  }

  func testEdgeCasesHaveDefinedFigures() {
    let none = MazeEvaluationMetrics([], episodesPerTrial: 2)
    XCTAssertEqual(none.episodes.map(\.successRate), [0, 0])
    XCTAssertNil(none.improvedShare)
    let failures = MazeEvaluationMetrics(
      [outcome(0, lengths: [50, 50], successes: [false, false])], episodesPerTrial: 2)
    XCTAssertEqual(failures.episodes[0].meanSuccessfulLength, 0)
    XCTAssertEqual(failures.episodes[0].successfulLengthStandardError, 0)
    XCTAssertNil(failures.improvedShare, "no configuration where both episodes succeeded")
    XCTAssertEqual(failures.improvedBasis, 0)
    let single = MazeEvaluationMetrics(
      [outcome(0, lengths: [7], successes: [true])], episodesPerTrial: 1)
    XCTAssertEqual(single.episodes.count, 1)
    XCTAssertEqual(single.episodes[0].meanSuccessfulLength, 7)
    XCTAssertEqual(single.episodes[0].successfulLengthStandardError, 0, "one value: no spread")
    XCTAssertNil(single.improvedShare, "one episode per trial: nothing to compare")
  }

  func testTheWireReportCarriesTheMetrics() throws {
    var book = LeaseBook(.init(trainingCount: 1, testCount: 2))
    let sweep = try book.startSweep(weightsVersion: 4, episodesPerTrial: 2, horizon: 40, now: 0)
    let lease = try XCTUnwrap(book.grantEvaluationLease(of: 2, to: "a", now: 0))
    _ = try book.record(
      [outcome(0, lengths: [10, 6]), outcome(1, lengths: [8, 9])], lease: lease.id, from: "a",
      now: 2)
    let report = try XCTUnwrap(book.sweep(sweep.id)).report
    XCTAssertEqual(report.stepsPerSecond, 16.5, accuracy: 1e-12, "33 steps in 2 s")
    let decoded = SweepReport(Rl2_V1_SweepReport(report))
    XCTAssertEqual(decoded.metrics, report.metrics)
    XCTAssertEqual(decoded.completed, 2)
    XCTAssertTrue(decoded.isDone)
    XCTAssertTrue(report.summary.contains("improved 0.500 of 2"), report.summary)
  }
}
