import Foundation
import RL2Baselines
import RL2Envs
import RL2Math
import XCTest

/// The Table 2 algorithms: their grids, their contracts, and what each plan is made of.
final class MDPAlgorithmTests: XCTestCase {
  let families = MDPBaselines.families(states: 4, actions: 3, horizon: 5, priorMean: 1)

  func play(
    _ algorithm: any MDPAlgorithm, _ mdp: TabularMDP, episodes: Int, seed: UInt64
  ) -> [Double] {
    var dynamics = RandomStream(seed: seed).stream("dynamics")
    var random = RandomStream(seed: seed).stream("baseline")
    return algorithm.play(mdp, episodes: episodes, dynamics: &dynamics, random: &random)
  }

  func testFamiliesAreTheColumnsOfTable2WithThePapersGrids() {
    XCTAssertEqual(
      families.map(\.key), ["random", "psrl", "opsrl", "ucrl2", "beb", "eps_greedy", "greedy"])
    XCTAssertEqual(
      families.map(\.title), ["Random", "PSRL", "OPSRL", "UCRL2", "BEB", "ε-Greedy", "Greedy"])
    XCTAssertEqual(families.map(\.candidates.count), [1, 1, 20, 21, 21, 10, 1])
    let names = families.map { $0.candidates.map(\.hyperparameter) }
    XCTAssertEqual(names[0], ["none"])
    XCTAssertEqual(names[2].first, "N = 1")
    XCTAssertEqual(names[2].last, "N = 20")
    XCTAssertEqual(names[3].first, "scale = 0.0001")
    XCTAssertTrue(names[3].contains("scale = 0.01"))
    XCTAssertEqual(names[3].last, "scale = 1")
    XCTAssertEqual(names[4].first, "scale = 0.0001 (β = 0.005)", "β = 2H² · scale with H = 5")
    XCTAssertEqual(names[4].last, "scale = 1 (β = 50)")
    XCTAssertEqual(names[5], (1...10).map { $0 == 10 ? "ε = 1" : "ε = 0.\($0)" })
    XCTAssertEqual(names[6], ["none"])
  }

  func testTheLogSpacedGridRunsFromOneTenThousandthToOneInEqualRatios() {
    let grid = MDPBaselines.logSpacedGrid
    XCTAssertEqual(grid.count, 21)
    XCTAssertEqual(grid.first!, 1e-4, accuracy: 1e-18)
    XCTAssertEqual(grid.last!, 1, accuracy: 1e-15)
    for i in 1..<21 { XCTAssertEqual(grid[i] / grid[i - 1], pow(10, 0.2), accuracy: 1e-12) }
  }

  func testEveryCandidateReturnsOneReturnPerEpisodeReproducibly() {
    let mdp = MDPFixtures.randomMDP(seed: 1)
    for family in families {
      for candidate in family.candidates {
        let name = "\(family.key) \(candidate.hyperparameter)"
        let returns = play(candidate.algorithm, mdp, episodes: 6, seed: 2)
        XCTAssertEqual(returns.count, 6, name)
        XCTAssertTrue(returns.allSatisfy(\.isFinite), name)
        XCTAssertEqual(play(candidate.algorithm, mdp, episodes: 6, seed: 2), returns, name)
      }
    }
    XCTAssertEqual(play(PSRL(), mdp, episodes: 0, seed: 2), [])
  }

  /// 100 random MDPs (S = 5, A = 3, H = 5), 20 episodes each, paired on the same dynamics stream.
  func testPSRLEarnsMoreThanRandomActions() {
    let gains = (0..<100).map { i -> Double in
      let mdp = MDPFixtures.randomMDP(states: 5, actions: 3, horizon: 5, seed: 100 + UInt64(i))
      let psrl = play(PSRL(), mdp, episodes: 20, seed: UInt64(i))
      let random = play(MDPRandomActions(), mdp, episodes: 20, seed: UInt64(i))
      return psrl.reduce(0, +) - random.reduce(0, +)
    }
    let z = Statistics.mean(gains) / Statistics.standardError(gains)
    XCTAssertGreaterThan(z, 4, "PSRL − Random: mean \(Statistics.mean(gains)), z = \(z)")
  }

  func testOPSRLWithOneSampleIsPSRL() {
    let mdp = MDPFixtures.randomMDP(seed: 4)
    XCTAssertEqual(
      play(OPSRL(sampleCount: 1), mdp, episodes: 8, seed: 5),
      play(PSRL(), mdp, episodes: 8, seed: 5))
  }

  func testOPSRLPlansOnTheEnvelopeOfItsSamples() {
    let posterior = experiencedPosterior()
    var random = RandomStream(seed: 9)
    var replay = random
    let envelope = OPSRL(sampleCount: 4).plan(posterior, horizon: 5, random: &random)
    let tables = (0..<4).map { _ in
      ValueIteration.qTable(for: posterior.sampleModel(random: &replay), horizon: 5)
    }
    for i in envelope.values.indices {
      XCTAssertEqual(envelope.values[i], tables.map { $0.values[i] }.max()!)
    }
    XCTAssertEqual(random, replay, "four samples and nothing else are drawn")
  }

