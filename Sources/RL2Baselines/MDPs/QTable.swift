import RL2Math

// H horizon (steps per episode), S states, A actions; t = 0..<H is the step within an episode.

/// Finite-horizon, non-stationary action values Q_t(s, a) for one episode, as the planners
/// produce them, and the greedy policy they define.
public struct QTable: Equatable, Sendable {
  public let horizon: Int
  public let stateCount: Int
  public let actionCount: Int
  /// Q_t(s, a) at [(t·S + s)·A + a].
  public var values: [Double]

  public init(horizon: Int, stateCount: Int, actionCount: Int, values: [Double]) {
    precondition(
      values.count == horizon * stateCount * actionCount,
      "a Q table has H·S·A = \(horizon * stateCount * actionCount) values, got \(values.count)")
    self.horizon = horizon
    self.stateCount = stateCount
    self.actionCount = actionCount
    self.values = values
  }

  /// Q_t(s, a).
  public func value(step: Int, state: Int, action: Int) -> Double {
    values[(step * stateCount + state) * actionCount + action]
  }

  /// V_t(s) = max_a Q_t(s, a).
  public func value(step: Int, state: Int) -> Double {
    let row = (step * stateCount + state) * actionCount
    return values[row..<(row + actionCount)].max()!
  }

  /// A maximizer of Q_t(s, ·), uniform among exact ties (as TabulaRL's `egreedy`). `random` is
  /// drawn from only when there is a tie, so an untied table consumes no numbers.
  public func greedyAction(step: Int, state: Int, random: inout RandomStream) -> Int {
    let row = (step * stateCount + state) * actionCount
    var (best, bestAction, ties) = (-Double.infinity, 0, 0)
    for a in 0..<actionCount {
      let q = values[row + a]
      if q > best {
        (best, bestAction, ties) = (q, a, 1)
      } else if q == best {
        ties += 1
      }
    }
    guard ties > 1 else { return bestAction }
    var chosen = random.integer(below: ties)
    for a in 0..<actionCount where values[row + a] == best {
      if chosen == 0 { return a }
      chosen -= 1
    }
    preconditionFailure("the tie count \(ties) at step \(step), state \(state) was wrong")
  }

  /// Replaces every Q_t(s, a) by max(Q_t(s, a), other's Q_t(s, a)): the optimistic envelope of
  /// several plans.
  public mutating func formEnvelope(with other: QTable) {
    precondition(
      other.horizon == horizon && other.stateCount == stateCount
        && other.actionCount == actionCount,
      "an envelope needs Q tables of the same shape, got H·S·A = \(horizon)·\(stateCount)·"
        + "\(actionCount) and \(other.horizon)·\(other.stateCount)·\(other.actionCount)")
    for i in values.indices { values[i] = max(values[i], other.values[i]) }
  }
}
