import RL2Envs
import RL2Math
import XCTest

/// Bernoulli bandits with p_i ~ U[0, 1] (RL², Table 1).
final class BernoulliBanditTests: XCTestCase {
  func testRewardFrequenciesMatchArmProbabilities() {
    let bandit = BernoulliBandit(probabilities: [0, 0.1, 0.5, 0.87, 1])
    var random = RandomStream(seed: 20)
    let pulls = 20_000
    for (arm, p) in bandit.probabilities.enumerated() {
      var successes = 0
      for _ in 0..<pulls {
        let outcome = bandit.step(state: 0, action: arm, random: &random)
        XCTAssertTrue(outcome.reward == 0 || outcome.reward == 1, "reward \(outcome.reward)")
        XCTAssertEqual(outcome.nextState, 0, "a bandit's next state")
        XCTAssertFalse(outcome.terminal, "a pull is not terminal; the horizon ends the episode")
        if outcome.reward == 1 { successes += 1 }
      }
      let frequency = Double(successes) / Double(pulls)
      if p == 0 || p == 1 {
        XCTAssertEqual(frequency, p, "arm \(arm) with p = \(p)")
      } else {
        assertWithinFourStandardErrors(
          frequency, p, standardError: (p * (1 - p) / Double(pulls)).squareRoot(),
          "success frequency of arm \(arm)")
      }
    }
  }

  func testShapeAndOracleReturn() {
    let bandit = BernoulliBandit(probabilities: [0.3, 0.9, 0.2])
    XCTAssertEqual(bandit.stateCount, 1)
    XCTAssertEqual(bandit.actionCount, 3)
    XCTAssertEqual(bandit.horizon, 1, "an episode is one pull")
    XCTAssertEqual(bandit.optimalEpisodeReturn, 0.9, "max p")
    var random = RandomStream(seed: 21)
    XCTAssertEqual(bandit.initialState(random: &random), 0)
  }

  func testDistributionDrawsArmProbabilitiesUniformly() {
    let distribution = BernoulliBanditDistribution(arms: 5)
    XCTAssertEqual(distribution.stateCount, 1)
    XCTAssertEqual(distribution.actionCount, 5)
    XCTAssertEqual(distribution.horizon, 1)
    var random = RandomStream(seed: 22)
    let p = (0..<4000).flatMap { _ in distribution.sampleTask(random: &random).probabilities }
    XCTAssertEqual(p.count, 20_000)
    XCTAssertTrue(p.allSatisfy { $0 >= 0 && $0 < 1 }, "p outside [0, 1)")
    let n = Double(p.count)
    assertWithinFourStandardErrors(
      Statistics.mean(p), 0.5, standardError: (1.0 / 12 / n).squareRoot(), "mean of p")
    // Var(p) = 1/12; the sample variance has variance (μ₄ − σ⁴)/n with μ₄ = 1/80.
    assertWithinFourStandardErrors(
      Statistics.variance(p), 1.0 / 12, standardError: ((1.0 / 80 - 1.0 / 144) / n).squareRoot(),
      "variance of p")
  }

  /// max of k uniforms is Beta(k, 1): mean k/(k+1), variance k/((k+1)²(k+2)).
  func testExpectedOracleReturnIsNTimesKOverKPlusOne() {
    var random = RandomStream(seed: 23)
    let tasks = 4000
    for k in [5, 50] {
      let distribution = BernoulliBanditDistribution(arms: k)
      let best = (0..<tasks).map { _ in
        distribution.sampleTask(random: &random).optimalEpisodeReturn
      }
      let (kk, n) = (Double(k), 500.0)
      let variance = kk / ((kk + 1) * (kk + 1) * (kk + 2))
      assertWithinFourStandardErrors(
        n * Statistics.mean(best), n * kk / (kk + 1),
        standardError: n * (variance / Double(tasks)).squareRoot(),
        "oracle bound n·E[max p] for k = \(k), n = 500")
    }
  }

  /// Playing trials from TrialBatch: the oracle earns n·k/(k+1) = 8.33 and uniformly random pulls
  /// n/2 = 5 (Table 1, n = 10, k = 5).
  func testOracleAndRandomTrialReturns() {
    let distribution = BernoulliBanditDistribution(arms: 5)
    let streams = (0..<3000).map { RandomStream(seed: 24).stream(UInt64($0)) }
    var actionRandom = RandomStream(seed: 25)
    for policy in ["oracle", "random"] {
      var batch = TrialBatch(distribution: distribution, episodes: 10, streams: streams)
      let best = batch.trials.map { trial in
        trial.task.probabilities.indices.max {
          trial.task.probabilities[$0] < trial.task.probabilities[$1]
        }!
      }
      var rewards: [Double] = []
      var ended: [Bool] = []
      while !batch.isFinished {
        let actions =
          policy == "oracle" ? best : best.map { _ in actionRandom.integer(below: 5) }
        batch.step(actions: actions, rewards: &rewards, episodeEnded: &ended)
      }
      assertMeanWithinFourStandardErrors(
        batch.trials.map(\.totalReturn), policy == "oracle" ? 10 * 5.0 / 6 : 5,
        "\(policy) return over 10 pulls of 5-armed bandits")
    }
  }
}
