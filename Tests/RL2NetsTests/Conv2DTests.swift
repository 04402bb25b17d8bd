import RL2Math
import XCTest

@testable import RL2Nets

final class Conv2DTests: XCTestCase {
  func makeConv(
    inputChannels C: Int, outputChannels F: Int, kernelSize K: Int, stride S: Int, seed: UInt64
  ) -> (Conv2D<Double>, Parameters<Double>) {
    var layout = ParameterLayout()
    let conv = Conv2D<Double>(
      inputChannels: C, outputChannels: F, kernelSize: K, stride: S, name: "conv",
      layout: &layout)
    var random = RandomStream(seed: seed)
    let parameters = Parameters<Double>(layout: layout, random: &random)
    // Non-zero biases so the forward comparison exercises them.
    for i in parameters.values.indices { parameters.values[i] += 0.1 * random.normal() }
    return (conv, parameters)
  }

  /// y[n, i, j, f] = b[f] + Σ x[n, S·i + ky, S·j + kx, c]·W[f, (ky·K + kx)·C + c], directly.
  func directConvolution(
    _ x: Tensor<Double>, _ conv: Conv2D<Double>, _ parameters: Parameters<Double>
  ) -> Tensor<Double> {
    let (N, H, W, C) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (F, K, S) = (conv.outputChannels, conv.kernelSize, conv.stride)
    let (OH, OW) = ((H - K) / S + 1, (W - K) / S + 1)
    let weight = parameters.tensor(conv.weight)
    let bias = parameters.tensor(conv.bias)
    var y = Tensor<Double>(shape: [N, OH, OW, F])
    for n in 0..<N {
      for i in 0..<OH {
        for j in 0..<OW {
          for f in 0..<F {
            var sum = bias[f]
            for ky in 0..<K {
              for kx in 0..<K {
                for c in 0..<C {
                  sum += x[n, S * i + ky, S * j + kx, c] * weight[f, (ky * K + kx) * C + c]
                }
              }
            }
            y[n, i, j, f] = sum
          }
        }
      }
    }
    return y
  }

  func testForwardMatchesDirectConvolutionWithStrideTwoOnNonSquareImages() {
    let (conv, parameters) = makeConv(
      inputChannels: 3, outputChannels: 4, kernelSize: 3, stride: 2, seed: 1)
    var random = RandomStream(seed: 2)
    let input = GradientCheck.randomTensor([2, 9, 11, 3], &random)
    let (output, _) = conv.forward(input, parameters)
    let expected = directConvolution(input, conv, parameters)
    XCTAssertEqual(output.shape, [2, 4, 5, 4])
    XCTAssertLessThan(output.maxAbsoluteDifference(to: expected), 1e-12)
  }

  func testGradientsMatchFiniteDifferencesForParametersAndInput() {
    // Stride 1 overlaps receptive fields; stride 2 on 8×10 leaves the last row and column
    // outside every field, so their input gradient must stay zero.
    for (stride, seed) in [(1, UInt64(3)), (2, UInt64(4))] {
      let (conv, parameters) = makeConv(
        inputChannels: 2, outputChannels: 3, kernelSize: 3, stride: stride, seed: seed)
      var random = RandomStream(seed: seed + 10)
      var input = GradientCheck.randomTensor([2, 8, 10, 2], &random)
      let (height, width) = conv.outputSize(height: 8, width: 10)
      let readout = GradientCheck.randomTensor([2, height, width, 3], &random)
      func loss(_ input: Tensor<Double>) -> Double {
        GradientCheck.readout(conv.forward(input, parameters).output, readout)
      }

      parameters.zeroGradients()
      let (_, cache) = conv.forward(input, parameters)
      let inputGradient = conv.backward(readout, cache, parameters)!

      GradientCheck.assertParameterGradients(parameters) { loss(input) }
      GradientCheck.assertTensorGradient(
        inputGradient, of: &input, name: "input (stride \(stride))", loss: loss)
      if stride == 2 {
        for n in 0..<2 {
          for c in 0..<2 {
            for j in 0..<10 { XCTAssertEqual(inputGradient[n, 7, j, c], 0, "row 7") }
            for i in 0..<8 { XCTAssertEqual(inputGradient[n, i, 9, c], 0, "column 9") }
          }
        }
      }
    }
  }

