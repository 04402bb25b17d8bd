// H horizon, S states, A actions; t = 0..<H is the step within an episode, V_H = 0.

/// Finite-horizon extended value iteration, UCRL2's planner (Jaksch, Ortner & Auer, "Near-optimal
/// regret bounds for reinforcement learning", JMLR 11, 2010, §3.1.2 and Figure 2; in the episodic
/// form of TabulaRL's `compute_qVals_EVI`). It plans in the most optimistic MDP of the set
///
///     M = { (r, P) : |r(s, a) − r̂(s, a)| ≤ d_r(s, a),  ‖P(· | s, a) − P̂(· | s, a)‖₁ ≤ d_p(s, a) }
///
/// one step at a time, so each step may use a different member of M.
public enum ExtendedValueIteration {
  /// Q_t(s, a) = r̂(s, a) + d_r(s, a) + max_{p ∈ Δ_S, ‖p − P̂(· | s, a)‖₁ ≤ d_p(s, a)} Σ_s' p(s')·V_{t+1}(s'),
  /// V_t(s) = max_a Q_t(s, a), V_H = 0. The inner maximum is `optimisticTransition`. `estimate`
  /// holds r̂ and P̂; `rewardWidths` d_r and `transitionWidths` d_p are [S·A] at [s·A + a]. The
  /// inputs are read only.
  public static func qTable(
    for estimate: MDPModel, rewardWidths: [Double], transitionWidths: [Double], horizon: Int
  ) -> QTable {
    let (S, A) = (estimate.stateCount, estimate.actionCount)
    precondition(
      rewardWidths.count == S * A && transitionWidths.count == S * A,
      "extended value iteration needs S·A = \(S * A) widths of each kind, got "
        + "\(rewardWidths.count) reward and \(transitionWidths.count) transition widths")
    precondition(
      rewardWidths.allSatisfy { $0 >= 0 } && transitionWidths.allSatisfy { $0 >= 0 },
      "confidence widths must be non-negative")
    return ValueIteration.backwardInduction(stateCount: S, actionCount: A, horizon: horizon) {
      next, q in
      let ascending = ascendingOrder(of: next)
      var optimistic = [Double](repeating: 0, count: S)
      for pair in 0..<(S * A) {
        moveMassToTheBest(
          from: estimate.transitions, row: pair * S, radius: transitionWidths[pair],
          ascending: ascending, into: &optimistic)
        var value = estimate.meanRewards[pair] + rewardWidths[pair]
        for nextState in 0..<S { value += optimistic[nextState] * next[nextState] }
        q[pair] = value
      }
    }
  }

  /// argmax_{p ∈ Δ_S, ‖p − p̂‖₁ ≤ d} Σ_s' p(s')·v(s') (Jaksch et al. 2010, Figure 2): start from p̂,
  /// raise the best next state s* = argmax v to min(1, p̂(s*) + d/2), and take the added mass away
  /// from the worst states first. [S] each.
  public static func optimisticTransition(
    from estimate: [Double], radius: Double, nextValues: [Double]
  ) -> [Double] {
    precondition(
      estimate.count == nextValues.count,
      "a transition row of \(estimate.count) states needs as many next values, got "
        + "\(nextValues.count)")
    precondition(radius >= 0, "the L1 radius must be non-negative, got \(radius)")
    var optimistic = [Double](repeating: 0, count: estimate.count)
    moveMassToTheBest(
      from: estimate, row: 0, radius: radius, ascending: ascendingOrder(of: nextValues),
      into: &optimistic)
    return optimistic
  }

  /// States by increasing value, ties by index, so the plan does not depend on sort stability.
  static func ascendingOrder(of values: [Double]) -> [Int] {
    values.indices.sorted { (values[$0], $0) < (values[$1], $1) }
  }

  /// Writes the optimistic version of the row P̂(· | pair) stored at transitions[row..<row + S]
  /// into `optimistic` [S]; `ascending` lists the states from worst to best.
  private static func moveMassToTheBest(
    from transitions: [Double], row: Int, radius: Double, ascending: [Int],
    into optimistic: inout [Double]
  ) {
    let S = ascending.count
    for nextState in 0..<S { optimistic[nextState] = transitions[row + nextState] }
    let best = ascending[S - 1]
    var excess = max(0, min(radius / 2, 1 - optimistic[best]))
    optimistic[best] += excess
    for worst in ascending.dropLast() where excess > 0 {
      let removed = min(optimistic[worst], excess)
      optimistic[worst] -= removed
      excess -= removed
    }
  }
}
