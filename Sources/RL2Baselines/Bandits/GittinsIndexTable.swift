import Foundation

// Legend: s successes and f failures seen on an arm (posterior Beta(1 + s, 1 + f)), h remaining
// pulls, γ the discount, n the trial's pulls, N the discounted look-ahead's truncation depth.

/// Gittins indices of a Bernoulli arm under the uniform prior, tabulated for every state a trial
/// can reach, computed by `GittinsCalibration` and cached on disk.
///
/// - `.finiteHorizon(pulls: n)`: the exact finite-horizon index(s, f, h) for s + f + h ≤ n —
///   the payment λ per pull of a known arm that makes retiring to it for all h remaining pulls
///   exactly as good as pulling this arm once more and continuing optimally (undiscounted, with
///   the option to retire later). index(s, f, 1) is the posterior mean (1 + s)/(2 + s + f);
///   the index grows with h. About n³/6 states: 21 million for n = 500 (84 MB as Float32;
///   24 s on two cores shared with a training job, 0.3 s for n = 100, 1 ms for n = 10).
/// - `.discounted(γ, observations: m, truncation: N)`: the classical Gittins index(s, f) of the
///   γ-discounted infinite-horizon problem for s + f ≤ m. The look-ahead is cut at depth
///   s + f = N, where the arm is treated as known at its posterior mean. That terminal value is
///   a lower bound (information is worth something), too low by at most σ/(2(1 − γ)) with
///   σ ≤ 1/(2√(N + 3)) the posterior's standard deviation; the error reaches a state of depth d
///   discounted by γ^(N − d), and since D has slope ≤ −1 the index of (s, f) is too low by at
///   most γ^(N − d) / (4 (1 − γ) √(N + 3)). `discounted(_:pulls:)` sizes N (see `lookAhead`);
///   2.4 s or less per table on two shared cores.
///
/// Calibration on a grid of G λ values leaves each index in a certified bracket; the table
/// keeps its largest width as `calibrationError`, a pessimistic bound (the stored value is
/// exact, to Float precision, wherever D has at most one kink in the bracket, which is most
/// states; see `GittinsCalibration`).
///
///     let table = GittinsIndexTable.make(.finiteHorizon(pulls: 100), cacheDirectory: cache)
///     table.index(successes: 3, failures: 1, remainingPulls: 40)
public struct GittinsIndexTable: Sendable {
  public enum Kind: Hashable, Sendable {
    case finiteHorizon(pulls: Int)
    case discounted(discount: Double, observations: Int, truncation: Int)
  }

  public let kind: Kind
  /// G, the λ grid's intervals on [0, 1].
  public let gridIntervals: Int
  /// The largest bracket [max tangent root, secant root] left around any stored index: a
  /// certified bound on the calibration error (Float storage adds up to 6e-8).
  public let calibrationError: Double
  /// The indices in the kind's layout.
  let values: [Float]

  init(kind: Kind, gridIntervals: Int, calibrationError: Double, values: [Float]) {
    precondition(
      values.count == Self.count(of: kind),
      "a \(kind) table holds \(Self.count(of: kind)) indices, got \(values.count)")
    self.kind = kind
    self.gridIntervals = gridIntervals
    self.calibrationError = calibrationError
    self.values = values
  }

  /// G = 1029 (147 blocks of 7) for the finite-horizon tables, whose indices the Gittins
  /// policy is judged by: brackets of 1e-3; measured errors against a brute-force calibration
  /// at most 3e-8 for n = 10, 1.5e-5 for n = 30 and 2.3e-5 on 12 random states of n = 500 (D
  /// has more kinks per bracket the longer the horizon). G = 259 for the discounted tables,
  /// whose N² states cost more and which are approximations anyway (errors ≤ 2.2e-5 in
  /// `GittinsIndexTests`).
  public static func defaultGridIntervals(for kind: Kind) -> Int {
    switch kind {
    case .finiteHorizon: 1029
    case .discounted: 259
    }
  }

