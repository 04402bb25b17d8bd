import RL2Math

/// A k-armed Bernoulli bandit: one state, k actions, and an episode is a single pull, so a trial
/// of n episodes is n pulls of the same bandit (RL², section 4.1).
///
/// Pulling arm a pays 1 with probability p_a and 0 otherwise.
public struct BernoulliBandit: Environment, Equatable {
  /// p_a, the success probability of each arm.
  public let probabilities: [Double]

  public init(probabilities: [Double]) {
    precondition(!probabilities.isEmpty, "a bandit needs at least one arm")
    precondition(
      probabilities.allSatisfy { $0 >= 0 && $0 <= 1 },
      "arm probabilities must lie in [0, 1], got \(probabilities)")
    self.probabilities = probabilities
  }

  public var stateCount: Int { 1 }
  public var actionCount: Int { probabilities.count }
  public var horizon: Int { 1 }
  /// max_a p_a: the oracle pulls the best arm every time.
  public var optimalEpisodeReturn: Double { probabilities.max()! }

  public func initialState(random: inout RandomStream) -> Int { 0 }

  public func step(state: Int, action: Int, random: inout RandomStream) -> StepOutcome {
    precondition(state == 0, "a bandit has the single state 0, got \(state)")
    precondition(action >= 0 && action < actionCount, "arm \(action) not in 0..<\(actionCount)")
    return StepOutcome(reward: random.bernoulli(probabilities[action]) ? 1 : 0, nextState: 0)
  }
}

/// Bernoulli bandits with p_i ~ U[0, 1] independently (RL², Table 1). The expected best arm is
/// E[max p] = k/(k+1), so an oracle earns n·k/(k+1) over n pulls.
public struct BernoulliBanditDistribution: TaskDistribution {
  public let arms: Int

  public init(arms: Int) {
    precondition(arms >= 1, "a bandit needs at least one arm, got \(arms)")
    self.arms = arms
  }

  public var stateCount: Int { 1 }
  public var actionCount: Int { arms }
  public var horizon: Int { 1 }
  public var name: String { "bandit-k\(arms)" }

  public func sampleTask(random: inout RandomStream) -> BernoulliBandit {
    BernoulliBandit(probabilities: (0..<arms).map { _ in random.uniform() })
  }
}
