import Foundation
import RL2Math

// S states, A actions; n(s, a) visits of (s, a); t steps taken before the current episode.

/// UCRL2 (Jaksch, Ortner & Auer, "Near-optimal regret bounds for reinforcement learning",
/// JMLR 11, 2010), episodic as in TabulaRL: before each episode, extended value iteration over
/// the confidence set around the empirical MDP (r̂, P̂) with the paper's widths (its eqs. 3–4)
///
///     d_r(s, a) = scale · √( 7 ln(2 S A t / δ) / (2 max(1, n(s, a))) ),
///     d_p(s, a) = scale · √( 14 S ln(2 A t / δ) / max(1, n(s, a)) ),
///
/// with t = max(1, steps taken so far) (Jaksch's t_k, the time at which episode k starts). The
/// scale shrinks both widths; the paper searched it over 21 log-spaced values in 1e-4…1.
/// Rewards are not clipped, since they are Gaussian rather than in [0, 1].
public struct UCRL2: PlanningMDPAlgorithm {
  /// δ, the allowed probability that the true MDP leaves the confidence set.
  public var delta: Double
  public var scale: Double
  /// The reward estimate of a pair never tried (the empirical mean is undefined there).
  public var priorMean: Double

  public init(scale: Double, delta: Double = 0.05, priorMean: Double = 1) {
    precondition(scale >= 0, "the UCRL2 width scale must be non-negative, got \(scale)")
    precondition(delta > 0 && delta < 1, "UCRL2's δ must lie in (0, 1), got \(delta)")
    self.scale = scale
    self.delta = delta
    self.priorMean = priorMean
  }

  public func plan(_ posterior: MDPPosterior, horizon: Int, random: inout RandomStream) -> QTable {
    let widths = confidenceWidths(posterior)
    return ExtendedValueIteration.qTable(
      for: posterior.empiricalModel(), rewardWidths: widths.reward,
      transitionWidths: widths.transition, horizon: horizon)
  }

  /// d_r and d_p for every pair [S·A], from the counts and the steps so far.
  public func confidenceWidths(_ posterior: MDPPosterior) -> (
    reward: [Double], transition: [Double]
  ) {
    let (S, A) = (Double(posterior.stateCount), Double(posterior.actionCount))
    let t = Double(max(1, posterior.stepCount))
    let rewardLog = log(2 * S * A * t / delta)
    let transitionLog = log(2 * A * t / delta)
    let visits = posterior.visitCounts.map { Double(max(1, $0)) }
    return (
      visits.map { scale * (7 * rewardLog / (2 * $0)).squareRoot() },
      visits.map { scale * (14 * S * transitionLog / $0).squareRoot() }
    )
  }
}
