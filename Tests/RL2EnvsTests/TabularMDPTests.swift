import RL2Envs
import RL2Math
import XCTest

/// Random tabular MDPs (RL², Table 2) and their finite-horizon optimal values.
final class TabularMDPTests: XCTestCase {
  func testTransitionRowsAreProbabilityDistributions() {
    let distribution = RandomMDPDistribution()
    var random = RandomStream(seed: 40)
    for task in 0..<20 {
      let mdp = distribution.sampleTask(random: &random)
      XCTAssertEqual(mdp.transitions.count, 10 * 5 * 10)
      XCTAssertEqual(mdp.meanRewards.count, 10 * 5)
      XCTAssertEqual(mdp.rewardStandardDeviation, 1)
      for row in 0..<50 {
        let p = mdp.transitions[(row * 10)..<((row + 1) * 10)]
        XCTAssertTrue(p.allSatisfy { $0 >= 0 }, "task \(task), row \(row): negative probability")
        assertClose(p.reduce(0, +), 1, tolerance: 1e-12, "task \(task), row \(row): Σ P(s'|s,a)")
      }
    }
  }

  func testMeanRewardsFollowTheNormalOneOnePrior() {
    let distribution = RandomMDPDistribution()
    var random = RandomStream(seed: 41)
    let mu = (0..<400).flatMap { _ in distribution.sampleTask(random: &random).meanRewards }
    let n = Double(mu.count)
    assertWithinFourStandardErrors(
      Statistics.mean(mu), 1, standardError: (1 / n).squareRoot(), "mean of μ(s, a)")
    // For normal samples, Var(s²) = 2σ⁴/(n − 1).
    assertWithinFourStandardErrors(
      Statistics.variance(mu), 1, standardError: (2 / (n - 1)).squareRoot(), "variance of μ(s, a)")
  }

  func testRewardsAndTransitionsFollowTheModel() {
    var random = RandomStream(seed: 42)
    let mdp = RandomMDPDistribution(stateCount: 4, actionCount: 2, horizon: 5)
      .sampleTask(random: &random)
    let (state, action, n) = (2, 1, 20_000)
    var rewards: [Double] = []
    var visits = [Int](repeating: 0, count: 4)
    for _ in 0..<n {
      let outcome = mdp.step(state: state, action: action, random: &random)
      rewards.append(outcome.reward)
      visits[outcome.nextState] += 1
      XCTAssertFalse(outcome.terminal, "tabular steps are never terminal")
    }
    let mu = mdp.meanReward(state: state, action: action)
    assertWithinFourStandardErrors(
      Statistics.mean(rewards), mu, standardError: (1 / Double(n)).squareRoot(), "mean reward")
    assertWithinFourStandardErrors(
      Statistics.variance(rewards), 1, standardError: (2 / Double(n - 1)).squareRoot(),
      "reward variance")
    var chiSquare = 0.0
    for next in 0..<4 {
      let expected = Double(n) * mdp.probability(from: state, taking: action, to: next)
      chiSquare += (Double(visits[next]) - expected) * (Double(visits[next]) - expected) / expected
    }
    // 3 degrees of freedom: P(χ² > 25) < 2e-5.
    XCTAssertLessThan(chiSquare, 25, "next-state counts \(visits): χ² = \(chiSquare)")
    XCTAssertEqual(mdp.initialState(random: &random), 0, "episodes start in state 0")
  }

  /// Two states, two actions, horizon 2, solved by hand. From state 0, action 0 pays 0 and moves
  /// to state 0 or 1 with probability ½ each; action 1 pays 0.4 and stays. State 1 is absorbing and
  /// pays 2 for action 0, 0 for action 1. V₁ = (0.4, 2), V₀ = (max(½·0.4 + ½·2, 0.8), 4) = (1.2, 4).
  /// The best open-loop plan, (0, 0), earns only 1.0: acting on the observed state is worth 0.2.
  func testValueIterationOnAHandSolvedMDP() {
    let mdp = TabularMDP(
      stateCount: 2, actionCount: 2, horizon: 2,
      transitions: [0.5, 0.5, 1, 0, 0, 1, 0, 1], meanRewards: [0, 0.4, 2, 0])
    let (values, actions) = mdp.optimalValues()
    XCTAssertEqual(values.count, 3, "V_t for t = 0…horizon")
    assertClose(values[0][0], 1.2, tolerance: 1e-12, "V₀(0)")
    assertClose(values[0][1], 4, tolerance: 1e-12, "V₀(1)")
    assertClose(values[1][0], 0.4, tolerance: 1e-12, "V₁(0)")
    assertClose(values[1][1], 2, tolerance: 1e-12, "V₁(1)")
    XCTAssertEqual(values[2], [0, 0], "V_horizon")
    XCTAssertEqual(actions, [[0, 0], [1, 0]], "greedy action table")
    assertClose(mdp.optimalEpisodeReturn, 1.2, tolerance: 1e-12, "optimalEpisodeReturn")
    let openLoop = (0..<4).map { expectedReturn(of: mdp, actionSequence: [$0 / 2, $0 % 2]) }
    assertClose(openLoop.max()!, 1.0, tolerance: 1e-12, "best open-loop return")
  }

