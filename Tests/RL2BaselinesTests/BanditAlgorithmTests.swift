import RL2Envs
import RL2Math
import XCTest

@testable import RL2Baselines

/// The bandit baselines: posterior statistics, hand-computed decisions, the streams they use.
final class BanditAlgorithmTests: XCTestCase {
  func testBetaPosteriorUpdates() {
    var statistics = BetaStatistics(arms: 3)
    XCTAssertEqual(statistics.posteriorMean(of: 1), 0.5, "Beta(1, 1) before any pull")
    for (arm, reward) in [(1, 1.0), (1, 1.0), (1, 0.0), (2, 0.0)] {
      statistics.record(reward: reward, for: arm)
    }
    XCTAssertEqual(statistics.successes, [0, 2, 0])
    XCTAssertEqual(statistics.failures, [0, 1, 1])
    XCTAssertEqual(statistics.pullCount, 4)
    XCTAssertEqual(statistics.pulls(of: 1), 3)
    XCTAssertEqual(
      [statistics.alpha(of: 1), statistics.beta(of: 1)], [3, 2], "Beta(1 + 2, 1 + 1)")
    XCTAssertEqual(statistics.posteriorMean(of: 1), 3.0 / 5, accuracy: 1e-15)
    XCTAssertEqual(statistics.posteriorMean(of: 2), 1.0 / 3, accuracy: 1e-15)

    var random = RandomStream(seed: 3)
    let draws = (0..<20_000).map { _ in statistics.samplePosterior(of: 1, random: &random) }
    XCTAssertEqual(Statistics.mean(draws), 0.6, accuracy: 0.005, "mean of Beta(3, 2) draws")
    XCTAssertEqual(
      Statistics.variance(draws), 0.04, accuracy: 0.002, "variance of Beta(3, 2) = 1/25")
  }

  /// Arms 0 and 1 with s = (2, 0) and f = (0, 1), arm 2 untried, before pull t = 4:
  /// n = (4, 3, 2), μ = (3/4, 1/3, 1/2), 2 ln 4 = 2.7725887.
  func testUCB1IndicesAndDecisionOnScriptedStatistics() {
    var statistics = BetaStatistics(arms: 3)
    for (arm, reward) in [(0, 1.0), (0, 1.0), (1, 0.0)] {
      statistics.record(reward: reward, for: arm)
    }
    let twoLogT = 2 * log(4.0)
    let expected: [Double: [Double]] = [
      1: [0.75 + 0.8325546, 1.0 / 3 + 0.9613513, 0.5 + 1.1774100],
      0.2: [0.75 + 0.1665109, 1.0 / 3 + 0.1922703, 0.5 + 0.2354820],
    ]
    for (c, indices) in expected {
      let ucb = UCB1(c: c)
      for arm in 0..<3 {
        XCTAssertEqual(
          ucb.upperConfidenceBound(of: arm, statistics, twoLogT: twoLogT), indices[arm],
          accuracy: 1e-6, "UCB1(c = \(c)) index of arm \(arm)")
      }
    }
    var random = RandomStream(seed: 0)
    let choice = { (c: Double) in
      random.argmaxBreakingTies(count: 3) {
        UCB1(c: c).upperConfidenceBound(of: $0, statistics, twoLogT: twoLogT)
      }
    }
    XCTAssertEqual(choice(1), 2, "c = 1 explores the untried arm")
    XCTAssertEqual(choice(0.2), 0, "c = 0.2 exploits arm 0")
    XCTAssertEqual(choice(0), 0, "c = 0 is greedy")
  }

