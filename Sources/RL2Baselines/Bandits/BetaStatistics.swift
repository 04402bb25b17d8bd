import RL2Envs
import RL2Math

// Legend: k arms, n pulls; s_i successes and f_i failures observed on arm i.

/// What a bandit algorithm has seen of each arm, and the Beta posterior it defines: with a
/// Beta(α₀, β₀) prior on p_i and s_i successes in s_i + f_i pulls, the posterior is
/// Beta(α₀ + s_i, β₀ + f_i), with mean (α₀ + s_i) / (α₀ + β₀ + s_i + f_i).
///
/// The paper started every baseline "at one success and one failure per arm", which is the
/// uniform prior Beta(1, 1) written as pseudo-counts; that is the default.
///
///     var statistics = BetaStatistics(arms: 5)
///     let reward = statistics.pull(2, of: bandit, dynamics: &dynamics)  // records it too
///     statistics.posteriorMean(of: 2)                                   // (1 + r) / 3
public struct BetaStatistics: Equatable, Sendable {
  /// α₀ and β₀, the prior pseudo-counts of a success and of a failure.
  public let priorSuccesses: Double
  public let priorFailures: Double
  /// s_i, the observed successes of each arm [k].
  public private(set) var successes: [Int]
  /// f_i, the observed failures of each arm [k].
  public private(set) var failures: [Int]
  /// Σ_i (s_i + f_i): the pulls made so far.
  public private(set) var pullCount = 0

  public init(arms: Int, priorSuccesses: Double = 1, priorFailures: Double = 1) {
    precondition(arms >= 1, "statistics need at least one arm, got \(arms)")
    precondition(
      priorSuccesses > 0 && priorFailures > 0,
      "Beta prior pseudo-counts must be positive, got (\(priorSuccesses), \(priorFailures))")
    self.priorSuccesses = priorSuccesses
    self.priorFailures = priorFailures
    successes = Array(repeating: 0, count: arms)
    failures = Array(repeating: 0, count: arms)
  }

  public var arms: Int { successes.count }

  /// Adds one observed pull of `arm` that paid `reward` (1 a success, 0 a failure).
  public mutating func record(reward: Double, for arm: Int) {
    precondition(reward == 0 || reward == 1, "a Bernoulli reward is 0 or 1, got \(reward)")
    if reward == 1 { successes[arm] += 1 } else { failures[arm] += 1 }
    pullCount += 1
  }

  /// Pulls `arm` of `bandit` (its reward drawn from `dynamics`), records the reward and returns it.
  public mutating func pull(
    _ arm: Int, of bandit: BernoulliBandit, dynamics: inout RandomStream
  ) -> Double {
    let reward = bandit.step(state: 0, action: arm, random: &dynamics).reward
    record(reward: reward, for: arm)
    return reward
  }

  /// s_i + f_i, the pulls of `arm` so far.
  public func pulls(of arm: Int) -> Int { successes[arm] + failures[arm] }

  /// α_i = α₀ + s_i.
  public func alpha(of arm: Int) -> Double { priorSuccesses + Double(successes[arm]) }

  /// β_i = β₀ + f_i.
  public func beta(of arm: Int) -> Double { priorFailures + Double(failures[arm]) }

  /// E[p_i | data] = α_i / (α_i + β_i).
  public func posteriorMean(of arm: Int) -> Double {
    let a = alpha(of: arm)
    return a / (a + beta(of: arm))
  }

  /// A draw of p_i from its posterior Beta(α_i, β_i) (by `FastBetaSampler`).
  public func samplePosterior(of arm: Int, random: inout RandomStream) -> Double {
    FastBetaSampler.beta(alpha(of: arm), beta(of: arm), random: &random)
  }
}

extension RandomStream {
  /// The index of the largest of `count` scores, ties broken uniformly at random (a stream of
  /// reservoir choices: the j-th tying score replaces the kept one with probability 1/j, so
  /// random numbers are drawn only when ties occur).
  mutating func argmaxBreakingTies(count: Int, score: (Int) -> Double) -> Int {
    var best = 0
    var bestScore = score(0)
    var ties = 1
    for i in 1..<max(count, 1) {
      let value = score(i)
      if value > bestScore {
        (best, bestScore, ties) = (i, value, 1)
      } else if value == bestScore {
        ties += 1
        if integer(below: ties) == 0 { best = i }
      }
    }
    return best
  }
}