  /// Against all (A^S)^H Markov deterministic policies, each evaluated exactly, and against every
  /// open-loop action sequence, which can do no better than the closed-loop optimum.
  func testValueIterationMatchesBruteForceOnTinyMDPs() {
    var random = RandomStream(seed: 43)
    for (S, A, H) in [(2, 2, 3), (3, 2, 3), (2, 3, 2)] {
      for trial in 0..<5 {
        let mdp = RandomMDPDistribution(stateCount: S, actionCount: A, horizon: H)
          .sampleTask(random: &random)
        let name = "S = \(S), A = \(A), H = \(H), MDP \(trial)"
        let optimal = mdp.optimalValues()
        let decisionRules = power(A, S)
        var best = [Double](repeating: -.infinity, count: S)
        for policy in 0..<power(decisionRules, H) {
          let rules = (0..<H).map { t in
            decodeRule((policy / power(decisionRules, t)) % decisionRules, S, A)
          }
          let values = policyValues(of: mdp, rules: rules)
          for s in 0..<S { best[s] = max(best[s], values[s]) }
        }
        for s in 0..<S {
          assertClose(optimal.values[0][s], best[s], tolerance: 1e-12, "\(name): V₀(\(s))")
        }
        assertClose(
          policyValues(of: mdp, rules: optimal.actions)[0], mdp.optimalEpisodeReturn,
          tolerance: 1e-12, "\(name): value of the greedy action table")
        for sequence in 0..<power(A, H) {
          let actions = (0..<H).map { (sequence / power(A, $0)) % A }
          XCTAssertLessThanOrEqual(
            expectedReturn(of: mdp, actionSequence: actions), mdp.optimalEpisodeReturn + 1e-12,
            "\(name): open-loop plan \(actions) beats the optimum")
        }
      }
    }
  }

  func testValuesSatisfyTheBellmanOptimalityEquation() {
    var random = RandomStream(seed: 44)
    let mdp = RandomMDPDistribution().sampleTask(random: &random)
    let (values, actions) = mdp.optimalValues()
    XCTAssertEqual(values.count, mdp.horizon + 1)
    XCTAssertEqual(actions.count, mdp.horizon)
    XCTAssertEqual(values[mdp.horizon], [Double](repeating: 0, count: 10), "V_horizon = 0")
    for t in 0..<mdp.horizon {
      for s in 0..<mdp.stateCount {
        let q = (0..<mdp.actionCount).map { a in
          mdp.meanReward(state: s, action: a)
            + (0..<mdp.stateCount).reduce(0) {
              $0 + mdp.probability(from: s, taking: a, to: $1) * values[t + 1][$1]
            }
        }
        assertClose(values[t][s], q.max()!, tolerance: 1e-12, "V_\(t)(\(s)) = max_a Q")
        assertClose(q[actions[t][s]], q.max()!, tolerance: 1e-12, "Q at the greedy action")
      }
    }
    XCTAssertEqual(mdp.optimalEpisodeReturn, values[0][0], "optimalEpisodeReturn = V₀(0)")
  }

  /// Following the action table in a trial earns V₀(0) per episode on average.
  func testGreedyActionTableEarnsTheOptimalReturnInSimulation() {
    var random = RandomStream(seed: 45)
    let mdp = RandomMDPDistribution().sampleTask(random: &random)
    let actions = mdp.optimalValues().actions
    var trial = Trial(task: mdp, episodes: 3000, random: random.stream("dynamics"))
    while !trial.isFinished {
      trial.step(actions[trial.stepInEpisode][trial.state])
    }
    assertMeanWithinFourStandardErrors(
      trial.episodeReturns, mdp.optimalEpisodeReturn, "return per episode of the optimal policy")
  }

  /// A uniformly random policy earns E[μ] = 1 per step: 10 per episode (Table 2's Random column).
  func testRandomPolicyEarnsTheMeanRewardPerStep() {
    let streams = (0..<1000).map { RandomStream(seed: 46).stream(UInt64($0)) }
    var batch = TrialBatch(distribution: RandomMDPDistribution(), episodes: 1, streams: streams)
    var actionRandom = RandomStream(seed: 47)
    var rewards: [Double] = []
    var ended: [Bool] = []
    while !batch.isFinished {
      let actions = streams.map { _ in actionRandom.integer(below: 5) }
      batch.step(actions: actions, rewards: &rewards, episodeEnded: &ended)
    }
    assertMeanWithinFourStandardErrors(
      batch.trials.map(\.totalReturn), 10, "random-policy return per episode")
  }

  // MARK: - Exact evaluation by dynamic programming

  /// V^π₀(s) for the non-stationary deterministic policy a = rules[t][s].
  private func policyValues(of mdp: TabularMDP, rules: [[Int]]) -> [Double] {
    var values = [Double](repeating: 0, count: mdp.stateCount)
    for t in stride(from: mdp.horizon - 1, through: 0, by: -1) {
      values = (0..<mdp.stateCount).map { s in
        let a = rules[t][s]
        return mdp.meanReward(state: s, action: a)
          + (0..<mdp.stateCount).reduce(0) {
            $0 + mdp.probability(from: s, taking: a, to: $1) * values[$1]
          }
      }
    }
    return values
  }

  /// E[Σ_t μ(s_t, a_t)] from state 0 when a_t is fixed in advance, by propagating the state
  /// distribution.
  private func expectedReturn(of mdp: TabularMDP, actionSequence: [Int]) -> Double {
    var distribution = [Double](repeating: 0, count: mdp.stateCount)
    distribution[0] = 1
    var total = 0.0
    for a in actionSequence {
      var next = [Double](repeating: 0, count: mdp.stateCount)
      for s in 0..<mdp.stateCount {
        total += distribution[s] * mdp.meanReward(state: s, action: a)
        for s2 in 0..<mdp.stateCount {
          next[s2] += distribution[s] * mdp.probability(from: s, taking: a, to: s2)
        }
      }
      distribution = next
    }
    return total
  }

  /// The decision rule number `index` in base A: state s takes digit s.
  private func decodeRule(_ index: Int, _ S: Int, _ A: Int) -> [Int] {
    (0..<S).map { (index / power(A, $0)) % A }
  }

  private func power(_ base: Int, _ exponent: Int) -> Int {
    (0..<exponent).reduce(1) { product, _ in product * base }
  }
}