  func testBEBAddsItsBonusToThePosteriorMeanRewards() {
    let posterior = experiencedPosterior()
    var random = RandomStream(seed: 1)
    let table = BEB(beta: 0.5).plan(posterior, horizon: 5, random: &random)
    let mean = posterior.meanModel()
    for pair in 0..<12 {
      let bonus = 0.5 / Double(1 + posterior.visitCounts[pair])
      XCTAssertEqual(
        table.values[4 * 12 + pair], mean.meanRewards[pair] + bonus, accuracy: 1e-12,
        "Q_{H−1} of pair \(pair)")
    }
  }

  func testBEBWithoutBonusIsGreedy() {
    let mdp = MDPFixtures.randomMDP(seed: 6)
    XCTAssertEqual(
      play(BEB(beta: 0), mdp, episodes: 10, seed: 7),
      play(MDPEpsilonGreedy(epsilon: 0), mdp, episodes: 10, seed: 7))
  }

  /// S = 4, A = 3 after the steps of `experiencedPosterior`.
  func testUCRL2WidthsAreJakschsWithTheStepsSoFar() {
    let posterior = experiencedPosterior()
    let t = Double(posterior.stepCount)
    let widths = UCRL2(scale: 0.3).confidenceWidths(posterior)
    for pair in 0..<12 {
      let n = Double(max(1, posterior.visitCounts[pair]))
      XCTAssertEqual(
        widths.reward[pair], 0.3 * (7 * log(2 * 4 * 3 * t / 0.05) / (2 * n)).squareRoot(),
        accuracy: 1e-12, "d_r of pair \(pair)")
      XCTAssertEqual(
        widths.transition[pair], 0.3 * (14 * 4 * log(2 * 3 * t / 0.05) / n).squareRoot(),
        accuracy: 1e-12, "d_p of pair \(pair)")
    }
    let fresh = UCRL2(scale: 1).confidenceWidths(MDPPosterior(stateCount: 4, actionCount: 3))
    XCTAssertEqual(fresh.reward[0], (7 * log(2 * 12 / 0.05) / 2).squareRoot(), accuracy: 1e-12)
  }

  func testUCRL2PlansOptimisticallyAroundTheEmpiricalMDP() {
    let posterior = experiencedPosterior()
    var random = RandomStream(seed: 1)
    let algorithm = UCRL2(scale: 0.05)
    let table = algorithm.plan(posterior, horizon: 5, random: &random)
    let widths = algorithm.confidenceWidths(posterior)
    let expected = ExtendedValueIteration.qTable(
      for: posterior.empiricalModel(), rewardWidths: widths.reward,
      transitionWidths: widths.transition, horizon: 5)
    XCTAssertEqual(table, expected)
    let greedy = ValueIteration.qTable(for: posterior.empiricalModel(), horizon: 5)
    XCTAssertGreaterThanOrEqual(table.value(step: 0, state: 0), greedy.value(step: 0, state: 0))
  }

  /// ε = 1 explores at every step, so it earns what random actions earn (200 MDPs, 3 episodes,
  /// independent dynamics streams).
  func testEpsilonGreedyWithEpsilonOneActsAtRandom() {
    let mdps = (0..<200).map { MDPFixtures.randomMDP(seed: 500 + UInt64($0)) }
    let exploring = mdps.indices.map {
      play(MDPEpsilonGreedy(epsilon: 1), mdps[$0], episodes: 3, seed: UInt64($0)).reduce(0, +)
    }
    let uniform = mdps.indices.map {
      play(MDPRandomActions(), mdps[$0], episodes: 3, seed: 1000 + UInt64($0)).reduce(0, +)
    }
    let difference = Statistics.mean(exploring) - Statistics.mean(uniform)
    let standardError =
      (Statistics.variance(exploring) / 200 + Statistics.variance(uniform) / 200).squareRoot()
    XCTAssertLessThan(abs(difference / standardError), 4, "difference \(difference)")
  }

  /// A posterior over S = 4, A = 3 after 40 random steps of a random MDP.
  func experiencedPosterior() -> MDPPosterior {
    let mdp = MDPFixtures.randomMDP(seed: 12)
    var posterior = MDPPosterior(stateCount: 4, actionCount: 3)
    var random = RandomStream(seed: 12)
    var state = 0
    for _ in 0..<40 {
      let action = random.integer(below: 3)
      let outcome = mdp.step(state: state, action: action, random: &random)
      posterior.record(
        state: state, action: action, reward: outcome.reward, nextState: outcome.nextState)
      state = outcome.nextState
    }
    return posterior
  }
}
