/// Sample statistics used to report results the way the paper does: mean ± standard error over
/// instances, with a one-sided Welch t-test to mark methods not significantly worse than the best.
public enum Statistics {
  public static func mean<C: Collection>(_ values: C) -> Double
  where C.Element: BinaryFloatingPoint {
    precondition(!values.isEmpty, "mean of an empty sample")
    return values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
  }

  /// Unbiased sample variance (divisor n − 1); zero for a single value.
  public static func variance<C: Collection>(_ values: C) -> Double
  where C.Element: BinaryFloatingPoint {
    guard values.count > 1 else { return 0 }
    let m = mean(values)
    let squares = values.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) }
    return squares / Double(values.count - 1)
  }

  /// Standard error of the mean, s / √n.
  public static func standardError<C: Collection>(_ values: C) -> Double
  where C.Element: BinaryFloatingPoint {
    (variance(values) / Double(values.count)).squareRoot()
  }
}

/// Welch's unequal-variance t-test of H₁: mean(a) > mean(b) (one-sided).
///
/// t = (x̄ₐ − x̄_b) / √(sₐ²/nₐ + s_b²/n_b), with the Welch–Satterthwaite degrees of freedom
/// ν = (sₐ²/nₐ + s_b²/n_b)² / ((sₐ²/nₐ)²/(nₐ−1) + (s_b²/n_b)²/(n_b−1)); p = P(T_ν > t).
public struct WelchTest: Sendable {
  public let t: Double
  public let degreesOfFreedom: Double
  /// One-sided p-value for "a is larger than b".
  public let pValue: Double

  public init<C: Collection>(_ a: C, _ b: C) where C.Element: BinaryFloatingPoint {
    precondition(a.count > 1 && b.count > 1, "Welch's test needs at least two values per sample")
    let wa = Statistics.variance(a) / Double(a.count)
    let wb = Statistics.variance(b) / Double(b.count)
    let difference = Statistics.mean(a) - Statistics.mean(b)
    let pooled = wa + wb
    if pooled == 0 {
      t = difference == 0 ? 0 : (difference > 0 ? .infinity : -.infinity)
      degreesOfFreedom = Double(a.count + b.count - 2)
      pValue = difference > 0 ? 0 : (difference < 0 ? 1 : 0.5)
      return
    }
    t = difference / pooled.squareRoot()
    degreesOfFreedom =
      pooled * pooled / (wa * wa / Double(a.count - 1) + wb * wb / Double(b.count - 1))
    pValue = StudentT.survival(t, degreesOfFreedom: degreesOfFreedom)
  }

  /// Whether the test rejects "a is not larger than b" at level `alpha`.
  public func isSignificant(at alpha: Double = 0.05) -> Bool { pValue < alpha }
}

/// Student's t distribution.
public enum StudentT {
  /// P(T_ν > t) = ½·I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0, and 1 minus that for t < 0.
  public static func survival(_ t: Double, degreesOfFreedom nu: Double) -> Double {
    precondition(nu > 0, "degrees of freedom must be positive, got \(nu)")
    if t.isInfinite { return t > 0 ? 0 : 1 }
    let tail = 0.5 * IncompleteBeta.regularized(x: nu / (nu + t * t), a: nu / 2, b: 0.5)
    return t >= 0 ? tail : 1 - tail
  }

  /// P(T_ν ≤ t).
  public static func cdf(_ t: Double, degreesOfFreedom nu: Double) -> Double {
    1 - survival(t, degreesOfFreedom: nu)
  }
}

/// The regularized incomplete beta function I_x(a, b).
public enum IncompleteBeta {
  /// I_x(a, b) = x^a (1−x)^b / (a·B(a, b)) · 1/(1+ d₁/(1+ d₂/(1+ …))), evaluated by the
  /// modified Lentz method; the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) keeps the continued
  /// fraction in its fast-converging region x < (a+1)/(a+b+2).
  public static func regularized(x: Double, a: Double, b: Double) -> Double {
    precondition(a > 0 && b > 0, "incomplete beta needs a, b > 0")
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logFront =
      LibM.lgamma(a + b) - LibM.lgamma(a) - LibM.lgamma(b) + a * LibM.log(x) + b
      * LibM.log(1 - x)
    let front = LibM.exp(logFront)
    if x < (a + 1) / (a + b + 2) {
      return front * continuedFraction(x: x, a: a, b: b) / a
    }
    return 1 - front * continuedFraction(x: 1 - x, a: b, b: a) / b
  }

  private static func continuedFraction(x: Double, a: Double, b: Double) -> Double {
    let tiny = 1e-300
    var c = 1.0
    var d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var result = d
    for m in 1...300 {
      let m = Double(m)
      for coefficient in [
        m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
        -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
      ] {
        d = 1 + coefficient * d
        if abs(d) < tiny { d = tiny }
        c = 1 + coefficient / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        result *= d * c
      }
      if abs(d * c - 1) < 1e-15 { break }
    }
    return result
  }
}