  /// Computes the table of `kind` (on every core by default).
  public static func build(
    _ kind: Kind, gridIntervals: Int? = nil,
    threads: Int = ProcessInfo.processInfo.activeProcessorCount
  ) -> GittinsIndexTable {
    let grid = gridIntervals ?? defaultGridIntervals(for: kind)
    let result: (values: [Float], largestBracket: Double)
    switch kind {
    case .finiteHorizon(let pulls):
      result = GittinsCalibration.finiteHorizon(
        horizon: pulls, gridIntervals: grid, threads: threads)
    case .discounted(let gamma, let observations, let truncation):
      result = GittinsCalibration.discounted(
        discount: gamma, observations: observations, truncation: truncation,
        gridIntervals: grid, threads: threads)
    }
    return GittinsIndexTable(
      kind: kind, gridIntervals: grid, calibrationError: result.largestBracket,
      values: result.values)
  }

  /// index(s, f, h) of a finite-horizon table; needs s + f + h ≤ n.
  @inline(__always)
  public func index(successes s: Int, failures f: Int, remainingPulls h: Int) -> Double {
    guard case .finiteHorizon(let pulls) = kind else {
      preconditionFailure("remaining pulls index a finite-horizon table, this is \(kind)")
    }
    precondition(
      h >= 1 && s + f + h <= pulls,
      "(s, f, h) = (\(s), \(f), \(h)) is outside the n = \(pulls) table")
    return Double(values[FiniteHorizonLayout.offset(successes: s, failures: f, remaining: h)])
  }

  /// index(s, f) of a discounted table; needs s + f ≤ m.
  @inline(__always)
  public func index(successes s: Int, failures f: Int) -> Double {
    guard case .discounted(_, let observations, _) = kind else {
      preconditionFailure(
        "a state without remaining pulls indexes a discounted table, this is \(kind)")
    }
    precondition(
      s + f <= observations, "(s, f) = (\(s), \(f)) is outside the m = \(observations) table")
    let d = s + f
    return Double(values[d * (d + 1) / 2 + s])
  }

  static func count(of kind: Kind) -> Int {
    switch kind {
    case .finiteHorizon(let pulls): FiniteHorizonLayout(horizon: pulls).count
    case .discounted(_, let m, _): (m + 1) * (m + 2) / 2
    }
  }

  /// N − m for γ: at least enough pulls that γ^(N − m) / (4(1 − γ)) < 10⁻⁸ (184 for γ = 0.9,
  /// 2153 for 0.99), at most 4000, where the bound is only 0.07 for γ = 0.999 and vacuous for
  /// 0.9999. Measured instead, by doubling N − m for the tables of m = 499: γ ≤ 0.99 do not
  /// change at all (in Float); γ = 0.999 changes by ≤ 2e-7 for s + f ≤ 100 and ≤ 1.1e-3 near
  /// s + f = 499; γ = 0.9999 by ≤ 1.9e-3 — its indices are those of a 4000-pull look-ahead.
  public static func lookAhead(for gamma: Double) -> Int {
    let needed = (log(1e-8 * 4 * (1 - gamma)) / log(gamma)).rounded(.up)
    return min(4000, max(100, Int(needed)))
  }

  /// Observations every discounted table covers, so that one table per γ serves every trial of
  /// up to 500 pulls (Table 1's longest): the cost is the look-ahead's, whatever m.
  public static let discountedObservations = 499

  /// The discounted table for trials of `pulls` pulls (s + f ≤ n − 1 at every decision).
  public static func discounted(_ gamma: Double, pulls: Int) -> Kind {
    precondition(gamma > 0 && gamma < 1, "the discount must lie in (0, 1), got \(gamma)")
    let observations = max(pulls - 1, discountedObservations)
    return .discounted(
      discount: gamma, observations: observations, truncation: observations + lookAhead(for: gamma))
  }
}

/// Where index(s, f, h) of a finite-horizon table lives: grouped by e = s + f + h (the states
/// one calibration chain computes), then by h, then by s.
struct FiniteHorizonLayout {
  let horizon: Int

  /// Σ_{e ≤ n} e(e + 1)/2 = n(n + 1)(n + 2)/6.
  var count: Int { horizon * (horizon + 1) * (horizon + 2) / 6 }

  /// Chains e′ < e hold (e − 1)e(e + 1)/6 states; rows h′ < h of chain e hold
  /// Σ_{h′ < h} (e − h′ + 1) = (h − 1)(e + 1) − (h − 1)h/2.
  @inline(__always)
  static func offset(successes s: Int, failures f: Int, remaining h: Int) -> Int {
    let e = s + f + h
    return (e - 1) * e * (e + 1) / 6 + (h - 1) * (e + 1) - (h - 1) * h / 2 + s
  }
}
