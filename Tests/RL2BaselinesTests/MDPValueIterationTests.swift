import RL2Baselines
import RL2Envs
import RL2Math
import XCTest

/// Finite-horizon value iteration and the greedy policy of its Q table.
final class MDPValueIterationTests: XCTestCase {
  /// S = 2, A = 2, H = 3 (64 policies) and S = 3, A = 2, H = 2 (64 policies), 20 models each.
  func testValuesAreTheBestOfEveryDeterministicNonStationaryPolicy() {
    var random = RandomStream(seed: 11)
    for (S, A, H) in [(2, 2, 3), (3, 2, 2)] {
      for trial in 0..<20 {
        let model = MDPFixtures.randomModel(stateCount: S, actionCount: A, random: &random)
        let table = ValueIteration.qTable(for: model, horizon: H)
        let planned = (0..<S).map { table.value(step: 0, state: $0) }
        MDPFixtures.assertClose(
          planned, MDPFixtures.optimalValuesByEnumeration(of: model, horizon: H),
          tolerance: 1e-12, "V_0 of S = \(S), A = \(A), H = \(H), model \(trial)")
        let greedy = MDPFixtures.greedyPolicy(of: table)
        let achieved = (0..<S).map {
          MDPFixtures.expectedReturn(of: greedy, in: model, horizon: H, from: $0)
        }
        MDPFixtures.assertClose(
          achieved, planned, tolerance: 1e-12, "return of the greedy policy, model \(trial)")
      }
    }
  }

  func testAgreesWithTheEnvironmentsOwnOptimalValues() {
    let mdp = MDPFixtures.randomMDP(states: 10, actions: 5, horizon: 10, seed: 3)
    let model = MDPModel(
      stateCount: 10, actionCount: 5, transitions: mdp.transitions, meanRewards: mdp.meanRewards)
    let table = ValueIteration.qTable(for: model, horizon: 10)
    let oracle = mdp.optimalValues().values
    for t in 0..<10 {
      MDPFixtures.assertClose(
        (0..<10).map { table.value(step: t, state: $0) }, oracle[t], tolerance: 1e-12,
        "V_\(t)")
    }
    XCTAssertEqual(table.value(step: 0, state: 0), mdp.optimalEpisodeReturn, accuracy: 1e-12)
  }

  func testLastStepValuesAreTheMeanRewards() {
    var random = RandomStream(seed: 5)
    let model = MDPFixtures.randomModel(stateCount: 3, actionCount: 4, random: &random)
    let table = ValueIteration.qTable(for: model, horizon: 6)
    XCTAssertEqual(Array(table.values[(5 * 12)..<(6 * 12)]), model.meanRewards)
  }

  func testGreedyActionsBreakExactTiesUniformlyAndDrawNothingWithoutATie() {
    let table = QTable(horizon: 1, stateCount: 2, actionCount: 4, values: [1, 3, 3, 2, 0, 5, 1, 2])
    var random = RandomStream(seed: 8)
    var counts = [0, 0, 0, 0]
    for _ in 0..<2000 { counts[table.greedyAction(step: 0, state: 0, random: &random)] += 1 }
    XCTAssertEqual(counts[0] + counts[3], 0, "only the tied maximizers 1 and 2 may be chosen")
    XCTAssertEqual(Double(counts[1]), 1000, accuracy: 4 * 22.4, "a fair coin between 1 and 2")
    let before = random
    XCTAssertEqual(table.greedyAction(step: 0, state: 1, random: &random), 1)
    XCTAssertEqual(random, before, "an untied choice must not draw from the stream")
  }

  func testTheEnvelopeIsTheElementwiseMaximum() {
    var a = QTable(horizon: 1, stateCount: 1, actionCount: 3, values: [1, 5, -2])
    a.formEnvelope(with: QTable(horizon: 1, stateCount: 1, actionCount: 3, values: [2, 4, -3]))
    XCTAssertEqual(a.values, [2, 5, -2])
  }
}
