import RL2Math

/// A deterministic corridor with early termination: a small, fast task for tests and smoke runs
/// of the trainer.
///
/// Cells 0..<length; every episode starts in cell 0. Action `forwardAction` moves one cell
/// forward, the other action one cell back (staying put in cell 0). Entering the last cell pays 1
/// and ends the episode; every other step pays 0. Which action is forward is drawn per task, so
/// an agent that remembers the first episode finds the goal faster in the later ones.
public struct Corridor: Environment, Equatable {
  public let length: Int
  public let horizon: Int
  /// The action (0 or 1) that moves towards the goal.
  public let forwardAction: Int

  public init(length: Int, horizon: Int, forwardAction: Int) {
    precondition(length >= 2, "a corridor needs at least two cells, got \(length)")
    precondition(horizon >= 1, "a corridor's horizon must be at least 1, got \(horizon)")
    precondition(forwardAction == 0 || forwardAction == 1, "forwardAction must be 0 or 1")
    self.length = length
    self.horizon = horizon
    self.forwardAction = forwardAction
  }

  public var stateCount: Int { length }
  public var actionCount: Int { 2 }
  /// 1 when the goal, length − 1 steps away, is reachable within the horizon.
  public var optimalEpisodeReturn: Double { horizon >= length - 1 ? 1 : 0 }

  public func initialState(random: inout RandomStream) -> Int { 0 }

  public func step(state: Int, action: Int, random: inout RandomStream) -> StepOutcome {
    precondition(state >= 0 && state < length - 1, "state \(state) not in 0..<\(length - 1)")
    precondition(action == 0 || action == 1, "action \(action) not in 0..<2")
    let nextState = action == forwardAction ? state + 1 : max(state - 1, 0)
    let reachedGoal = nextState == length - 1
    return StepOutcome(reward: reachedGoal ? 1 : 0, nextState: nextState, terminal: reachedGoal)
  }
}

/// Corridors whose forward action is 0 or 1 with equal probability.
public struct CorridorDistribution: TaskDistribution {
  public let length: Int
  public let horizon: Int

  public init(length: Int, horizon: Int) {
    precondition(length >= 2 && horizon >= 1, "need length ≥ 2 and horizon ≥ 1")
    self.length = length
    self.horizon = horizon
  }

  public var stateCount: Int { length }
  public var actionCount: Int { 2 }
  public var name: String { "corridor-l\(length)-h\(horizon)" }

  public func sampleTask(random: inout RandomStream) -> Corridor {
    Corridor(length: length, horizon: horizon, forwardAction: random.integer(below: 2))
  }
}
