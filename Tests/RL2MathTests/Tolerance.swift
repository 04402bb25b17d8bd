import RL2Math
import XCTest

/// Fails unless |actual − expected| ≤ tolerance·|expected|, naming the quantity and reporting the
/// relative error. An expected value of zero is matched with absolute tolerance `tolerance`.
func assertRelativelyClose(
  _ actual: Double, _ expected: Double, tolerance: Double, _ name: String,
  file: StaticString = #filePath, line: UInt = #line
) {
  let scale = expected == 0 ? 1 : abs(expected)
  let error = abs(actual - expected) / scale
  XCTAssertTrue(
    error <= tolerance,
    "\(name): got \(actual), expected \(expected), relative error \(error) > \(tolerance)",
    file: file, line: line)
}

/// Fails unless the largest elementwise error, divided by `scale` (by default the largest
/// magnitude in `expected`, or 1 when that is zero), is within `tolerance`; reports the worst
/// element. NaN anywhere in `actual` counts as an infinite error.
func assertElementsClose<S: BinaryFloatingPoint, T: BinaryFloatingPoint>(
  _ actual: [S], _ expected: [T], tolerance: Double, scale: Double? = nil, _ name: String,
  file: StaticString = #filePath, line: UInt = #line
) {
  guard actual.count == expected.count else {
    XCTFail("\(name): \(actual.count) elements, expected \(expected.count)", file: file, line: line)
    return
  }
  let largest = expected.reduce(0.0) { max($0, abs(Double($1))) }
  let divisor = scale ?? (largest == 0 ? 1 : largest)
  var worst = 0.0
  var worstIndex = 0
  for (i, (a, e)) in zip(actual, expected).enumerated() {
    let error = a.isNaN ? .infinity : abs(Double(a) - Double(e)) / divisor
    if error > worst { (worst, worstIndex) = (error, i) }
  }
  XCTAssertTrue(
    worst <= tolerance,
    "\(name): max error \(worst) (relative to \(divisor)) > \(tolerance) at \(worstIndex): "
      + "got \(actual.isEmpty ? 0 : actual[worstIndex]), "
      + "expected \(expected.isEmpty ? 0 : expected[worstIndex])",
    file: file, line: line)
}

extension RandomStream {
  /// Values uniform on [−1, 1).
  mutating func uniformValues<S: BinaryFloatingPoint>(_ count: Int, as _: S.Type = S.self) -> [S] {
    (0..<count).map { _ in S(2 * uniform() - 1) }
  }
}
