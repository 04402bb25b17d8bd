import Foundation
import RL2Envs
import RL2Math

/// UCB1 (Auer, Cesa-Bianchi & Fischer, "Finite-time analysis of the multiarmed bandit problem",
/// Machine Learning 47, 2002) with the paper's exploration scale c: pull the arm maximizing
///
///     μ_i + c · √(2 ln t / n_i),
///
/// ties at random, where, as in the authors' code, the statistics start at one success and one
/// failure per arm:
/// - n_i = 2 + s_i + f_i counts arm i's pulls plus its two pseudo-observations;
/// - μ_i = (1 + s_i) / n_i is the posterior mean under Beta(1, 1);
/// - t is the number of the current pull, 1 for the first (so ln t = 0 and the first pull is a
///   uniform tie among the arms). The authors' loop used the 0-based count instead, whose
///   ln 0 made every first index NaN and numpy's argmax pull arm 0; from then on the two
///   differ by one in t.
///
/// c = 1 is textbook UCB1; the paper searched c ∈ {0, 0.1, …, 1} (c = 0 is Greedy).
public struct UCB1: BanditAlgorithm {
  /// c, the scale of the confidence width.
  public let c: Double

  public init(c: Double) {
    precondition(c >= 0, "the UCB1 scale c must be non-negative, got \(c)")
    self.c = c
  }

  public func play(
    _ bandit: BernoulliBandit, pulls: Int, dynamics: inout RandomStream,
    random: inout RandomStream
  ) -> [Double] {
    var statistics = BetaStatistics(arms: bandit.actionCount)
    return (0..<pulls).map { pull in
      let twoLogT = 2 * log(Double(pull + 1))
      let arm = random.argmaxBreakingTies(count: statistics.arms) {
        upperConfidenceBound(of: $0, statistics, twoLogT: twoLogT)
      }
      return statistics.pull(arm, of: bandit, dynamics: &dynamics)
    }
  }

  /// μ_i + c·√(2 ln t / n_i), given 2 ln t.
  func upperConfidenceBound(of arm: Int, _ statistics: BetaStatistics, twoLogT: Double) -> Double {
    let n = statistics.alpha(of: arm) + statistics.beta(of: arm)
    return statistics.posteriorMean(of: arm) + c * (twoLogT / n).squareRoot()
  }
}
