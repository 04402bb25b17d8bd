import RL2Math

/// ε-greedy against the posterior-mean MDP (TabulaRL's `EpsilonGreedy`): before each episode,
/// plan by value iteration in the posterior-mean MDP; at each step take a uniformly random action
/// with probability ε and the planned greedy action otherwise. ε = 0 is the Greedy column.
public struct MDPEpsilonGreedy: PlanningMDPAlgorithm {
  /// ε, the exploration probability (the paper searched 0.1, 0.2, …, 1).
  public var epsilon: Double
  public var priorMean: Double

  public init(epsilon: Double, priorMean: Double = 1) {
    precondition(epsilon >= 0 && epsilon <= 1, "ε must lie in [0, 1], got \(epsilon)")
    self.epsilon = epsilon
    self.priorMean = priorMean
  }

  public var explorationProbability: Double { epsilon }

  public func plan(_ posterior: MDPPosterior, horizon: Int, random: inout RandomStream) -> QTable {
    ValueIteration.qTable(for: posterior.meanModel(), horizon: horizon)
  }
}
