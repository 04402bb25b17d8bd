import RL2Envs
import RL2Math

/// The Random baseline: every pull picks an arm uniformly at random (from `random`), so it
/// earns n·E[p] = n/2 in expectation.
public struct RandomPulls: BanditAlgorithm {
  public init() {}

  public func play(
    _ bandit: BernoulliBandit, pulls: Int, dynamics: inout RandomStream,
    random: inout RandomStream
  ) -> [Double] {
    (0..<pulls).map { _ in
      let arm = random.integer(below: bandit.actionCount)
      return bandit.step(state: 0, action: arm, random: &dynamics).reward
    }
  }
}
