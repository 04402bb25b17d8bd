import RL2Baselines
import RL2Math
import XCTest

/// The Normal–Dirichlet posterior statistics every Bayesian baseline shares.
final class MDPPosteriorTests: XCTestCase {
  /// S = 3, A = 2: (0, 1) paid 2 and 0.5; (1, 0) led to 2, 2 and 0.
  func makePosterior(priorMean: Double) -> MDPPosterior {
    var posterior = MDPPosterior(stateCount: 3, actionCount: 2, priorMean: priorMean)
    posterior.record(state: 0, action: 1, reward: 2, nextState: 1)
    posterior.record(state: 0, action: 1, reward: 0.5, nextState: 1)
    posterior.record(state: 1, action: 0, reward: -1, nextState: 2)
    posterior.record(state: 1, action: 0, reward: 0, nextState: 2)
    posterior.record(state: 1, action: 0, reward: 4, nextState: 0)
    return posterior
  }

  func testNormalRewardPosteriorMatchesTheConjugateUpdate() {
    let posterior = makePosterior(priorMean: 1)
    XCTAssertEqual(posterior.rewardMean(state: 0, action: 1), (1 + 2.5) / 3, accuracy: 1e-15)
    XCTAssertEqual(posterior.rewardVariance(state: 0, action: 1), 1.0 / 3, accuracy: 1e-15)
    XCTAssertEqual(posterior.rewardMean(state: 1, action: 0), (1 + 3) / 4, accuracy: 1e-15)
    XCTAssertEqual(posterior.rewardVariance(state: 1, action: 0), 0.25, accuracy: 1e-15)
    XCTAssertEqual(posterior.rewardMean(state: 2, action: 1), 1, "an untried pair keeps the prior")
    XCTAssertEqual(posterior.rewardVariance(state: 2, action: 1), 1)
    let authors = makePosterior(priorMean: 0)
    XCTAssertEqual(authors.rewardMean(state: 0, action: 1), 2.5 / 3, accuracy: 1e-15)
    XCTAssertEqual(authors.rewardMean(state: 2, action: 1), 0)
  }

  func testDirichletPosteriorAddsTheTransitionCountsToOnes() {
    let posterior = makePosterior(priorMean: 1)
    XCTAssertEqual(posterior.transitionConcentrations(state: 1, action: 0), [2, 1, 3])
    XCTAssertEqual(posterior.transitionConcentrations(state: 0, action: 1), [1, 3, 1])
    XCTAssertEqual(posterior.transitionConcentrations(state: 2, action: 0), [1, 1, 1])
    XCTAssertEqual(posterior.visitCounts, [0, 2, 3, 0, 0, 0])
    XCTAssertEqual(posterior.visitCount(state: 1, action: 0), 3)
    XCTAssertEqual(posterior.stepCount, 5)
  }

  func testTheMeanModelIsThePosteriorMean() {
    let model = makePosterior(priorMean: 1).meanModel()
    MDPFixtures.assertClose(
      Array(model.transitions[(2 * 3)..<(3 * 3)]), [2.0 / 6, 1.0 / 6, 3.0 / 6],
      tolerance: 1e-15, "P̄(· | 1, 0) = (1 + c)/(S + n)")
    MDPFixtures.assertClose(
      Array(model.transitions[0..<3]), [1.0 / 3, 1.0 / 3, 1.0 / 3], tolerance: 1e-15,
      "P̄(· | 0, 0), untried")
    MDPFixtures.assertClose(
      model.meanRewards, [1, 3.5 / 3, 1, 1, 1, 1], tolerance: 1e-15, "μ̄")
  }

  func testTheEmpiricalModelIgnoresThePriorWhereThereIsData() {
    let model = makePosterior(priorMean: 0).empiricalModel()
    MDPFixtures.assertClose(
      Array(model.transitions[(2 * 3)..<(3 * 3)]), [1.0 / 3, 0, 2.0 / 3], tolerance: 1e-15,
      "P̂(· | 1, 0) = c/n")
    MDPFixtures.assertClose(
      Array(model.transitions[(4 * 3)..<(5 * 3)]), [1.0 / 3, 1.0 / 3, 1.0 / 3], tolerance: 1e-15,
      "P̂(· | 2, 0), untried")
    MDPFixtures.assertClose(model.meanRewards, [0, 1.25, 1, 0, 0, 0], tolerance: 1e-15, "r̂")
  }

  /// 4000 draws: sample means within four standard errors of the posterior means, the reward
  /// variance within 10 % of 1/(1 + n), rows on the simplex.
  func testSampledModelsFollowThePosterior() {
    let posterior = makePosterior(priorMean: 1)
    var random = RandomStream(seed: 13)
    let samples = (0..<4000).map { _ in posterior.sampleModel(random: &random) }
    let rewards = samples.map { $0.meanReward(state: 1, action: 0) }
    XCTAssertEqual(
      Statistics.mean(rewards), 1, accuracy: 4 * (0.25 / 4000).squareRoot(), "E[μ(1, 0)]")
    XCTAssertEqual(Statistics.variance(rewards), 0.25, accuracy: 0.025, "Var[μ(1, 0)]")
    let expected = [2.0 / 6, 1.0 / 6, 3.0 / 6]
    for next in 0..<3 {
      let draws = samples.map { $0.probability(from: 1, taking: 0, to: next) }
      XCTAssertEqual(
        Statistics.mean(draws), expected[next],
        accuracy: 4 * Statistics.standardError(draws), "E[P(\(next) | 1, 0)]")
    }
    for sample in samples.prefix(100) {
      for pair in 0..<6 {
        XCTAssertEqual(
          sample.transitions[(pair * 3)..<((pair + 1) * 3)].reduce(0, +), 1, accuracy: 1e-12)
      }
    }
  }

  func testSamplingIsAFunctionOfTheStream() {
    let posterior = makePosterior(priorMean: 1)
    var first = RandomStream(seed: 2)
    var second = RandomStream(seed: 2)
    XCTAssertEqual(posterior.sampleModel(random: &first), posterior.sampleModel(random: &second))
  }
}
