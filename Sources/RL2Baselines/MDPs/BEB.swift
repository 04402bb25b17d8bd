import RL2Math

/// Bayesian exploration bonus (Kolter & Ng, "Near-Bayesian exploration in polynomial time",
/// ICML 2009), as the paper describes it: value iteration in the posterior-mean MDP with every
/// mean reward raised by a bonus that fades with visits,
///
///     r̃(s, a) = μ̄(s, a) + β / (1 + n(s, a)).
///
/// (TabulaRL's `BEB` class instead scales its transition bonus by 2H³ and the remaining steps.)
public struct BEB: PlanningMDPAlgorithm {
  /// β, the bonus of an untried pair (the paper searched 21 log-spaced values in 1e-4…1).
  public var beta: Double
  public var priorMean: Double

  public init(beta: Double, priorMean: Double = 1) {
    precondition(beta >= 0, "the BEB bonus β must be non-negative, got \(beta)")
    self.beta = beta
    self.priorMean = priorMean
  }

  public func plan(_ posterior: MDPPosterior, horizon: Int, random: inout RandomStream) -> QTable {
    var model = posterior.meanModel()
    for pair in model.meanRewards.indices {
      model.meanRewards[pair] += beta / Double(1 + posterior.visitCounts[pair])
    }
    return ValueIteration.qTable(for: model, horizon: horizon)
  }
}
