import RL2Math

// N posterior samples per episode.

/// Optimistic PSRL (TabulaRL's `OptimisticPSRL`, the variant the paper ran): before each episode,
/// draw N MDPs M_1, …, M_N from the posterior, plan each by value iteration, and act greedily on
/// the optimistic envelope Q_t(s, a) = max_i Q_t^{M_i}(s, a). The maximum is taken over the N
/// planned Q tables step by step, not inside one Bellman backup; N = 1 is PSRL.
public struct OPSRL: PlanningMDPAlgorithm {
  /// N, the posterior samples per episode (the paper searched 1…20).
  public var sampleCount: Int
  public var priorMean: Double

  public init(sampleCount: Int, priorMean: Double = 1) {
    precondition(sampleCount >= 1, "OPSRL needs at least one sample, got \(sampleCount)")
    self.sampleCount = sampleCount
    self.priorMean = priorMean
  }

  public func plan(_ posterior: MDPPosterior, horizon: Int, random: inout RandomStream) -> QTable {
    var envelope = ValueIteration.qTable(
      for: posterior.sampleModel(random: &random), horizon: horizon)
    for _ in 1..<sampleCount {
      envelope.formEnvelope(
        with: ValueIteration.qTable(for: posterior.sampleModel(random: &random), horizon: horizon))
    }
    return envelope
  }
}
