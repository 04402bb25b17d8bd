// Legend: T steps, B trials; step-indexed arrays are time-major (trial b, step t at t·B + b).

/// Returns and generalized advantage estimates over whole trials.
///
/// The trial is the unit: discounting and GAE run straight across the boundaries between the
/// episodes inside a trial, and only the end of the trial is terminal (RL², section 2.2).
public enum Advantages {
  /// Discounted return from each step to the end of its trial: Rₜ = rₜ + γ·Rₜ₊₁, R = 0 after the
  /// trial's last live step.
  public static func discountedReturns(
    rewards: [Float], live: [Bool], stepCount T: Int, trialCount B: Int, discount: Double
  ) -> [Float] {
    var returns = [Float](repeating: 0, count: T * B)
    for b in 0..<B {
      var running = 0.0
      for t in stride(from: T - 1, through: 0, by: -1) where live[t * B + b] {
        running = Double(rewards[t * B + b]) + discount * running
        returns[t * B + b] = Float(running)
      }
    }
    return returns
  }

  /// GAE(γ, λ) (Schulman et al. 2016): δₜ = rₜ + γ·V(sₜ₊₁) − V(sₜ), Âₜ = Σₖ (γλ)ᵏ δₜ₊ₖ, with
  /// V = 0 after the trial's last live step. Steps where the trial is not live get 0.
  public static func generalizedAdvantages(
    rewards: [Float], values: [Float], live: [Bool], stepCount T: Int, trialCount B: Int,
    discount: Double, lambda: Double
  ) -> [Float] {
    var advantages = [Float](repeating: 0, count: T * B)
    for b in 0..<B {
      var nextValue = 0.0
      var running = 0.0
      for t in stride(from: T - 1, through: 0, by: -1) where live[t * B + b] {
        let i = t * B + b
        let delta = Double(rewards[i]) + discount * nextValue - Double(values[i])
        running = delta + discount * lambda * running
        advantages[i] = Float(running)
        nextValue = Double(values[i])
      }
    }
    return advantages
  }

  /// Centers and scales the live entries to mean 0 and standard deviation 1.
  public static func normalized(_ values: [Float], live: [Bool]) -> [Float] {
    var count = 0.0
    var sum = 0.0
    var squares = 0.0
    for (v, isLive) in zip(values, live) where isLive {
      count += 1
      sum += Double(v)
      squares += Double(v) * Double(v)
    }
    guard count > 1 else { return zip(values, live).map { $0.1 ? $0.0 : 0 } }
    let mean = sum / count
    let deviation = max((squares / count - mean * mean).squareRoot(), 1e-8)
    return zip(values, live).map { isLive in
      isLive.1 ? Float((Double(isLive.0) - mean) / deviation) : 0
    }
  }
}
