import Foundation
import RL2Math
import XCTest

/// `FastMath`'s single-precision kernels against Double-precision libm.
final class FastMathTests: XCTestCase {
  /// Every thousandth in [−87, 88]: the range where e^x is a normal Float.
  static let denseGrid: [Float] = (-87_000...88_000).map { Float($0) / 1000 }

  /// Lengths around the 16-lane vector width, so the scalar tail is exercised.
  static let tailLengths = [1, 5, 15, 16, 17, 31, 32, 33, 47, 100]

  func testBufferExpHasRelativeErrorBelowOneInAMillionOverTheNormalRange() {
    var values = Self.denseGrid
    FastMath.exp(&values, count: values.count)
    let expected = Self.denseGrid.map { Foundation.exp(Double($0)) }
    assertRelativeErrorsBelow(values, expected, 1e-6, "FastMath.exp(buffer)")
  }

  func testScalarExpHasRelativeErrorBelowOneInAMillionOverTheNormalRange() {
    // Every tenth grid point: the scalar form runs one vector per value.
    let inputs = stride(from: 0, to: Self.denseGrid.count, by: 10).map { Self.denseGrid[$0] }
    let values = inputs.map { FastMath.exp($0) }
    let expected = inputs.map { Foundation.exp(Double($0)) }
    assertRelativeErrorsBelow(values, expected, 1e-6, "FastMath.exp(scalar)")
  }

  func testExpOfZeroIsOneWithinOneULP() {
    let one: Float = 1
    XCTAssertLessThanOrEqual(abs(FastMath.exp(0) - one), one.ulp, "FastMath.exp(0)")
    var zeros = [Float](repeating: 0, count: 19)
    FastMath.exp(&zeros, count: zeros.count)
    XCTAssertTrue(
      zeros.allSatisfy { abs($0 - one) <= one.ulp }, "FastMath.exp(buffer of zeros): \(zeros)")
  }

  func testExpOfVeryNegativeInputsIsFiniteAndTiny() {
    let inputs: [Float] = [-87.5, -88, -100, -1e4, -.greatestFiniteMagnitude, -.infinity]
    for x in inputs {
      let y = FastMath.exp(x)
      XCTAssertTrue(y.isFinite && y >= 0 && y < 1e-37, "FastMath.exp(\(x)) = \(y)")
    }
  }

  func testExpOfVeryLargeInputsIsFiniteAndClampedNotInfinite() {
    let inputs: [Float] = [88.37, 88.5, 88.7, 89, 100, 1e4, .greatestFiniteMagnitude, .infinity]
    for x in inputs {
      let y = FastMath.exp(x)
      XCTAssertTrue(y.isFinite && y > 1e38, "FastMath.exp(\(x)) = \(y)")
    }
  }

  func testBufferExpHandlesLengthsThatAreNotAMultipleOfTheVectorWidth() {
    var random = RandomStream(seed: 21)
    for count in Self.tailLengths {
      let inputs: [Float] = (0..<count).map { _ in Float(40 * random.uniform() - 20) }
      let sentinel: Float = -12345
      var buffer = inputs + [Float](repeating: sentinel, count: 16)
      FastMath.exp(&buffer, count: count)
      XCTAssertEqual(
        Array(buffer[..<count]), inputs.map { FastMath.exp($0) },
        "buffer and scalar exp differ, count \(count)")
      XCTAssertTrue(
        buffer[count...].allSatisfy { $0 == sentinel }, "exp wrote past count \(count)")
    }
  }

  func testSigmoidHasAbsoluteErrorBelowOneInAMillion() {
    let inputs = (-30_000...30_000).map { Float($0) / 1000 } + [-1e4, -100, -90, 90, 100, 1e4]
    var values = inputs
    FastMath.sigmoid(&values, count: values.count)
    assertElementsClose(
      values, inputs.map { logistic(Double($0)) }, tolerance: 1e-6, scale: 1, "FastMath.sigmoid")
  }

  func testSigmoidHandlesLengthsThatAreNotAMultipleOfTheVectorWidth() {
    var random = RandomStream(seed: 22)
    for count in Self.tailLengths {
      let inputs: [Float] = (0..<count).map { _ in Float(20 * random.uniform() - 10) }
      let sentinel: Float = 7
      var buffer = inputs + [Float](repeating: sentinel, count: 16)
      FastMath.sigmoid(&buffer, count: count)
      assertElementsClose(
        Array(buffer[..<count]), inputs.map { logistic(Double($0)) }, tolerance: 1e-6, scale: 1,
        "FastMath.sigmoid count \(count)")
      XCTAssertTrue(
        buffer[count...].allSatisfy { $0 == sentinel }, "sigmoid wrote past count \(count)")
    }
  }

  func testSigmoidInPlaceThroughTensorScalar() {
    var random = RandomStream(seed: 23)
    let inputs = (0..<37).map { _ in 24 * random.uniform() - 12 } + [-800, 800]
    let expected = inputs.map(logistic)
    assertElementsClose(
      sigmoid(inputs.map { Float($0) }), expected, tolerance: 1e-6, scale: 1,
      "Float.sigmoidInPlace")
    assertElementsClose(
      sigmoid(inputs), expected, tolerance: 1e-15, scale: 1, "Double.sigmoidInPlace")
  }

  func testExpThroughTensorScalar() {
    var random = RandomStream(seed: 24)
    let inputs = (0..<37).map { _ in 60 * random.uniform() - 30 }
    let expected = inputs.map { Foundation.exp($0) }
    assertRelativeErrorsBelow(exp(inputs.map { Float($0) }), expected, 1e-6, "Float.expInPlace")
    assertRelativeErrorsBelow(exp(inputs), expected, 1e-15, "Double.expInPlace")
    assertRelativeErrorsBelow(
      inputs.map { Float.exp(Float($0)) }, expected, 1e-6, "Float.exp")
  }

  private func logistic(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

  private func sigmoid<S: TensorScalar>(_ values: [S]) -> [S] {
    var values = values
    S.sigmoidInPlace(&values, count: values.count)
    return values
  }

  private func exp<S: TensorScalar>(_ values: [S]) -> [S] {
    var values = values
    S.expInPlace(&values, count: values.count)
    return values
  }

  /// Fails unless every |value − expected| / expected is below `tolerance`; reports the worst.
  private func assertRelativeErrorsBelow<S: BinaryFloatingPoint>(
    _ values: [S], _ expected: [Double], _ tolerance: Double, _ name: String,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    var worst = 0.0
    var worstIndex = 0
    for (i, (value, reference)) in zip(values, expected).enumerated() {
      let error = value.isFinite ? abs(Double(value) - reference) / reference : .infinity
      if error > worst { (worst, worstIndex) = (error, i) }
    }
    XCTAssertLessThan(
      worst, tolerance,
      "\(name): max relative error \(worst) at e^x = \(expected[worstIndex]), got \(values[worstIndex])",
      file: file, line: line)
  }
}
