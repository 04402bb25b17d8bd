import RL2Envs
import RL2Math

/// ε-greedy (and, with ε = 0, Greedy): with probability ε pull an arm uniformly at random,
/// otherwise the arm of highest posterior mean (1 + s_i) / (2 + s_i + f_i), ties at random.
///
/// As in the paper and the authors' code, the statistics start at one success and one failure
/// per arm (Beta(1, 1) pseudo-counts), so an unpulled arm counts as 1/2 and a single failure
/// drops an arm to 1/3. The exploration coin and the random arm come from `random`; the random
/// arm may be the greedy one.
public struct EpsilonGreedy: BanditAlgorithm {
  /// ε, the probability of a uniformly random pull.
  public let epsilon: Double

  public init(epsilon: Double) {
    precondition(epsilon >= 0 && epsilon <= 1, "ε must lie in [0, 1], got \(epsilon)")
    self.epsilon = epsilon
  }

  /// Greedy: always the highest posterior mean (ε = 0).
  public static let greedy = EpsilonGreedy(epsilon: 0)

  public func play(
    _ bandit: BernoulliBandit, pulls: Int, dynamics: inout RandomStream,
    random: inout RandomStream
  ) -> [Double] {
    var statistics = BetaStatistics(arms: bandit.actionCount)
    return (0..<pulls).map { _ in
      let arm =
        epsilon > 0 && random.uniform() < epsilon
        ? random.integer(below: statistics.arms)
        : random.argmaxBreakingTies(count: statistics.arms) { statistics.posteriorMean(of: $0) }
      return statistics.pull(arm, of: bandit, dynamics: &dynamics)
    }
  }
}
