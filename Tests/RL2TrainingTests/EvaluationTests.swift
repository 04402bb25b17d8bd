import RL2Envs
import RL2Math
import RL2Nets
import XCTest

@testable import RL2Training

/// The fixed test sets and the statistics reported on them.
final class EvaluationTests: XCTestCase {
  var setting: TaskSetting {
    var setting = TaskSetting(kind: .bandit, episodes: 4)
    setting.arms = 3
    return setting
  }

  func evaluate(instances: Int, seed: UInt64 = 91) -> EvaluationResult {
    let (policy, parameters, _) = Fixtures.policy(for: Fixtures.bandits, hidden: 3, seed: 92)
    return Evaluation.evaluate(
      policy: policy, parameters: parameters, distribution: Fixtures.bandits, setting: setting,
      seed: seed, instances: instances, encoder: Fixtures.bandits.makeEncoder())
  }

  func testStreamsAreDeterministicAndIndependentOfTheSetSize() {
    let small = EvaluationSet.streams(seed: 5, instances: 3)
    XCTAssertEqual(small, EvaluationSet.streams(seed: 5, instances: 3), "same seed, same set")
    XCTAssertEqual(
      Array(EvaluationSet.streams(seed: 5, instances: 10).prefix(3)), small,
      "the first 3 instances of a set of 10")
    XCTAssertEqual(Set(small.map(\.key)).count, 3, "distinct instances")
    XCTAssertNotEqual(EvaluationSet.streams(seed: 6, instances: 3), small, "another seed")
  }

  func testStatisticsAreConsistentWithTheReturns() {
    let result = evaluate(instances: 12)
    XCTAssertEqual(result.instances, 12, "instances")
    XCTAssertEqual(result.returns.count, 12, "returns")
    XCTAssertEqual(result.setting, "bandit-k3-n4", "setting")
    let n = Double(result.returns.count)
    let mean = result.returns.reduce(0, +) / n
    let variance = result.returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
    XCTAssertEqual(result.mean, mean, accuracy: 1e-12, "mean")
    XCTAssertEqual(result.stderr, (variance / n).squareRoot(), accuracy: 1e-12, "standard error")
    XCTAssertEqual(result.episodeMeans.count, 4, "episode means")
    XCTAssertEqual(
      result.episodeMeans.reduce(0, +), result.mean, accuracy: 1e-12, "Σ episode means")
    XCTAssertTrue(result.returns.allSatisfy { (0...4).contains($0) }, "returns of 4 pulls")
    XCTAssertGreaterThan(result.optimalMean, 0, "oracle mean")
    XCTAssertLessThanOrEqual(result.optimalMean, 4, "oracle mean")
    XCTAssertEqual(evaluate(instances: 1).stderr, 0, "standard error of one instance")
  }

  func testInstancesDoNotDependOnTheSetSize() {
    let (small, large) = (evaluate(instances: 4), evaluate(instances: 9))
    XCTAssertEqual(Array(large.returns.prefix(4)), small.returns, "returns of the first instances")
    XCTAssertEqual(evaluate(instances: 4), small, "a second evaluation")
    XCTAssertNotEqual(evaluate(instances: 9, seed: 93).returns, large.returns, "another seed")
  }
}
