import RL2Math
import RL2Nets
import XCTest

/// Central finite differences in Double: ∂L/∂θᵢ ≈ (L(θ + εeᵢ) − L(θ − εeᵢ)) / 2ε.
enum GradientCheck {
  static let epsilon = 1e-6
  static let tolerance = 1e-6

  /// The numerical gradient of `loss` with respect to every element of `values`.
  static func numericalGradient(
    of values: UnsafeMutableBufferPointer<Double>, loss: () -> Double
  ) -> [Double] {
    var gradient = [Double](repeating: 0, count: values.count)
    for i in values.indices {
      let saved = values[i]
      values[i] = saved + epsilon
      let plus = loss()
      values[i] = saved - epsilon
      let minus = loss()
      values[i] = saved
      gradient[i] = (plus - minus) / (2 * epsilon)
    }
    return gradient
  }

  /// Fails the test when `analytic` and `numerical` differ by more than the tolerance relative
  /// to the larger of the two magnitudes (and 1), reporting the tensor's name and worst error.
  static func assertClose(
    _ analytic: [Double], _ numerical: [Double], _ name: String,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertEqual(analytic.count, numerical.count, "\(name): sizes differ", file: file, line: line)
    var worst = 0.0
    var worstIndex = 0
    for (i, (a, n)) in zip(analytic, numerical).enumerated() {
      let error = abs(a - n) / max(1, abs(a), abs(n))
      if error > worst { (worst, worstIndex) = (error, i) }
    }
    XCTAssertLessThan(
      worst, tolerance,
      "\(name): max relative error \(worst) at \(worstIndex) "
        + "(analytic \(analytic[worstIndex]), numerical \(numerical[worstIndex]))",
      file: file, line: line)
    XCTAssertTrue(
      analytic.contains { $0 != 0 }, "\(name): gradient is identically zero", file: file,
      line: line)
  }

  /// Checks every parameter slice of `parameters` against finite differences of `loss`.
  static func assertParameterGradients(
    _ parameters: Parameters<Double>, loss: () -> Double,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    for slice in parameters.layout.slices {
      let values = UnsafeMutableBufferPointer(rebasing: parameters.values[slice.range])
      let numerical = numericalGradient(of: values, loss: loss)
      let analytic = Array(parameters.gradients[slice.range])
      assertClose(analytic, numerical, slice.name, file: file, line: line)
    }
  }

  /// Checks the gradient with respect to a tensor that `loss` reads.
  static func assertTensorGradient(
    _ analytic: Tensor<Double>, of tensor: inout Tensor<Double>, name: String,
    loss: (Tensor<Double>) -> Double, file: StaticString = #filePath, line: UInt = #line
  ) {
    var numerical = [Double](repeating: 0, count: tensor.count)
    for i in 0..<tensor.count {
      let saved = tensor.scalars[i]
      tensor.scalars[i] = saved + epsilon
      let plus = loss(tensor)
      tensor.scalars[i] = saved - epsilon
      let minus = loss(tensor)
      tensor.scalars[i] = saved
      numerical[i] = (plus - minus) / (2 * epsilon)
    }
    assertClose(analytic.scalars, numerical, name, file: file, line: line)
  }

  /// A tensor of standard-normal values.
  static func randomTensor(_ shape: [Int], _ random: inout RandomStream) -> Tensor<Double> {
    Tensor(shape: shape) { random.normal() }
  }

  /// Σ weights ⊙ tensor: a random linear read-out whose gradient is `weights`.
  static func readout(_ tensor: Tensor<Double>, _ weights: Tensor<Double>) -> Double {
    zip(tensor.scalars, weights.scalars).reduce(0) { $0 + $1.0 * $1.1 }
  }
}
