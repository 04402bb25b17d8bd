import RL2Math
import XCTest

@testable import RL2Nets

/// Single precision runs the C kernels (AVX-512, AVX2 or baseline, picked at run time); they
/// must agree with the Swift kernels run in double precision on the same values.
extension Conv2DTests {
  func testSinglePrecisionKernelsMatchDoublePrecision() {
    XCTAssertTrue(
      ["avx512", "avx2", "baseline"].contains(Conv2D<Float>.kernelInstructionSet),
      Conv2D<Float>.kernelInstructionSet)
    // The maze's two layers, and odd shapes: tails of 1–3 columns after blocks of 4, two
    // filter blocks, kernel rows whose length R = K·C divides by 8, 5, 4, 3 or nothing.
    let cases: [(n: Int, h: Int, w: Int, c: Int, f: Int, k: Int, s: Int)] = [
      (3, 30, 40, 3, 16, 5, 2), (3, 13, 18, 16, 16, 5, 2), (2, 7, 9, 2, 32, 3, 1),
      (2, 6, 7, 8, 16, 1, 1), (1, 5, 10, 7, 16, 2, 1), (2, 9, 11, 1, 16, 3, 2),
    ]
    for (index, shape) in cases.enumerated() {
      let label = "case \(index) \(shape)"
      let (double, doubleParameters) = makeConv(
        inputChannels: shape.c, outputChannels: shape.f, kernelSize: shape.k, stride: shape.s,
        seed: UInt64(40 + index))
      var layout = ParameterLayout()
      let single = Conv2D<Float>(
        inputChannels: shape.c, outputChannels: shape.f, kernelSize: shape.k, stride: shape.s,
        name: "conv", layout: &layout)
      let singleParameters = Parameters<Float>(layout: layout)
      singleParameters.setValues(doubleParameters.values.map { Float($0) })
      var random = RandomStream(seed: UInt64(50 + index))
      let input = GradientCheck.randomTensor([shape.n, shape.h, shape.w, shape.c], &random)
      let (output, cache) = double.forward(input, doubleParameters)
      let readout = GradientCheck.randomTensor(output.shape, &random)
      let (singleOutput, singleCache) = single.forward(
        Tensor(shape: input.shape, scalars: input.scalars.map { Float($0) }), singleParameters)
      assertClose(singleOutput.scalars, output.scalars, "\(label): forward")

      doubleParameters.zeroGradients()
      singleParameters.zeroGradients()
      let inputGradient = double.backward(readout, cache, doubleParameters)!
      let singleInputGradient = single.backward(
        Tensor(shape: readout.shape, scalars: readout.scalars.map { Float($0) }), singleCache,
        singleParameters)!
      assertClose(
        Array(singleParameters.gradients), Array(doubleParameters.gradients),
        "\(label): weight and bias gradients")
      assertClose(singleInputGradient.scalars, inputGradient.scalars, "\(label): input gradient")
    }
  }

  private func assertClose(_ single: [Float], _ double: [Double], _ label: String) {
    XCTAssertEqual(single.count, double.count, label)
    let scale = double.map(abs).max() ?? 1
    var worst = 0.0
    for (a, b) in zip(single, double) { worst = max(worst, abs(Double(a) - b)) }
    XCTAssertLessThan(worst, 1e-5 * max(1, scale), "\(label): worst difference")
  }
}
