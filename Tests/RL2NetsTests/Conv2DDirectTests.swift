import RL2Math
import XCTest

@testable import RL2Nets

/// The direct SIMD kernels that run when the filter count is a multiple of 16.
extension Conv2DTests {

  func testDirectForwardMatchesTheReferenceLoopForOneAndTwoFilterBlocks() {
    // Width 11 with stride 2 and kernel 3 leaves 5 output columns: pairs and an odd tail.
    for (filters, seed) in [(16, UInt64(1)), (32, UInt64(2))] {
      let (conv, parameters) = makeConv(
        inputChannels: 3, outputChannels: filters, kernelSize: 3, stride: 2, seed: seed)
      XCTAssertTrue(conv.usesDirectKernels)
      var random = RandomStream(seed: seed + 5)
      let input = GradientCheck.randomTensor([3, 9, 11, 3], &random)
      let (output, _) = conv.forward(input, parameters)
      let expected = directConvolution(input, conv, parameters)
      XCTAssertEqual(output.shape, [3, 4, 5, filters])
      XCTAssertLessThan(output.maxAbsoluteDifference(to: expected), 1e-12, "\(filters) filters")
    }
  }

  func testDirectGradientsMatchFiniteDifferences() {
    let (conv, parameters) = makeConv(
      inputChannels: 2, outputChannels: 16, kernelSize: 3, stride: 2, seed: 3)
    var random = RandomStream(seed: 13)
    var input = GradientCheck.randomTensor([2, 7, 9, 2], &random)
    var readout = GradientCheck.randomTensor([2, 3, 4, 16], &random)
    // A zero block of 16 gradients exercises the skip.
    for f in 0..<16 { readout[1, 2, 3, f] = 0 }
    func loss(_ input: Tensor<Double>) -> Double {
      GradientCheck.readout(conv.forward(input, parameters).output, readout)
    }
    parameters.zeroGradients()
    let (_, cache) = conv.forward(input, parameters)
    let inputGradient = conv.backward(readout, cache, parameters)!
    GradientCheck.assertParameterGradients(parameters) { loss(input) }
    GradientCheck.assertTensorGradient(inputGradient, of: &input, name: "input", loss: loss)
  }

  func testDirectTangentMatchesDirectionalDifferences() {
    let (conv, parameters) = makeConv(
      inputChannels: 2, outputChannels: 16, kernelSize: 3, stride: 1, seed: 4)
    var random = RandomStream(seed: 14)
    let input = GradientCheck.randomTensor([2, 5, 6, 2], &random)
    let inputDirection = GradientCheck.randomTensor([2, 5, 6, 2], &random)
    let direction = (0..<parameters.count).map { _ in random.normal() }
    let (_, cache) = conv.forward(input, parameters)
    let tangent = direction.withUnsafeBufferPointer {
      conv.tangent(
        cache, parameterTangent: $0.baseAddress!, inputTangent: inputDirection, parameters)
    }
    let epsilon = 1e-6
    let saved = Array(parameters.values)
    func shifted(_ sign: Double) -> Tensor<Double> {
      parameters.setValues(zip(saved, direction).map { $0 + sign * epsilon * $1 })
      let x = Tensor(
        shape: input.shape,
        scalars: zip(input.scalars, inputDirection.scalars).map { $0 + sign * epsilon * $1 })
      return conv.forward(x, parameters).output
    }
    let (plus, minus) = (shifted(1), shifted(-1))
    parameters.setValues(saved)
    for i in 0..<tangent.count {
      let numerical = (plus.scalars[i] - minus.scalars[i]) / (2 * epsilon)
      XCTAssertEqual(tangent.scalars[i], numerical, accuracy: 1e-6 * max(1, abs(numerical)))
    }
  }
}
