import RL2Math
import XCTest

@testable import RL2Nets

final class LinearTests: XCTestCase {
  // N rows, I inputs, O outputs.
  let (N, I, O) = (5, 4, 3)

  func makeLinear(weightNormalized: Bool) -> (Linear<Double>, Parameters<Double>) {
    var layout = ParameterLayout()
    let linear = Linear<Double>(
      inputCount: I, outputCount: O, weightNormalized: weightNormalized, name: "fc",
      layout: &layout)
    var random = RandomStream(seed: 41)
    let parameters = Parameters<Double>(layout: layout, random: &random)
    // Gains away from 1 and non-zero biases.
    for i in parameters.values.indices { parameters.values[i] += 0.3 * random.normal() }
    return (linear, parameters)
  }

  func testForwardIsInputTimesWeightTransposedPlusBias() {
    for weightNormalized in [false, true] {
      let (linear, parameters) = makeLinear(weightNormalized: weightNormalized)
      var random = RandomStream(seed: 42)
      let x = GradientCheck.randomTensor([N, I], &random)
      let (w, _) = linear.effectiveWeight(parameters)
      let b = parameters.tensor(linear.bias)
      let y = linear.forward(x, parameters).output
      XCTAssertEqual(y.shape, [N, O])
      for n in 0..<N {
        for o in 0..<O {
          var expected = b[o]
          for i in 0..<I { expected += x[n, i] * w[o, i] }
          XCTAssertEqual(y[n, o], expected, accuracy: 1e-12, "y[\(n), \(o)]")
        }
      }
    }
  }

  func testWeightNormalizedRowsHaveNormGain() {
    let (linear, parameters) = makeLinear(weightNormalized: true)
    let (w, _) = linear.effectiveWeight(parameters)
    let g = parameters.tensor(linear.gain!)
    for o in 0..<O {
      var squared = 0.0
      for i in 0..<I { squared += w[o, i] * w[o, i] }
      XCTAssertEqual(squared.squareRoot(), abs(g[o]), accuracy: 1e-12, "row \(o)")
    }
  }

  func testGradientsMatchFiniteDifferences() {
    for weightNormalized in [false, true] {
      let (linear, parameters) = makeLinear(weightNormalized: weightNormalized)
      XCTAssertEqual(
        parameters.layout.slices.map(\.name),
        weightNormalized ? ["fc.weight", "fc.gain", "fc.bias"] : ["fc.weight", "fc.bias"])
      var random = RandomStream(seed: 43)
      var input = GradientCheck.randomTensor([N, I], &random)
      let readout = GradientCheck.randomTensor([N, O], &random)
      func loss(_ input: Tensor<Double>) -> Double {
        GradientCheck.readout(linear.forward(input, parameters).output, readout)
      }

      parameters.zeroGradients()
      let (_, cache) = linear.forward(input, parameters)
      let inputGradient = linear.backward(readout, cache, parameters)!

      // Under weight normalization this checks both g and v, each non-zero.
      GradientCheck.assertParameterGradients(parameters) { loss(input) }
      GradientCheck.assertTensorGradient(
        inputGradient, of: &input, name: "input (weight-normalized: \(weightNormalized))",
        loss: loss)
    }
  }

  func testWeightNormalizedDirectionGradientIsOrthogonalToDirection() {
    // W depends on v only through v/‖v‖, so ∂L/∂vᵢ ⟂ vᵢ row by row.
    let (linear, parameters) = makeLinear(weightNormalized: true)
    var random = RandomStream(seed: 44)
    let input = GradientCheck.randomTensor([N, I], &random)
    let readout = GradientCheck.randomTensor([N, O], &random)
    parameters.zeroGradients()
    let (_, cache) = linear.forward(input, parameters)
    linear.backward(readout, cache, parameters, computeInputGradient: false)
    let v = parameters.tensor(linear.weight)
    let dv = parameters.gradientTensor(linear.weight)
    for o in 0..<O {
      var dot = 0.0
      for i in 0..<I { dot += v[o, i] * dv[o, i] }
      XCTAssertEqual(dot, 0, accuracy: 1e-12, "row \(o)")
    }
  }
}
