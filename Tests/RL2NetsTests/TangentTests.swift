import RL2Math
import XCTest

@testable import RL2Nets

/// Forward mode (Jacobian-vector products) of the layers against central finite differences
/// along a whole direction, against the backward pass (adjointness), and for linearity.
final class TangentTests: XCTestCase {
  // T steps, B trials, I inputs, H hidden, A actions.
  let (T, B, I, H, A) = (6, 3, 4, 5, 3)

  /// Trial 2 ends after step 3: its state freezes, so must its tangent.
  var live: [Bool] {
    var live = [Bool](repeating: true, count: T * B)
    for t in 4..<T { live[t * B + 2] = false }
    return live
  }

  /// The derivative of f at s = 0 by central differences: (f(ε) − f(−ε)) / 2ε.
  func centralDifference(_ f: (Double) -> [Double]) -> [Double] {
    let epsilon = GradientCheck.epsilon
    return zip(f(epsilon), f(-epsilon)).map { ($0 - $1) / (2 * epsilon) }
  }

  /// Evaluates `body` with the parameters moved to θ + s·θ̇, then restores θ.
  func at<R>(
    _ parameters: Parameters<Double>, plus s: Double, along direction: [Double],
    _ body: () -> R
  ) -> R {
    let saved = Array(parameters.values)
    parameters.setValues(zip(saved, direction).map { $0 + s * $1 })
    defer { parameters.setValues(saved) }
    return body()
  }

  /// x + s·ẋ.
  func moved(_ x: Tensor<Double>, by s: Double, along direction: Tensor<Double>) -> Tensor<Double> {
    Tensor(shape: x.shape, scalars: zip(x.scalars, direction.scalars).map { $0 + s * $1 })
  }

  /// Parameters drawn from their initializers, then perturbed so gains and biases are away from
  /// their initial values (and their tangents matter).
  func perturbedParameters(_ layout: ParameterLayout, _ random: inout RandomStream)
    -> Parameters<Double>
  {
    let parameters = Parameters<Double>(layout: layout, random: &random)
    for i in parameters.values.indices { parameters.values[i] += 0.1 * random.normal() }
    return parameters
  }

  func randomDirection(_ count: Int, _ random: inout RandomStream) -> [Double] {
    (0..<count).map { _ in random.normal() }
  }

  func testLinearTangentMatchesFiniteDifferences() {
    for weightNormalized in [false, true] {
      var layout = ParameterLayout()
      let linear = Linear<Double>(
        inputCount: I, outputCount: H, weightNormalized: weightNormalized, name: "linear",
        layout: &layout)
      var random = RandomStream(seed: 31)
      let parameters = perturbedParameters(layout, &random)
      let input = GradientCheck.randomTensor([B * T, I], &random)
      let direction = randomDirection(parameters.count, &random)
      let inputDirection = GradientCheck.randomTensor([B * T, I], &random)
      let (_, cache) = linear.forward(input, parameters)
      for inputTangent in [nil, inputDirection] {
        let analytic = linear.tangent(
          cache, parameterTangent: direction, inputTangent: inputTangent, parameters)
        let numerical = centralDifference { s in
          at(parameters, plus: s, along: direction) {
            let x = inputTangent.map { moved(input, by: s, along: $0) } ?? input
            return linear.forward(x, parameters).output.scalars
          }
        }
        GradientCheck.assertClose(
          analytic.scalars, numerical,
          "weightNormalized \(weightNormalized), input tangent \(inputTangent != nil)")
      }
    }
  }

  func testGRUTangentMatchesFiniteDifferences() {
    var layout = ParameterLayout()
    let gru = GRU<Double>(inputCount: I, hiddenCount: H, name: "gru", layout: &layout)
    var random = RandomStream(seed: 32)
    let parameters = perturbedParameters(layout, &random)
    let input = GradientCheck.randomTensor([T, B, I], &random)
    let initialState = GradientCheck.randomTensor([B, H], &random)
    let direction = randomDirection(parameters.count, &random)
    let inputDirection = GradientCheck.randomTensor([T, B, I], &random)
    let (_, cache) = gru.forward(input, initialState: initialState, live: live, parameters)
    for inputTangent in [nil, inputDirection] {
      let analytic = gru.tangent(
        cache, parameterTangent: direction, inputTangent: inputTangent, parameters)
      XCTAssertEqual(analytic.shape, [T, B, H])
      let numerical = centralDifference { s in
        at(parameters, plus: s, along: direction) {
          let x = inputTangent.map { moved(input, by: s, along: $0) } ?? input
          return gru.forward(x, initialState: initialState, live: live, parameters).states.scalars
        }
      }
      GradientCheck.assertClose(
        analytic.scalars, numerical, "GRU states, input tangent \(inputTangent != nil)")
      for t in 4..<T {
        for j in 0..<H {
          XCTAssertEqual(analytic[t, 2, j], analytic[3, 2, j], "trial 2 changed at step \(t)")
        }
      }
    }
  }

