// H horizon, S states, A actions; t = 0..<H is the step within an episode, V_H = 0.

/// Finite-horizon value iteration, the planner of PSRL, OPSRL, BEB and ε-greedy.
public enum ValueIteration {
  /// Q_t(s, a) = μ(s, a) + Σ_s' P(s' | s, a)·V_{t+1}(s'), V_t(s) = max_a Q_t(s, a), V_H = 0, by
  /// backward induction over the H steps of an episode (Puterman 1994, §4.5).
  public static func qTable(for model: MDPModel, horizon: Int) -> QTable {
    let (S, A) = (model.stateCount, model.actionCount)
    return backwardInduction(stateCount: S, actionCount: A, horizon: horizon) { next, q in
      for pair in 0..<(S * A) {
        var value = model.meanRewards[pair]
        for nextState in 0..<S {
          value += model.transitions[pair * S + nextState] * next[nextState]
        }
        q[pair] = value
      }
    }
  }

  /// The time loop both planners share: from V_H = 0 back to t = 0, `backup(V_{t+1}, &Q_t)` fills
  /// Q_t(s, a) at [s·A + a] from the next step's values [S], and V_t(s) = max_a Q_t(s, a).
  static func backwardInduction(
    stateCount S: Int, actionCount A: Int, horizon: Int,
    backup: (_ nextValues: [Double], _ stepValues: inout [Double]) -> Void
  ) -> QTable {
    precondition(horizon >= 1, "planning needs a horizon of at least one step, got \(horizon)")
    var values = [Double](repeating: 0, count: horizon * S * A)
    var next = [Double](repeating: 0, count: S)
    var step = [Double](repeating: 0, count: S * A)
    for t in stride(from: horizon - 1, through: 0, by: -1) {
      backup(next, &step)
      values.replaceSubrange((t * S * A)..<((t + 1) * S * A), with: step)
      for s in 0..<S { next[s] = step[(s * A)..<((s + 1) * A)].max()! }
    }
    return QTable(horizon: horizon, stateCount: S, actionCount: A, values: values)
  }
}
