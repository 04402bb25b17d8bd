import Foundation

/// The closed-form approximation of the discounted Gittins index of Brezzi & Lai ("Optimal
/// learning and experimentation in bandit problems", J. Economic Dynamics & Control 27, 2002),
/// for a Bernoulli arm with posterior Beta(α, β), mean μ = α/(α + β) and n = α + β:
///
///     index ≈ μ + σ · ψ(σ² / (ρ² ln(1/γ))),   σ² = μ(1 − μ)/(n + 1),   ρ² = μ(1 − μ),
///
/// so the argument is 1/((n + 1) ln(1/γ)), and ψ(s) = √(s/2) for s ≤ 0.2, 0.49 − 0.11 s^(−1/2)
/// for s ≤ 1, 0.63 − 0.26 s^(−1/2) for s ≤ 5, 0.77 − 0.58 s^(−1/2) for s ≤ 15, and
/// (2 ln s − ln ln s − ln 16π)^(1/2) beyond.
public enum BrezziLai {
  public static func index(successes s: Int, failures f: Int, discount gamma: Double) -> Double {
    let (alpha, beta) = (1 + Double(s), 1 + Double(f))
    let n = alpha + beta
    let mean = alpha / n
    let sigma = (mean * (1 - mean) / (n + 1)).squareRoot()
    return mean + sigma * psi(1 / ((n + 1) * log(1 / gamma)))
  }

  static func psi(_ s: Double) -> Double {
    switch s {
    case ...0.2: (s / 2).squareRoot()
    case ...1: 0.49 - 0.11 / s.squareRoot()
    case ...5: 0.63 - 0.26 / s.squareRoot()
    case ...15: 0.77 - 0.58 / s.squareRoot()
    default: (2 * log(s) - log(log(s)) - log(16 * Double.pi)).squareRoot()
    }
  }
}
