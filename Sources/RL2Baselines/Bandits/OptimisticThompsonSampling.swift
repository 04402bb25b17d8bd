import Foundation
import RL2Envs
import RL2Math

// Legend: k arms, N posterior samples per pull.

/// Optimistic Thompson sampling: Thompson sampling with N posterior draws per pull instead of
/// one, N ∈ 1…20 in the paper (N = 1 is Thompson sampling). Two ways of using the draws:
///
/// - `.largest` — the optimism of Chapelle & Li ("An empirical evaluation of Thompson
///   sampling", NIPS 2011) and May et al. ("Optimistic Bayesian sampling in contextual-bandit
///   problems", JMLR 13, 2012), as the paper describes OTS: every arm's score is the largest of
///   its N draws from Beta(1 + s_i, 1 + f_i), so arms with wide posteriors gain.
/// - `.mostProbable` — what the authors' code ran for Table 1: draw N joint samples
///   p̃⁽¹⁾…p̃⁽ᴺ⁾ ∈ [0, 1]ᵏ, keep the one of highest posterior density
///   Σ_i [s_i log p̃_i + f_i log(1 − p̃_i)] (the Beta normalizers are common to all draws), and
///   pull its best arm. This pulls toward the posterior mode, so it explores less than Thompson
///   sampling, not more.
///
/// Ties go at random; every draw comes from `random`.
public struct OptimisticThompsonSampling: BanditAlgorithm {
  public enum Selection: String, Sendable {
    case largest
    case mostProbable = "most probable"
  }

  /// N, the posterior draws per pull (per arm for `.largest`, joint for `.mostProbable`).
  public let samples: Int
  public let selection: Selection

  public init(samples: Int, selection: Selection = .largest) {
    precondition(samples >= 1, "OTS needs at least one posterior draw, got \(samples)")
    self.samples = samples
    self.selection = selection
  }

  public func play(
    _ bandit: BernoulliBandit, pulls: Int, dynamics: inout RandomStream,
    random: inout RandomStream
  ) -> [Double] {
    var statistics = BetaStatistics(arms: bandit.actionCount)
    return (0..<pulls).map { _ in
      let scores =
        selection == .largest
        ? largestDraws(statistics, random: &random)
        : mostProbableDraw(statistics, random: &random)
      let arm = random.argmaxBreakingTies(count: scores.count) { scores[$0] }
      return statistics.pull(arm, of: bandit, dynamics: &dynamics)
    }
  }

  /// max_j p̃_i⁽ʲ⁾ for every arm [k].
  func largestDraws(_ statistics: BetaStatistics, random: inout RandomStream) -> [Double] {
    (0..<statistics.arms).map { i in
      let posterior = BetaShape(statistics.alpha(of: i), statistics.beta(of: i))
      var largest = posterior.draw(random: &random)
      for _ in 1..<samples { largest = max(largest, posterior.draw(random: &random)) }
      return largest
    }
  }

  /// The joint draw of highest posterior density among N [k].
  func mostProbableDraw(_ statistics: BetaStatistics, random: inout RandomStream) -> [Double] {
    var best: [Double] = []
    var bestLogDensity = -Double.infinity
    var draw = [Double](repeating: 0, count: statistics.arms)
    let posteriors = draw.indices.map {
      BetaShape(statistics.alpha(of: $0), statistics.beta(of: $0))
    }
    for _ in 0..<samples {
      var logDensity = 0.0
      for i in draw.indices {
        draw[i] = posteriors[i].draw(random: &random)
        logDensity += Self.logLikelihood(
          draw[i], successes: statistics.successes[i], failures: statistics.failures[i])
      }
      if best.isEmpty || logDensity > bestLogDensity { (best, bestLogDensity) = (draw, logDensity) }
    }
    return best
  }

  /// s log p + f log(1 − p), with 0 · log 0 = 0.
  static func logLikelihood(_ p: Double, successes s: Int, failures f: Int) -> Double {
    (s == 0 ? 0 : Double(s) * log(p)) + (f == 0 ? 0 : Double(f) * log(1 - p))
  }
}
