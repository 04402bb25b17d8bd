import Foundation
import RL2Envs
import RL2Math
import XCTest

@testable import RL2Baselines

/// The harness: tuning on its own instances, reporting on the fixed set, marking the best.
final class HarnessTests: XCTestCase {
  /// A family whose candidate c earns c + noise per episode, drawn from the instance's stream.
  func family(_ offsets: [Double]) -> BaselineHarness.PlayerFamily {
    BaselineHarness.PlayerFamily(
      key: "fake", title: "Fake",
      candidates: offsets.map { offset in
        (
          "offset = \(offset)",
          { (stream: RandomStream) -> BaselineHarness.Outcome in
            var random = stream.stream("baseline")
            return BaselineHarness.Outcome(
              rewards: (0..<3).map { _ in offset + random.normal() }, oracle: 10)
          }
        )
      })
  }

  func testTheCandidateWithTheBestTuningScoreIsReportedOnTheFixedSet() {
    var options = HarnessOptions()
    options.instances = 200
    options.tuningInstances = 100
    let result = BaselineHarness.run(
      setting: "test", families: [family([0, 2, 1])], options: options, progress: { _ in })
    let method = try! XCTUnwrap(result.method("fake"))
    XCTAssertEqual(method.hyperparameter, "offset = 2.0")
    XCTAssertEqual(method.tuning.count, 3)
    XCTAssertEqual(method.returns.count, 200)
    XCTAssertEqual(method.episodeMeans.count, 3)
    XCTAssertEqual(method.mean, 6, accuracy: 0.5)
    XCTAssertEqual(result.oracleMean, 10)
  }

  func testResultsDoNotDependOnTheNumberOfThreads() {
    var options = HarnessOptions()
    options.instances = 50
    options.tuningInstances = 20
    options.threads = 1
    let one = BaselineHarness.run(
      setting: "test", families: [family([0, 1])], options: options, progress: { _ in })
    options.threads = 3
    let three = BaselineHarness.run(
      setting: "test", families: [family([0, 1])], options: options, progress: { _ in })
    XCTAssertEqual(one.methods.map(\.returns), three.methods.map(\.returns))
  }

  func testTuningAndReportedInstancesAreDisjoint() {
    let tuning = Set(EvaluationSet.tuningStreams(seed: 5, instances: 100).map(\.key))
    let reported = Set(EvaluationSet.streams(seed: 5, instances: 100).map(\.key))
    XCTAssertTrue(tuning.isDisjoint(with: reported))
  }

  func testTheBestAndThoseNotSignificantlyWorseAreMarked() {
    var random = RandomStream(seed: 9)
    func method(_ key: String, _ mean: Double) -> MethodResult {
      MethodResult(
        key: key, title: key, hyperparameter: "none",
        returns: (0..<400).map { _ in mean + random.normal() }, episodeMeans: [])
    }
    var methods = [method("best", 10), method("close", 9.98), method("worse", 9.5)]
    BaselineHarness.markBest(&methods)
    XCTAssertEqual(methods.map(\.isBestOrTied), [true, true, false])
    XCTAssertNil(methods[0].pValueAgainstBest)
    XCTAssertGreaterThan(methods[1].pValueAgainstBest ?? 0, 0.05)
    XCTAssertLessThan(methods[2].pValueAgainstBest ?? 1, 1e-6)
  }

  func testAgreementWithThePaperIsWithinOnePointFivePercentOrThreeStandardErrors() {
    let result = MethodResult(
      key: "ucb1", title: "UCB1", hyperparameter: "none", returns: [100, 102, 98, 100],
      episodeMeans: [])
    XCTAssertTrue(TableRenderer.agrees(result, paper: 101.4), "1.4 % away")
    XCTAssertFalse(TableRenderer.agrees(result, paper: 106), "6 % and more than 3 SE away")
  }
}