  func testBackwardWithoutInputGradientAccumulatesTheSameParameterGradients() {
    let (conv, parameters) = makeConv(
      inputChannels: 2, outputChannels: 3, kernelSize: 2, stride: 1, seed: 5)
    var random = RandomStream(seed: 6)
    let input = GradientCheck.randomTensor([1, 4, 5, 2], &random)
    let readout = GradientCheck.randomTensor([1, 3, 4, 3], &random)
    let (_, cache) = conv.forward(input, parameters)
    parameters.zeroGradients()
    conv.backward(readout, cache, parameters)
    let full = Array(parameters.gradients)
    parameters.zeroGradients()
    XCTAssertNil(conv.backward(readout, cache, parameters, computeInputGradient: false))
    XCTAssertEqual(Array(parameters.gradients), full)
    conv.backward(readout, cache, parameters, computeInputGradient: false)
    for (accumulated, once) in zip(parameters.gradients, full) {
      XCTAssertEqual(accumulated, 2 * once, accuracy: 1e-12, "gradients must accumulate")
    }
  }

  func testMazeEncoderShapes() {
    var layout = ParameterLayout()
    let first = Conv2D<Float>(
      inputChannels: 3, outputChannels: 16, kernelSize: 5, stride: 2, name: "encoder.0",
      layout: &layout)
    let second = Conv2D<Float>(
      inputChannels: 16, outputChannels: 16, kernelSize: 5, stride: 2, name: "encoder.1",
      layout: &layout)
    XCTAssertEqual(
      layout.slices.map(\.description),
      [
        "encoder.0.weight[16, 75]", "encoder.0.bias[16]", "encoder.1.weight[16, 400]",
        "encoder.1.bias[16]",
      ])
    XCTAssertTrue(first.outputSize(height: 30, width: 40) == (13, 18))
    XCTAssertTrue(second.outputSize(height: 13, width: 18) == (5, 7))

    var random = RandomStream(seed: 7)
    let parameters = Parameters<Float>(layout: layout, random: &random)
    let images = Tensor<Float>(shape: [2, 30, 40, 3]) { Float(random.uniform()) }
    let (hidden, firstCache) = first.forward(images, parameters)
    let (features, secondCache) = second.forward(hidden, parameters)
    XCTAssertEqual(hidden.shape, [2, 13, 18, 16])
    XCTAssertEqual(firstCache.input.shape, [2, 30, 40, 3], "16 filters: direct kernels")
    XCTAssertEqual(features.shape, [2, 5, 7, 16])
    let hiddenGradient = second.backward(features, secondCache, parameters)!
    XCTAssertEqual(hiddenGradient.shape, hidden.shape)
    XCTAssertNil(
      first.backward(hiddenGradient, firstCache, parameters, computeInputGradient: false))
  }

  func testFLOPsCountTheGEMMs() {
    var layout = ParameterLayout()
    let conv = Conv2D<Float>(
      inputChannels: 3, outputChannels: 16, kernelSize: 5, stride: 2, name: "conv",
      layout: &layout)
    let product = 2.0 * Double(4 * 13 * 18) * Double(16 * 75)
    let withInput = conv.flops(batch: 4, height: 30, width: 40, computeInputGradient: true)
    let withoutInput = conv.flops(batch: 4, height: 30, width: 40, computeInputGradient: false)
    XCTAssertEqual(withInput.forward, product)
    XCTAssertEqual(withInput.backward, 2 * product)
    XCTAssertEqual(withoutInput.backward, product)
  }
}
