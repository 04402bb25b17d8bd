import RL2Math

// S states, A actions, H horizon (steps per episode).

/// A finite-horizon tabular MDP with Gaussian rewards (RL², section 4.2): every episode starts in
/// state 0 and lasts exactly `horizon` steps; taking a in s pays r ~ N(μ(s, a), σ²) and moves to
/// s' ~ P(· | s, a).
public struct TabularMDP: Environment, Equatable {
  public let stateCount: Int
  public let actionCount: Int
  public let horizon: Int
  /// P(s' | s, a) at [(s·A + a)·S + s'].
  public let transitions: [Double]
  /// μ(s, a) at [s·A + a]; rewards are N(μ(s,a), rewardStandardDeviation²).
  public let meanRewards: [Double]
  public let rewardStandardDeviation: Double
  /// V*₀(0), computed once by value iteration.
  public let optimalEpisodeReturn: Double

  public init(
    stateCount: Int, actionCount: Int, horizon: Int, transitions: [Double], meanRewards: [Double],
    rewardStandardDeviation: Double = 1
  ) {
    precondition(
      stateCount >= 1 && actionCount >= 1 && horizon >= 1,
      "an MDP needs at least one state, one action and one step, got S = \(stateCount), "
        + "A = \(actionCount), H = \(horizon)")
    precondition(
      transitions.count == stateCount * actionCount * stateCount,
      "transitions has \(transitions.count) entries, expected S·A·S = "
        + "\(stateCount * actionCount * stateCount)")
    precondition(
      meanRewards.count == stateCount * actionCount,
      "meanRewards has \(meanRewards.count) entries, expected S·A = \(stateCount * actionCount)")
    precondition(
      rewardStandardDeviation >= 0, "reward standard deviation must be non-negative")
    self.stateCount = stateCount
    self.actionCount = actionCount
    self.horizon = horizon
    self.transitions = transitions
    self.meanRewards = meanRewards
    self.rewardStandardDeviation = rewardStandardDeviation
    self.optimalEpisodeReturn =
      Self.backwardInduction(
        stateCount: stateCount, actionCount: actionCount, horizon: horizon,
        transitions: transitions, meanRewards: meanRewards
      ).values[0][0]
  }

  /// P(s' | s, a).
  public func probability(from state: Int, taking action: Int, to nextState: Int) -> Double {
    transitions[(state * actionCount + action) * stateCount + nextState]
  }

  /// μ(s, a).
  public func meanReward(state: Int, action: Int) -> Double {
    meanRewards[state * actionCount + action]
  }

  public func initialState(random: inout RandomStream) -> Int { 0 }

  /// Draws the reward first, then the next state.
  public func step(state: Int, action: Int, random: inout RandomStream) -> StepOutcome {
    precondition(state >= 0 && state < stateCount, "state \(state) not in 0..<\(stateCount)")
    precondition(action >= 0 && action < actionCount, "action \(action) not in 0..<\(actionCount)")
    let reward = random.normal(
      mean: meanReward(state: state, action: action),
      standardDeviation: rewardStandardDeviation)
    let row = (state * actionCount + action) * stateCount
    let nextState = transitions.withUnsafeBufferPointer {
      random.index(weightedBy: UnsafeBufferPointer(rebasing: $0[row..<(row + stateCount)]))
    }
    return StepOutcome(reward: reward, nextState: nextState)
  }

  /// Finite-horizon optimal values: V_t(s) for t = 0…horizon (V_horizon = 0), and a greedy optimal
  /// action table.
  ///
  /// Backward induction (Puterman 1994, §4.5): Q_t(s, a) = μ(s, a) + Σ_s' P(s' | s, a)·V_{t+1}(s'),
  /// V_t(s) = max_a Q_t(s, a), and `actions[t][s]` is the lowest-numbered maximizing a.
  /// `values` has horizon + 1 rows of S values; `actions` has horizon rows.
  public func optimalValues() -> (values: [[Double]], actions: [[Int]]) {
    Self.backwardInduction(
      stateCount: stateCount, actionCount: actionCount, horizon: horizon,
      transitions: transitions, meanRewards: meanRewards)
  }

