import RL2Envs
import RL2Math

/// Thompson sampling (Thompson, Biometrika 25, 1933) with the uniform prior Beta(1, 1): before
/// every pull draw p̃_i ~ Beta(1 + s_i, 1 + f_i) for every arm (from `random`) and pull the arm
/// with the largest draw.
public struct ThompsonSampling: BanditAlgorithm {
  public init() {}

  public func play(
    _ bandit: BernoulliBandit, pulls: Int, dynamics: inout RandomStream,
    random: inout RandomStream
  ) -> [Double] {
    var statistics = BetaStatistics(arms: bandit.actionCount)
    return (0..<pulls).map { _ in
      var draws = [Double](repeating: 0, count: statistics.arms)
      for i in draws.indices { draws[i] = statistics.samplePosterior(of: i, random: &random) }
      let arm = random.argmaxBreakingTies(count: draws.count) { draws[$0] }
      return statistics.pull(arm, of: bandit, dynamics: &dynamics)
    }
  }
}
