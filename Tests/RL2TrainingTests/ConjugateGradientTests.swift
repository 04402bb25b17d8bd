import RL2Math
import XCTest

@testable import RL2Training

/// Conjugate gradient on a random symmetric positive-definite system against a direct solve.
final class ConjugateGradientTests: XCTestCase {
  let n = 8
  /// F = MᵀM + I, row-major [n, n], and a right-hand side b.
  var matrix: [Float] = []
  var b: [Float] = []

  override func setUp() {
    var random = RandomStream(seed: 21)
    let m = (0..<(n * n)).map { _ in random.normal() }
    matrix = (0..<(n * n)).map { index in
      let (i, j) = (index / n, index % n)
      let product = (0..<n).reduce(0.0) { $0 + m[$1 * n + i] * m[$1 * n + j] }
      return Float(product + (i == j ? 1 : 0))
    }
    b = (0..<n).map { _ in Float(random.normal()) }
  }

  func product(_ v: [Float]) -> [Float] {
    (0..<n).map { i in
      Float((0..<n).reduce(0.0) { $0 + Double(matrix[i * n + $1]) * Double(v[$1]) })
    }
  }

  /// x with F·x = b by Gaussian elimination with partial pivoting, in Double.
  func directSolve() -> [Double] {
    var a = (0..<n).map { i in (0..<n).map { Double(matrix[i * n + $0]) } + [Double(b[i])] }
    for column in 0..<n {
      let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) }!
      a.swapAt(column, pivot)
      for row in (column + 1)..<n {
        let factor = a[row][column] / a[column][column]
        for k in column...n { a[row][k] -= factor * a[column][k] }
      }
    }
    var x = [Double](repeating: 0, count: n)
    for row in stride(from: n - 1, through: 0, by: -1) {
      let known = ((row + 1)..<n).reduce(0.0) { $0 + a[row][$1] * x[$1] }
      x[row] = (a[row][n] - known) / a[row][row]
    }
    return x
  }

  func testSolvesASymmetricPositiveDefiniteSystem() {
    let expected = directSolve()
    for iterations in [n, 2 * n] {
      let x = ConjugateGradient.solve(
        b, iterations: iterations, residualTolerance: 0, product: product)
      assertElementsClose(x, expected, tolerance: 1e-3, "CG with \(iterations) iterations")
    }
  }

  /// From x₀ = 0 the first iteration is the steepest-descent step x = α·b, α = bᵀb / bᵀFb.
  func testOneIterationIsTheSteepestDescentStep() {
    let x = ConjugateGradient.solve(b, iterations: 1, residualTolerance: 0, product: product)
    let (bb, fb) = (b.map(Double.init), product(b).map(Double.init))
    let alpha = Reference.dot(bb, bb) / Reference.dot(bb, fb)
    assertElementsClose(x, bb.map { alpha * $0 }, tolerance: 1e-6, "one CG iteration")
  }

  func testStopsAtOnceWhenTheResidualIsBelowTheTolerance() {
    var calls = 0
    let x = ConjugateGradient.solve(b, iterations: 10, residualTolerance: 1e9) { v in
      calls += 1
      return self.product(v)
    }
    XCTAssertEqual(calls, 0, "products evaluated although bᵀb < tolerance")
    XCTAssertEqual(x, [Float](repeating: 0, count: n), "x₀ = 0 returned")
  }
}
