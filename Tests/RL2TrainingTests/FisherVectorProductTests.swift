import RL2Envs
import RL2Math
import RL2Nets
import XCTest

@testable import RL2Training

// Legend: T steps, B trials, N = T·B rows, I input width, H hidden, A actions, P parameters.

/// The exact Fisher-vector product of TRPO against the Fisher matrix formed explicitly,
///
///     F = (1/N) Σᵣ Jᵣᵀ (diag(πᵣ) − πᵣπᵣᵀ) Jᵣ,   Jᵣ = ∂logitsᵣ/∂θ [A, P],
///
/// with J from central finite differences of a `RecurrentNetwork<Double>` at the same parameters.
final class FisherVectorProductTests: XCTestCase {
  /// A 3-armed bandit policy (I = 5, H = 3, A = 3) on B = 2 trials of T = 4 pulls, all live.
  let (policy, parameters, trajectories) = Fixtures.banditBatch(
    trials: 2, episodes: 4, hidden: 3, seed: 11)

  func makeProduct(damping: Double) -> FisherVectorProduct<RecurrentNetwork<Float>> {
    let objective = PolicyObjective(
      policy: policy, trajectories: trajectories,
      advantages: [Float](repeating: 0, count: trajectories.live.count))
    let (logits, cache) = objective.evaluate(parameters)
    return FisherVectorProduct(
      objective: objective, logits: logits, cache: cache, parameters: parameters, damping: damping)
  }

  /// F [P, P] in Double, from finite-difference Jacobians of the logits.
  func explicitFisher() -> [[Double]] {
    let network = RecurrentNetwork<Double>.policy(
      inputCount: policy.inputCount, hiddenCount: policy.hiddenCount,
      actionCount: policy.outputCount)
    let theta = parameters.converted(to: Double.self)
    let inputs = trajectories.inputs.converted(to: Double.self)
    let logits = { network.forward(inputs, live: self.trajectories.live, theta).outputs.scalars }
    let (P, A, N) = (theta.count, policy.outputCount, trajectories.live.count)
    let epsilon = 1e-6
    // jacobian[p][r·A + a] = ∂logit_{r,a}/∂θ_p
    let jacobian = (0..<P).map { p in
      let saved = theta.values[p]
      theta.values[p] = saved + epsilon
      let plus = logits()
      theta.values[p] = saved - epsilon
      let minus = logits()
      theta.values[p] = saved
      return zip(plus, minus).map { ($0 - $1) / (2 * epsilon) }
    }
    let probabilities = Categorical.probabilities(Tensor(shape: [N, A], scalars: logits()))
    var fisher = [[Double]](repeating: [Double](repeating: 0, count: P), count: P)
    for r in 0..<N {
      let pi = Array(probabilities.scalars[(r * A)..<((r + 1) * A)])
      for a in 0..<A {
        for c in 0..<A {
          let m = (a == c ? pi[a] : 0) - pi[a] * pi[c]
          for p in 0..<P where jacobian[p][r * A + a] != 0 {
            let left = m * jacobian[p][r * A + a] / Double(N)
            for q in 0..<P { fisher[p][q] += left * jacobian[q][r * A + c] }
          }
        }
      }
    }
    return fisher
  }

  func testMatchesTheExplicitFisherMatrix() {
    let fisher = explicitFisher()
    let product = makeProduct(damping: 0)
    var random = RandomStream(seed: 12)
    for trial in 0..<3 {
      let v = (0..<parameters.count).map { _ in Float(random.normal()) }
      let expected = fisher.map { row in Reference.dot(row, v.map(Double.init)) }
      assertElementsClose(product.apply(v), expected, tolerance: 1e-3, "F·v, vector \(trial)")
    }
  }

  func testIsSymmetricPositiveSemidefinite() {
    let product = makeProduct(damping: 0)
    var random = RandomStream(seed: 13)
    for trial in 0..<4 {
      let u = (0..<parameters.count).map { _ in Float(random.normal()) }
      let v = (0..<parameters.count).map { _ in Float(random.normal()) }
      let (fu, fv) = (product.apply(u).map(Double.init), product.apply(v).map(Double.init))
      let (uu, vv) = (u.map(Double.init), v.map(Double.init))
      let vFv = Reference.dot(vv, fv)
      XCTAssertGreaterThanOrEqual(vFv, -1e-7, "vᵀFv of vector \(trial)")
      let (uFv, vFu) = (Reference.dot(uu, fv), Reference.dot(vv, fu))
      let scale = (Reference.dot(uu, fu) * vFv).squareRoot()
      XCTAssertEqual(
        uFv, vFu, accuracy: 1e-4 * max(scale, 1e-6), "uᵀFv against vᵀFu, pair \(trial)")
    }
  }

  func testDampingAddsLambdaTimesTheVector() {
    var random = RandomStream(seed: 14)
    let v = (0..<parameters.count).map { _ in Float(random.normal()) }
    let undamped = makeProduct(damping: 0).apply(v)
    let damped = makeProduct(damping: 0.25).apply(v)
    let expected = zip(undamped, v).map { Double($0) + 0.25 * Double($1) }
    assertElementsClose(damped, expected, tolerance: 1e-6, "(F + 0.25 I)·v")
  }
}