  private static func backwardInduction(
    stateCount S: Int, actionCount A: Int, horizon: Int, transitions: [Double],
    meanRewards: [Double]
  ) -> (values: [[Double]], actions: [[Int]]) {
    var values = [[Double]](repeating: [Double](repeating: 0, count: S), count: horizon + 1)
    var actions = [[Int]](repeating: [Int](repeating: 0, count: S), count: horizon)
    for t in stride(from: horizon - 1, through: 0, by: -1) {
      let next = values[t + 1]
      for s in 0..<S {
        var (best, bestAction) = (-Double.infinity, 0)
        for a in 0..<A {
          let row = (s * A + a) * S
          var q = meanRewards[s * A + a]
          for nextState in 0..<S { q += transitions[row + nextState] * next[nextState] }
          if q > best { (best, bestAction) = (q, a) }
        }
        values[t][s] = best
        actions[t][s] = bestAction
      }
    }
    return (values, actions)
  }
}

/// Random tabular MDPs (RL², section 4.2 and Table 2): each row P(· | s, a) ~ Dirichlet(1, …, 1),
/// μ(s, a) ~ N(rewardMeanPriorMean, rewardMeanPriorStandardDeviation²), rewards N(μ(s, a), 1).
public struct RandomMDPDistribution: TaskDistribution {
  public let stateCount: Int
  public let actionCount: Int
  public let horizon: Int
  public let rewardMeanPriorMean: Double
  public let rewardMeanPriorStandardDeviation: Double

  public init(
    stateCount: Int = 10, actionCount: Int = 5, horizon: Int = 10,
    rewardMeanPriorMean: Double = 1, rewardMeanPriorStandardDeviation: Double = 1
  ) {
    precondition(
      stateCount >= 1 && actionCount >= 1 && horizon >= 1,
      "an MDP needs at least one state, one action and one step")
    precondition(
      rewardMeanPriorStandardDeviation >= 0, "the prior's standard deviation must be non-negative")
    self.stateCount = stateCount
    self.actionCount = actionCount
    self.horizon = horizon
    self.rewardMeanPriorMean = rewardMeanPriorMean
    self.rewardMeanPriorStandardDeviation = rewardMeanPriorStandardDeviation
  }

  /// "mdp-s10-a5-h10"; a prior other than the paper's N(1, 1) is appended, as in
  /// "mdp-s10-a5-h10-mu0-sd2".
  public var name: String {
    let base = "mdp-s\(stateCount)-a\(actionCount)-h\(horizon)"
    if rewardMeanPriorMean == 1 && rewardMeanPriorStandardDeviation == 1 { return base }
    return base
      + "-mu\(compact(rewardMeanPriorMean))-sd\(compact(rewardMeanPriorStandardDeviation))"
  }

  /// Draws all transition rows (state-major, then action), then all mean rewards.
  public func sampleTask(random: inout RandomStream) -> TabularMDP {
    var transitions: [Double] = []
    transitions.reserveCapacity(stateCount * actionCount * stateCount)
    for _ in 0..<(stateCount * actionCount) {
      transitions += random.dirichlet(flat: stateCount)
    }
    let meanRewards = (0..<(stateCount * actionCount)).map { _ in
      random.normal(mean: rewardMeanPriorMean, standardDeviation: rewardMeanPriorStandardDeviation)
    }
    return TabularMDP(
      stateCount: stateCount, actionCount: actionCount, horizon: horizon,
      transitions: transitions, meanRewards: meanRewards)
  }
}

/// "2" for 2.0, "0.5" for 0.5.
private func compact(_ value: Double) -> String {
  value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
}
