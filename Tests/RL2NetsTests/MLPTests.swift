import RL2Math
import XCTest

@testable import RL2Nets

final class MLPTests: XCTestCase {
  // N rows; widths input → hidden → hidden → output.
  let N = 6
  let sizes = [4, 7, 5, 3]

  func makeMLP(weightNormalized: Bool) -> (MLP<Double>, Parameters<Double>) {
    var layout = ParameterLayout()
    let mlp = MLP<Double>(
      sizes: sizes, weightNormalized: weightNormalized, name: "value", layout: &layout)
    var random = RandomStream(seed: 31)
    let parameters = Parameters<Double>(layout: layout, random: &random)
    for i in parameters.values.indices { parameters.values[i] += 0.1 * random.normal() }
    return (mlp, parameters)
  }

  func testLayersAreNamedInOrder() {
    let (_, parameters) = makeMLP(weightNormalized: true)
    XCTAssertEqual(
      parameters.layout.slices.map(\.description),
      [
        "value.0.weight[7, 4]", "value.0.gain[7]", "value.0.bias[7]",
        "value.1.weight[5, 7]", "value.1.gain[5]", "value.1.bias[5]",
        "value.2.weight[3, 5]", "value.2.gain[3]", "value.2.bias[3]",
      ])
  }

  func testForwardIsLinearLayersWithReLUBetween() {
    let (mlp, parameters) = makeMLP(weightNormalized: false)
    var random = RandomStream(seed: 32)
    let input = GradientCheck.randomTensor([N, 4], &random)
    var hidden = input
    for (l, layer) in mlp.layers.enumerated() {
      hidden = layer.forward(hidden, parameters).output
      if l < mlp.layers.count - 1 { hidden = Activations.relu(hidden) }
    }
    let output = mlp.forward(input, parameters).output
    XCTAssertEqual(output.shape, [N, 3])
    XCTAssertEqual(output, hidden)
    XCTAssertTrue(output.scalars.contains { $0 < 0 }, "the last layer must not be rectified")
  }

  func testGradientsMatchFiniteDifferences() {
    for weightNormalized in [false, true] {
      let (mlp, parameters) = makeMLP(weightNormalized: weightNormalized)
      var random = RandomStream(seed: 33)
      var input = GradientCheck.randomTensor([N, 4], &random)
      let readout = GradientCheck.randomTensor([N, 3], &random)
      func loss(_ input: Tensor<Double>) -> Double {
        GradientCheck.readout(mlp.forward(input, parameters).output, readout)
      }

      parameters.zeroGradients()
      let (_, cache) = mlp.forward(input, parameters)
      let inputGradient = mlp.backward(readout, cache, parameters)!

      GradientCheck.assertParameterGradients(parameters) { loss(input) }
      GradientCheck.assertTensorGradient(
        inputGradient, of: &input, name: "input (weight-normalized: \(weightNormalized))",
        loss: loss)
      XCTAssertNil(mlp.backward(readout, cache, parameters, computeInputGradient: false))
    }
  }

  func testReLUBackwardPassesGradientOnlyWhereOutputIsPositive() {
    let input = Tensor<Double>(shape: [2, 2], scalars: [-1, 2, 0, 3])
    let output = Activations.relu(input)
    XCTAssertEqual(output.scalars, [0, 2, 0, 3])
    let gradient = Activations.reluBackward(
      Tensor(shape: [2, 2], scalars: [5, 6, 7, 8]), output: output)
    XCTAssertEqual(gradient.scalars, [0, 6, 0, 8])
  }
}
