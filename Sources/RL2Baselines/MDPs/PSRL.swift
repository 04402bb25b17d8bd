import RL2Math

/// Posterior sampling for reinforcement learning (Strens 2000; Osband, Russo & Van Roy, "(More)
/// efficient reinforcement learning via posterior sampling", NIPS 2013): before each episode k,
/// draw one MDP M_k from the posterior and follow its optimal policy for the episode,
/// Q = ValueIteration(M_k).
public struct PSRL: PlanningMDPAlgorithm {
  public var priorMean: Double

  public init(priorMean: Double = 1) {
    self.priorMean = priorMean
  }

  public func plan(_ posterior: MDPPosterior, horizon: Int, random: inout RandomStream) -> QTable {
    ValueIteration.qTable(for: posterior.sampleModel(random: &random), horizon: horizon)
  }
}