  /// Arm 0 always pays 0 and arm 1 always 1, so the rewards name the arms. The first pull is a
  /// tie; by hand (see the indices in the comments), UCB1 with c = 1 then plays
  /// arm 1 first: 1, 1 (1.346 > 1.333), 0 (1.548 > 1.491), 1 (1.583 > 1.295), 1 (1.602 > 1.369);
  /// arm 0 first: 0, 1 (1.333 > 1.013), 1 (1.522 > 1.189), 1 (1.583 > 1.295), 1 (1.602 > 1.369).
  /// Greedy sticks to arm 1 once it has paid: 1, 1, 1, 1, 1 or 0, 1, 1, 1, 1.
  func testUCB1AndGreedyDecisionsOnAScriptedRewardSequence() {
    let bandit = BernoulliBandit(probabilities: [0, 1])
    let cases: [(String, any BanditAlgorithm, Set<[Double]>)] = [
      ("UCB1(c = 1)", UCB1(c: 1), [[1, 1, 0, 1, 1], [0, 1, 1, 1, 1]]),
      ("Greedy", EpsilonGreedy.greedy, [[1, 1, 1, 1, 1], [0, 1, 1, 1, 1]]),
    ]
    for (name, algorithm, allowed) in cases {
      var seen: Set<[Double]> = []
      for seed in 0..<40 {
        var dynamics = RandomStream(seed: UInt64(100 + seed))
        var random = RandomStream(seed: UInt64(seed))
        let rewards = algorithm.play(bandit, pulls: 5, dynamics: &dynamics, random: &random)
        XCTAssertTrue(allowed.contains(rewards), "\(name), seed \(seed): rewards \(rewards)")
        seen.insert(rewards)
      }
      XCTAssertEqual(seen, allowed, "\(name): the first tie goes either way")
    }
  }

  /// Every candidate but the discounted Gittins tables, which take minutes to build in a debug
  /// build (a small discounted table plays in `GittinsPolicyTests`).
  func testEveryCandidatePlaysNPullsReproduciblyAndDrawsRewardsOnlyFromDynamics() {
    let pulls = 12
    let bandit = BernoulliBandit(probabilities: [0.3, 0.6, 0.5, 0.9])
    for family in BanditBaselines.families(arms: 4, pulls: pulls, cacheDirectory: nil) {
      for candidate in family.candidates where !candidate.hyperparameter.hasPrefix("γ") {
        let name = "\(family.title) (\(candidate.hyperparameter))"
        var (dynamics, random) = (RandomStream(seed: 5), RandomStream(seed: 6))
        let first = candidate.algorithm.play(
          bandit, pulls: pulls, dynamics: &dynamics, random: &random)
        var (dynamicsAgain, randomAgain) = (RandomStream(seed: 5), RandomStream(seed: 6))
        let again = candidate.algorithm.play(
          bandit, pulls: pulls, dynamics: &dynamicsAgain, random: &randomAgain)
        XCTAssertEqual(first.count, pulls, "\(name): one reward per pull")
        XCTAssertEqual(first, again, "\(name): same streams, same rewards")
        XCTAssertTrue(first.allSatisfy { $0 == 0 || $0 == 1 }, "\(name): Bernoulli rewards")
        var oneDrawPerPull = RandomStream(seed: 5)
        for _ in 0..<pulls { _ = oneDrawPerPull.uniform() }
        XCTAssertEqual(dynamics, oneDrawPerPull, "\(name): one dynamics draw per pull, no more")
      }
    }
  }

  func testFamiliesAreThePapersColumnsWithTheirGrids() {
    let families = BanditBaselines.families(arms: 3, pulls: 10, cacheDirectory: nil)
    XCTAssertEqual(
      families.map(\.key), ["random", "gittins", "ts", "ots", "ucb1", "eps_greedy", "greedy"])
    XCTAssertEqual(
      families.map(\.title), ["Random", "Gittins", "TS", "OTS", "UCB1", "ε-Greedy", "Greedy"])
    let grids = Dictionary(
      uniqueKeysWithValues: families.map { ($0.key, $0.candidates.map(\.hyperparameter)) })
    XCTAssertEqual(grids["ucb1"], (0...10).map { "c = \(Double($0) / 10)" })
    XCTAssertEqual(grids["eps_greedy"]?.first, "ε = 0.0")
    XCTAssertEqual(grids["eps_greedy"]?.last, "ε = 1.0")
    XCTAssertEqual(grids["ots"]?.count, 40, "N = 1…20, largest and most probable")
    XCTAssertEqual(grids["ots"]?[4], "N = 5")
    XCTAssertEqual(grids["ots"]?[24], "N = 5, most probable")
    XCTAssertEqual(
      grids["gittins"],
      ["finite horizon", "γ = 0.9", "γ = 0.99", "γ = 0.999", "γ = 0.9999"]
        + ["0.9", "0.99", "0.999", "0.9999"].map { "Brezzi–Lai, γ = \($0)" })
    for key in ["random", "ts", "greedy"] { XCTAssertEqual(grids[key], ["none"]) }
  }

