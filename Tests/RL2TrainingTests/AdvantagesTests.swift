import RL2Math
import XCTest

@testable import RL2Training

// Legend: T steps, B trials; step-indexed arrays are time-major (trial b, step t at t·B + b).

/// Returns and GAE over whole trials against the explicit sums of their definitions.
final class AdvantagesTests: XCTestCase {
  let (T, B) = (7, 4)
  /// Steps each trial runs: trial 2 ends early.
  let lengths = [7, 7, 4, 7]

  /// Random rewards and values on live steps; after a trial's end, rewards are 0 (as `Rollout`
  /// records them) and values are garbage (as the baseline predicts them), which must not matter.
  func makeBatch(seed: UInt64) -> (rewards: [Float], values: [Float], live: [Bool]) {
    var random = RandomStream(seed: seed)
    var (rewards, values, live) = ([Float](), [Float](), [Bool]())
    for t in 0..<T {
      for b in 0..<B {
        let isLive = t < lengths[b]
        live.append(isLive)
        rewards.append(isLive ? Float(random.normal()) : 0)
        values.append(Float(10 * random.normal()))
      }
    }
    return (rewards, values, live)
  }

  /// Âₜ = Σₖ (γλ)ᵏ δₜ₊ₖ and Rₜ = Σₖ γᵏ rₜ₊ₖ by the double sums over each trial's live steps,
  /// δₜ = rₜ + γ·V(sₜ₊₁) − V(sₜ) with V = 0 after the trial's last step.
  func referenceSums(
    rewards: [Float], values: [Float], discount: Double, lambda: Double
  ) -> (advantages: [Double], returns: [Double]) {
    var advantages = [Double](repeating: 0, count: T * B)
    var returns = [Double](repeating: 0, count: T * B)
    let B = self.B
    for b in 0..<B {
      let L = lengths[b]
      let value = { (t: Int) in t < L ? Double(values[t * B + b]) : 0 }
      let delta = { (t: Int) in Double(rewards[t * B + b]) + discount * value(t + 1) - value(t) }
      for t in 0..<L {
        for k in 0..<(L - t) {
          advantages[t * B + b] += pow(discount * lambda, Double(k)) * delta(t + k)
          returns[t * B + b] += pow(discount, Double(k)) * Double(rewards[(t + k) * B + b])
        }
      }
    }
    return (advantages, returns)
  }

  func testMatchesTheExplicitSumsOverEachTrial() {
    let (rewards, values, live) = makeBatch(seed: 1)
    for (discount, lambda) in [(0.99, 0.3), (0.9, 1.0), (1.0, 0.0), (0.95, 0.97)] {
      let expected = referenceSums(
        rewards: rewards, values: values, discount: discount, lambda: lambda)
      let advantages = Advantages.generalizedAdvantages(
        rewards: rewards, values: values, live: live, stepCount: T, trialCount: B,
        discount: discount, lambda: lambda)
      let returns = Advantages.discountedReturns(
        rewards: rewards, live: live, stepCount: T, trialCount: B, discount: discount)
      let name = "γ \(discount), λ \(lambda)"
      assertElementsClose(advantages, expected.advantages, tolerance: 1e-6, "GAE, \(name)")
      assertElementsClose(returns, expected.returns, tolerance: 1e-6, "returns, \(name)")
      for i in 0..<(T * B) where !live[i] {
        XCTAssertEqual(advantages[i], 0, "GAE at dead step \(i), \(name)")
        XCTAssertEqual(returns[i], 0, "return at dead step \(i), \(name)")
      }
    }
  }

  /// With λ = 1, GAE telescopes to Rₜ − V(sₜ).
  func testLambdaOneGivesReturnMinusValue() {
    let (rewards, values, live) = makeBatch(seed: 2)
    let advantages = Advantages.generalizedAdvantages(
      rewards: rewards, values: values, live: live, stepCount: T, trialCount: B, discount: 0.9,
      lambda: 1)
    let returns = Advantages.discountedReturns(
      rewards: rewards, live: live, stepCount: T, trialCount: B, discount: 0.9)
    let expected = (0..<(T * B)).map { live[$0] ? returns[$0] - values[$0] : 0 }
    assertElementsClose(advantages, expected, tolerance: 1e-6, "GAE(λ = 1) vs R − V")
  }

  /// Only the end of the trial is terminal: a reward in episode 2 reaches the advantage and the
  /// return of the last step of episode 1, discounted by the steps between them.
  func testAdvantagesCrossEpisodeBoundariesInsideATrial() {
    let (T, B) = (6, 1)
    let (discount, lambda) = (0.9, 0.5)
    var random = RandomStream(seed: 3)
    var rewards = (0..<T).map { _ in Float(random.normal()) }
    let values = (0..<T).map { _ in Float(random.normal()) }
    let live = [Bool](repeating: true, count: T)
    // Two episodes of three steps: step 2 ends episode 1, step 4 lies inside episode 2.
    let compute = { (rewards: [Float]) in
      (
        Advantages.generalizedAdvantages(
          rewards: rewards, values: values, live: live, stepCount: T, trialCount: B,
          discount: discount, lambda: lambda),
        Advantages.discountedReturns(
          rewards: rewards, live: live, stepCount: T, trialCount: B, discount: discount)
      )
    }
    let (advantagesBefore, returnsBefore) = compute(rewards)
    rewards[4] += 1
    let (advantagesAfter, returnsAfter) = compute(rewards)
    XCTAssertEqual(
      Double(advantagesAfter[2] - advantagesBefore[2]), pow(discount * lambda, 2), accuracy: 1e-5,
      "GAE at the last step of episode 1 after a unit change of a reward in episode 2")
    XCTAssertEqual(
      Double(returnsAfter[2] - returnsBefore[2]), pow(discount, 2), accuracy: 1e-5,
      "return at the last step of episode 1 after a unit change of a reward in episode 2")
    XCTAssertEqual(advantagesAfter[5], advantagesBefore[5], "GAE after the changed step")
  }

  func testNormalizedHasMeanZeroAndUnitDeviationOverLiveSteps() {
    var random = RandomStream(seed: 4)
    let live = (0..<40).map { $0 % 7 != 3 }
    let values = (0..<40).map { _ in Float(5 + 3 * random.normal()) }
    let normalized = Advantages.normalized(values, live: live)
    let liveValues = zip(normalized, live).filter { $0.1 }.map { Double($0.0) }
    let mean = liveValues.reduce(0, +) / Double(liveValues.count)
    let variance =
      liveValues.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(liveValues.count)
    XCTAssertEqual(mean, 0, accuracy: 1e-6, "mean of the normalized live entries")
    XCTAssertEqual(
      variance.squareRoot(), 1, accuracy: 1e-5, "standard deviation of the normalized live entries")
    for i in 0..<values.count where !live[i] {
      XCTAssertEqual(normalized[i], 0, "normalized value at dead step \(i)")
    }
    // An affine map of the live entries, so their order is kept.
    let liveIndices = live.indices.filter { live[$0] }
    for (i, j) in zip(liveIndices, liveIndices.dropFirst()) {
      XCTAssertEqual(values[i] < values[j], normalized[i] < normalized[j], "order of \(i), \(j)")
    }
  }
}
