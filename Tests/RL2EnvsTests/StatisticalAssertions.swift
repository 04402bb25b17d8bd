import RL2Envs
import RL2Math
import RL2Nets
import XCTest

/// Fails unless `estimate` lies within four standard errors of `expected` (a two-sided test with
/// false-alarm probability about 6e-5 for a normal estimate), naming the quantity and its z-score.
func assertWithinFourStandardErrors(
  _ estimate: Double, _ expected: Double, standardError: Double, _ name: String,
  file: StaticString = #filePath, line: UInt = #line
) {
  let z = (estimate - expected) / standardError
  XCTAssertLessThan(
    abs(z), 4, "\(name): \(estimate), expected \(expected) ± \(standardError) (z = \(z))",
    file: file, line: line)
}

/// Fails unless the sample mean of `values` lies within four of its standard errors of `expected`.
func assertMeanWithinFourStandardErrors(
  _ values: [Double], _ expected: Double, _ name: String,
  file: StaticString = #filePath, line: UInt = #line
) {
  assertWithinFourStandardErrors(
    Statistics.mean(values), expected, standardError: Statistics.standardError(values), name,
    file: file, line: line)
}

/// Fails unless |actual − expected| ≤ tolerance, naming the quantity.
func assertClose(
  _ actual: Double, _ expected: Double, tolerance: Double, _ name: String,
  file: StaticString = #filePath, line: UInt = #line
) {
  XCTAssertLessThanOrEqual(
    abs(actual - expected), tolerance,
    "\(name): got \(actual), expected \(expected) (tolerance \(tolerance))", file: file, line: line)
}

/// The φ row a trial writes for its current step, as Doubles.
func encodedRow<Task: Environment>(_ trial: Trial<Task>, _ encoder: TrialInputEncoder) -> [Double] {
  var row = [Double](repeating: .nan, count: encoder.width)
  row.withUnsafeMutableBufferPointer { trial.encodeInput(with: encoder, into: $0.baseAddress!) }
  return row
}
