// S states, A actions.

/// A tabular model an agent plans with: transition probabilities and mean rewards it estimated or
/// sampled from its posterior, in the layout of `TabularMDP`. It has no horizon and no dynamics;
/// the planners add the horizon.
public struct MDPModel: Equatable, Sendable {
  public let stateCount: Int
  public let actionCount: Int
  /// P(s' | s, a) at [(s·A + a)·S + s'].
  public var transitions: [Double]
  /// μ(s, a) at [s·A + a].
  public var meanRewards: [Double]

  public init(stateCount: Int, actionCount: Int, transitions: [Double], meanRewards: [Double]) {
    precondition(
      stateCount >= 1 && actionCount >= 1,
      "a model needs at least one state and one action, got S = \(stateCount), A = \(actionCount)")
    precondition(
      transitions.count == stateCount * actionCount * stateCount,
      "transitions has \(transitions.count) entries, expected S·A·S = "
        + "\(stateCount * actionCount * stateCount)")
    precondition(
      meanRewards.count == stateCount * actionCount,
      "meanRewards has \(meanRewards.count) entries, expected S·A = \(stateCount * actionCount)")
    self.stateCount = stateCount
    self.actionCount = actionCount
    self.transitions = transitions
    self.meanRewards = meanRewards
  }

  /// P(s' | s, a).
  public func probability(from state: Int, taking action: Int, to nextState: Int) -> Double {
    transitions[(state * actionCount + action) * stateCount + nextState]
  }

  /// μ(s, a).
  public func meanReward(state: Int, action: Int) -> Double {
    meanRewards[state * actionCount + action]
  }
}
