import RL2Math
import XCTest

@testable import RL2Nets

final class EmbeddingTests: XCTestCase {
  // V table rows, D dimension.
  let (V, D) = (5, 3)

  func makeEmbedding() -> (Embedding<Double>, Parameters<Double>) {
    var layout = ParameterLayout()
    let embedding = Embedding<Double>(count: V, dimension: D, name: "action", layout: &layout)
    var random = RandomStream(seed: 21)
    return (embedding, Parameters<Double>(layout: layout, random: &random))
  }

  func testForwardGathersRows() {
    let (embedding, parameters) = makeEmbedding()
    XCTAssertEqual(parameters.layout.slices.map(\.description), ["action.table[5, 3]"])
    let table = parameters.tensor(embedding.table)
    let output = embedding.forward([4, 0, 4], parameters)
    XCTAssertEqual(output.shape, [3, D])
    for (i, index) in [4, 0, 4].enumerated() {
      for j in 0..<D { XCTAssertEqual(output[i, j], table[index, j]) }
    }
  }

  func testGradientMatchesFiniteDifferencesWithRepeatedIndices() {
    let (embedding, parameters) = makeEmbedding()
    let indices = [1, 3, 1, 0, 4, 1, 2]
    var random = RandomStream(seed: 22)
    let readout = GradientCheck.randomTensor([indices.count, D], &random)
    parameters.zeroGradients()
    embedding.backward(readout, indices: indices, parameters)
    GradientCheck.assertParameterGradients(parameters) {
      GradientCheck.readout(embedding.forward(indices, parameters), readout)
    }
  }

  func testRepeatedIndicesAccumulateAndUnusedRowsGetNothing() {
    let (embedding, parameters) = makeEmbedding()
    let indices = [2, 2, 0, 2]
    var random = RandomStream(seed: 23)
    let outputGradient = GradientCheck.randomTensor([indices.count, D], &random)
    parameters.zeroGradients()
    embedding.backward(outputGradient, indices: indices, parameters)
    embedding.backward(outputGradient, indices: indices, parameters)
    let gradient = parameters.gradientTensor(embedding.table)
    for j in 0..<D {
      let expected = 2 * (outputGradient[0, j] + outputGradient[1, j] + outputGradient[3, j])
      XCTAssertEqual(gradient[2, j], expected, accuracy: 1e-12)
      XCTAssertEqual(gradient[0, j], 2 * outputGradient[2, j], accuracy: 1e-12)
      for row in [1, 3, 4] { XCTAssertEqual(gradient[row, j], 0) }
    }
  }
}
