import RL2Math
import XCTest

/// Moments of the Gamma, Beta, Dirichlet, Bernoulli and uniform-integer samplers, each checked
/// within four standard errors of its exact value.
final class DistributionsTests: XCTestCase {
  let n = 20_000

  func testGammaMeanAndVarianceEqualTheShape() {
    var random = RandomStream(seed: 50)
    for shape in [0.5, 1, 3.7, 0.05] {
      let values = (0..<n).map { _ in random.gamma(shape: shape) }
      XCTAssertTrue(values.allSatisfy { $0 >= 0 && $0.isFinite }, "Gamma(\(shape)) outside [0, ∞)")
      // Gamma(k): mean k, variance k, central fourth moment 3k(k + 2).
      let fourthMoment = 3 * shape * (shape + 2)
      assertWithinFourStandardErrors(
        Statistics.mean(values), shape, standardError: (shape / Double(n)).squareRoot(),
        "Gamma(\(shape)) mean")
      assertWithinFourStandardErrors(
        Statistics.variance(values), shape,
        standardError: ((fourthMoment - shape * shape) / Double(n)).squareRoot(),
        "Gamma(\(shape)) variance")
    }
  }

  func testBetaMeanAndVariance() {
    var random = RandomStream(seed: 51)
    for (a, b) in [(1.0, 1.0), (2, 5), (0.5, 0.5), (30, 3)] {
      let values = (0..<n).map { _ in random.beta(a, b) }
      XCTAssertTrue(values.allSatisfy { $0 >= 0 && $0 <= 1 }, "Beta(\(a), \(b)) outside [0, 1]")
      let variance = a * b / ((a + b) * (a + b) * (a + b + 1))
      assertWithinFourStandardErrors(
        Statistics.mean(values), a / (a + b), standardError: (variance / Double(n)).squareRoot(),
        "Beta(\(a), \(b)) mean")
      assertWithinFourStandardErrors(
        Statistics.variance(values), variance, standardError: varianceStandardError(values),
        "Beta(\(a), \(b)) variance")
    }
  }

  func testDirichletMarginalsHaveMeansAlphaOverTheirSum() {
    var random = RandomStream(seed: 52)
    let alpha = [0.3, 1, 2.5, 6]
    let total = alpha.reduce(0, +)
    let draws = (0..<n).map { _ in random.dirichlet(alpha) }
    assertSumsToOne(draws, "Dirichlet\(alpha)")
    for i in alpha.indices {
      let marginal = draws.map { $0[i] }
      let mean = alpha[i] / total
      let variance = mean * (1 - mean) / (total + 1)
      assertWithinFourStandardErrors(
        Statistics.mean(marginal), mean, standardError: (variance / Double(n)).squareRoot(),
        "Dirichlet\(alpha) marginal \(i) mean")
    }
  }

  /// Dirichlet(1, …, 1) marginals are Beta(1, K − 1): mean 1/K, variance (K − 1)/(K²(K + 1)).
  func testFlatDirichletIsUniformOnTheSimplex() {
    var random = RandomStream(seed: 53)
    for K in [1, 2, 5, 10] {
      let draws = (0..<n).map { _ in random.dirichlet(flat: K) }
      XCTAssertTrue(draws.allSatisfy { $0.count == K }, "Dirichlet(flat: \(K)) draw length")
      assertSumsToOne(draws, "Dirichlet(flat: \(K))")
      let k = Double(K)
      let variance = (k - 1) / (k * k * (k + 1))
      for i in [0, K - 1] {
        let marginal = draws.map { $0[i] }
        if K == 1 {
          XCTAssertTrue(marginal.allSatisfy { $0 == 1 }, "Dirichlet(flat: 1) is the point 1")
          continue
        }
        assertWithinFourStandardErrors(
          Statistics.mean(marginal), 1 / k, standardError: (variance / Double(n)).squareRoot(),
          "Dirichlet(flat: \(K)) marginal \(i) mean")
        assertWithinFourStandardErrors(
          Statistics.variance(marginal), variance, standardError: varianceStandardError(marginal),
          "Dirichlet(flat: \(K)) marginal \(i) variance")
      }
    }
  }