  func testUCB1AndThompsonSamplingBeatRandom() {
    let distribution = BernoulliBanditDistribution(arms: 5)
    let pulls = 100
    func totals(_ algorithm: any BanditAlgorithm) -> [Double] {
      (0..<200).map { i in
        let stream = RandomStream(seed: 11).stream(UInt64(i))
        var task = stream.stream("task")
        var dynamics = stream.stream("dynamics")
        var random = stream.stream("baseline")
        let bandit = distribution.sampleTask(random: &task)
        return algorithm.play(bandit, pulls: pulls, dynamics: &dynamics, random: &random)
          .reduce(0, +)
      }
    }
    let random = totals(RandomPulls())
    XCTAssertEqual(
      Statistics.mean(random), 50, accuracy: 4 * Statistics.standardError(random) + 0.5)
    for (name, algorithm) in [
      ("UCB1(c = 0.2)", UCB1(c: 0.2) as any BanditAlgorithm), ("TS", ThompsonSampling()),
    ] {
      let scores = totals(algorithm)
      let test = WelchTest(scores, random)
      XCTAssertTrue(
        test.isSignificant(at: 1e-6) && Statistics.mean(scores) > 65,
        "\(name): \(Statistics.mean(scores)) vs Random \(Statistics.mean(random)), p = \(test.pValue)"
      )
    }
  }

  func testOptimisticThompsonSamplingWithOneDrawIsThompsonSampling() {
    let bandit = BernoulliBandit(probabilities: [0.4, 0.45, 0.5])
    var outcomes: [[Double]] = []
    for algorithm in [
      ThompsonSampling() as any BanditAlgorithm, OptimisticThompsonSampling(samples: 1),
      OptimisticThompsonSampling(samples: 1, selection: .mostProbable),
    ] {
      var (dynamics, random) = (RandomStream(seed: 8), RandomStream(seed: 9))
      outcomes.append(algorithm.play(bandit, pulls: 50, dynamics: &dynamics, random: &random))
    }
    XCTAssertEqual(outcomes[1], outcomes[0], "OTS (largest of 1) = TS")
    XCTAssertEqual(outcomes[2], outcomes[0], "OTS (most probable of 1) = TS")
  }

  func testMostProbableDrawIsTheJointDrawOfHighestPosteriorDensity() {
    var statistics = BetaStatistics(arms: 2)
    for (arm, reward) in [(0, 1.0), (0, 1.0), (0, 1.0), (0, 0.0), (0, 0.0), (1, 1.0), (1, 0.0)] {
      statistics.record(reward: reward, for: arm)
    }
    let ots = OptimisticThompsonSampling(samples: 20, selection: .mostProbable)
    for seed in 0..<20 {
      var random = RandomStream(seed: UInt64(seed))
      var replay = random
      let draws = (0..<20).map { _ in
        (0..<2).map { statistics.samplePosterior(of: $0, random: &replay) }
      }
      let logDensity = { (draw: [Double]) in
        3 * log(draw[0]) + 2 * log(1 - draw[0]) + log(draw[1]) + log(1 - draw[1])
      }
      let chosen = ots.mostProbableDraw(statistics, random: &random)
      XCTAssertEqual(chosen, draws.max { logDensity($0) < logDensity($1) }, "seed \(seed)")
      XCTAssertEqual(random, replay, "seed \(seed): N joint draws of k arms, no more")
    }
  }
}