  func makePolicy(_ random: inout RandomStream) -> (
    RecurrentNetwork<Double>, Parameters<Double>, RecurrentNetwork<Double>.Cache,
    forward: () -> [Double]
  ) {
    let policy = RecurrentNetwork<Double>.policy(inputCount: I, hiddenCount: H, actionCount: A)
    let parameters = perturbedParameters(policy.layout, &random)
    let input = GradientCheck.randomTensor([T, B, I], &random)
    let initialState = GradientCheck.randomTensor([B, H], &random)
    let live = self.live
    let (_, cache) = policy.forward(input, initialState: initialState, live: live, parameters)
    let forward = {
      policy.forward(input, initialState: initialState, live: live, parameters).outputs.scalars
    }
    return (policy, parameters, cache, forward)
  }

  func testOutputTangentMatchesFiniteDifferences() {
    var random = RandomStream(seed: 33)
    let (policy, parameters, cache, forward) = makePolicy(&random)
    let direction = randomDirection(parameters.count, &random)
    let analytic = policy.outputTangent(cache, parameterTangent: direction, parameters)
    XCTAssertEqual(analytic.shape, [T, B, A])
    let numerical = centralDifference { s in at(parameters, plus: s, along: direction, forward) }
    GradientCheck.assertClose(analytic.scalars, numerical, "logits")
  }

  /// ⟨J·v, w⟩ = ⟨v, Jᵀ·w⟩, with Jᵀ·w the gradient `backward` leaves for ∂L/∂outputs = w.
  func testOutputTangentIsTheAdjointOfBackward() {
    var random = RandomStream(seed: 34)
    let (policy, parameters, cache, _) = makePolicy(&random)
    for _ in 0..<3 {
      let v = randomDirection(parameters.count, &random)
      let w = GradientCheck.randomTensor([T, B, A], &random)
      let jv = policy.outputTangent(cache, parameterTangent: v, parameters)
      parameters.zeroGradients()
      policy.backward(w, cache, parameters)
      let jvDotW = zip(jv.scalars, w.scalars).reduce(0) { $0 + $1.0 * $1.1 }
      let vDotJTw = zip(v, parameters.gradients).reduce(0) { $0 + $1.0 * $1.1 }
      assertRelativelyClose([jvDotW], [vDotJTw], tolerance: 1e-10, "⟨J·v, w⟩ vs ⟨v, Jᵀ·w⟩")
    }
  }

  func testOutputTangentIsLinearInTheDirection() {
    var random = RandomStream(seed: 35)
    let (policy, parameters, cache, _) = makePolicy(&random)
    let v1 = randomDirection(parameters.count, &random)
    let v2 = randomDirection(parameters.count, &random)
    let (a, b) = (0.7, -1.3)
    let combined = zip(v1, v2).map { a * $0 + b * $1 }
    let tangent = { (v: [Double]) in
      policy.outputTangent(cache, parameterTangent: v, parameters).scalars
    }
    let expected = zip(tangent(v1), tangent(v2)).map { a * $0 + b * $1 }
    assertRelativelyClose(tangent(combined), expected, tolerance: 1e-12, "J(a·v1 + b·v2)")
  }

  /// Fails when any element differs by more than `tolerance` relative to the larger of the two
  /// magnitudes (and the largest magnitude of `expected`, so near-zero elements are not judged
  /// on their own scale).
  func assertRelativelyClose(
    _ actual: [Double], _ expected: [Double], tolerance: Double, _ name: String,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertEqual(actual.count, expected.count, "\(name): sizes differ", file: file, line: line)
    let scale = expected.map(abs).max() ?? 0
    var worst = 0.0
    for (a, e) in zip(actual, expected) {
      worst = max(worst, abs(a - e) / max(scale, abs(a), abs(e), .leastNormalMagnitude))
    }
    XCTAssertLessThan(
      worst, tolerance, "\(name): max relative error \(worst)", file: file, line: line)
  }
}