  func testBernoulliFrequencyMatchesP() {
    var random = RandomStream(seed: 54)
    for p in [0, 0.1, 0.5, 0.93, 1] {
      let frequency = Double((0..<n).filter { _ in random.bernoulli(p) }.count) / Double(n)
      if p == 0 || p == 1 {
        XCTAssertEqual(frequency, p, "bernoulli(\(p)) frequency")
      } else {
        assertWithinFourStandardErrors(
          frequency, p, standardError: (p * (1 - p) / Double(n)).squareRoot(),
          "bernoulli(\(p)) frequency")
      }
    }
  }

  func testIntegerBelowIsUniformAndInRange() {
    var random = RandomStream(seed: 55)
    for bound in [1, 2, 3, 7, 10] {
      var counts = [Int](repeating: 0, count: bound)
      for _ in 0..<n {
        let value = random.integer(below: bound)
        guard value >= 0 && value < bound else {
          XCTFail("integer(below: \(bound)) returned \(value)")
          return
        }
        counts[value] += 1
      }
      let expected = Double(n) / Double(bound)
      let chiSquare = counts.reduce(0.0) {
        $0 + (Double($1) - expected) * (Double($1) - expected) / expected
      }
      // χ² with bound − 1 ≤ 9 degrees of freedom exceeds 35 with probability below 1e-4.
      XCTAssertLessThan(
        chiSquare, 35, "integer(below: \(bound)) counts \(counts): χ² = \(chiSquare)")
    }
  }

  /// With n = 3·2⁶¹, `next() % n` would land below n/2 with probability 9/16; unbiased: 1/2.
  func testIntegerBelowHasNoModuloBiasForLargeBounds() {
    var random = RandomStream(seed: 56)
    let bound = 3 << 61
    var below = 0
    for _ in 0..<n {
      let value = random.integer(below: bound)
      XCTAssertTrue(value >= 0 && value < bound, "integer(below: 3·2⁶¹) returned \(value)")
      if value < bound / 2 { below += 1 }
    }
    assertWithinFourStandardErrors(
      Double(below) / Double(n), 0.5, standardError: (0.25 / Double(n)).squareRoot(),
      "share below n/2")
  }

  func testSamplersArePureFunctionsOfTheStream() {
    var first = RandomStream(seed: 57)
    var second = RandomStream(seed: 57)
    for _ in 0..<100 {
      XCTAssertEqual(first.gamma(shape: 0.7), second.gamma(shape: 0.7), "gamma replay")
      XCTAssertEqual(first.dirichlet(flat: 4), second.dirichlet(flat: 4), "dirichlet replay")
      XCTAssertEqual(first.integer(below: 9), second.integer(below: 9), "integer replay")
    }
  }

  // MARK: - Helpers

  private func assertSumsToOne(
    _ draws: [[Double]], _ name: String, file: StaticString = #filePath, line: UInt = #line
  ) {
    let worst = draws.map { abs($0.reduce(0, +) - 1) }.max() ?? 0
    XCTAssertLessThan(worst, 1e-12, "\(name): a draw sums to 1 ± \(worst)", file: file, line: line)
    XCTAssertTrue(
      draws.allSatisfy { $0.allSatisfy { $0 >= 0 } }, "\(name): negative component", file: file,
      line: line)
  }

  /// √((m₄ − s⁴)/n), the standard error of a sample variance from the sample's own fourth moment.
  private func varianceStandardError(_ values: [Double]) -> Double {
    let mean = Statistics.mean(values)
    let squares = values.map { ($0 - mean) * ($0 - mean) }
    let secondMoment = Statistics.mean(squares)
    let fourthMoment = Statistics.mean(squares.map { $0 * $0 })
    return ((fourthMoment - secondMoment * secondMoment) / Double(values.count)).squareRoot()
  }

  private func assertWithinFourStandardErrors(
    _ estimate: Double, _ expected: Double, standardError: Double, _ name: String,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    let z = (estimate - expected) / standardError
    XCTAssertLessThan(
      abs(z), 4, "\(name): \(estimate), expected \(expected) ± \(standardError) (z = \(z))",
      file: file, line: line)
  }
}
