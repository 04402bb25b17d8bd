import Foundation
import RL2Math
import XCTest

final class RandomStreamTests: XCTestCase {
  func testSameSeedGivesTheSameSequence() {
    var first = RandomStream(seed: 42)
    var second = RandomStream(seed: 42)
    XCTAssertEqual(draw(1000, from: &first), draw(1000, from: &second))
  }

  func testDifferentSeedsGiveDifferentSequences() {
    for (s, t) in [(1, 2), (0, 1), (42, 43), (7, 7 << 32)] as [(UInt64, UInt64)] {
      var first = RandomStream(seed: s)
      var second = RandomStream(seed: t)
      let shared = zip(draw(100, from: &first), draw(100, from: &second)).filter { $0 == $1 }
      XCTAssertTrue(shared.isEmpty, "seeds \(s) and \(t) share \(shared.count) of 100 values")
    }
  }

  func testChildStreamsAreDeterministicAndIgnoreTheParentsPosition() {
    let root = RandomStream(seed: 5)
    var advanced = root
    _ = draw(1234, from: &advanced)
    for index: UInt64 in [0, 1, 3, .max] {
      var fresh = root.stream(index)
      var again = root.stream(index)
      var fromAdvanced = advanced.stream(index)
      let expected = draw(100, from: &fresh)
      XCTAssertEqual(draw(100, from: &again), expected, "stream(\(index)) twice")
      XCTAssertEqual(draw(100, from: &fromAdvanced), expected, "stream(\(index)) after 1234 draws")
    }
    var actor = root.stream("actor")
    var actorAfterDraws = advanced.stream("actor")
    XCTAssertEqual(draw(100, from: &actorAfterDraws), draw(100, from: &actor), "stream(\"actor\")")
  }

  func testSiblingStreamsAreDifferentAndUncorrelated() {
    let root = RandomStream(seed: 9)
    let pairs: [(String, RandomStream, RandomStream)] = [
      ("stream(0) and stream(1)", root.stream(0), root.stream(1)),
      ("stream(\"actor\") and stream(\"trial\")", root.stream("actor"), root.stream("trial")),
      ("the root and stream(0)", root, root.stream(0)),
      (
        "stream(0).stream(1) and stream(1).stream(0)", root.stream(0).stream(1),
        root.stream(1).stream(0)
      ),
    ]
    for (name, first, second) in pairs {
      var (first, second) = (first, second)
      XCTAssertNotEqual(first.key, second.key, "\(name): same key")
      let a = (0..<10_000).map { _ in first.uniform() }
      let b = (0..<10_000).map { _ in second.uniform() }
      let r = correlation(a, b)
      XCTAssertLessThan(abs(r), 0.05, "\(name): sample correlation \(r)")
    }
  }

  func testUniformIsInTheUnitIntervalWithTheRightMoments() {
    var random = RandomStream(seed: 11)
    let n = 100_000
    let values = (0..<n).map { _ in random.uniform() }
    XCTAssertTrue(values.allSatisfy { $0 >= 0 && $0 < 1 }, "uniform() outside [0, 1)")
    // Var(x) = 1/12; the sample variance has variance (μ₄ − σ⁴)/n with μ₄ = 1/80.
    assertWithinFourStandardErrors(
      Statistics.mean(values), 0.5, standardError: (1 / 12 / Double(n)).squareRoot(),
      "uniform mean")
    assertWithinFourStandardErrors(
      Statistics.variance(values), 1 / 12,
      standardError: ((1.0 / 80 - 1.0 / 144) / Double(n)).squareRoot(), "uniform variance")
  }

  func testNormalHasZeroMeanAndUnitVariance() {
    var random = RandomStream(seed: 12)
    let n = 100_000
    let values = (0..<n).map { _ in random.normal() }
    XCTAssertTrue(values.allSatisfy { $0.isFinite }, "normal() gave a non-finite value")
    // For a normal sample, Var(s²) = 2σ⁴/(n − 1).
    assertWithinFourStandardErrors(
      Statistics.mean(values), 0, standardError: (1 / Double(n)).squareRoot(), "normal mean")
    assertWithinFourStandardErrors(
      Statistics.variance(values), 1, standardError: (2 / Double(n - 1)).squareRoot(),
      "normal variance")
  }

  func testNormalWithMeanAndStandardDeviationIsAnAffineMap() {
    var standard = RandomStream(seed: 13)
    var shifted = standard
    for _ in 0..<100 {
      let z = standard.normal()
      XCTAssertEqual(shifted.normal(mean: 3, standardDeviation: 0.5), 3 + 0.5 * z, accuracy: 1e-15)
    }
  }

  func testCodableRoundTripResumesTheSameSequence() throws {
    var random = RandomStream(seed: 17).stream("actor")
    _ = draw(57, from: &random)
    let data = try JSONEncoder().encode(random)
    var decoded = try JSONDecoder().decode(RandomStream.self, from: data)
    XCTAssertEqual(decoded, random)
    XCTAssertEqual(decoded.key, random.key)
    XCTAssertEqual(draw(200, from: &decoded), draw(200, from: &random), "decoded sequence")
    var decodedChild = decoded.stream(4)
    var child = random.stream(4)
    XCTAssertEqual(draw(20, from: &decodedChild), draw(20, from: &child), "decoded stream(4)")
  }

  func testWeightedIndexFrequenciesMatchTheWeights() {
    var random = RandomStream(seed: 19)
    checkWeightedIndex([0, 1, 3, 0, 6] as [Double], &random)
    checkWeightedIndex([2, 0, 0.5, 1.5, 0] as [Float], &random)
    checkWeightedIndex([0, 0, 4] as [Double], &random)
  }

  private func checkWeightedIndex<S: TensorScalar>(_ weights: [S], _ random: inout RandomStream) {
    let n = 20_000
    var counts = [Int](repeating: 0, count: weights.count)
    weights.withUnsafeBufferPointer { weights in
      for _ in 0..<n { counts[random.index(weightedBy: weights)] += 1 }
    }
    let total = weights.reduce(0.0) { $0 + Double($1) }
    var chiSquare = 0.0
    for (i, weight) in weights.enumerated() {
      if weight == 0 {
        XCTAssertEqual(counts[i], 0, "weights \(weights): index \(i) has weight 0")
      } else {
        let expected = Double(n) * Double(weight) / total
        chiSquare += (Double(counts[i]) - expected) * (Double(counts[i]) - expected) / expected
      }
    }
    // With at most 3 degrees of freedom, χ² > 25 has probability below 2e-5.
    XCTAssertLessThan(chiSquare, 25, "weights \(weights): counts \(counts), χ² = \(chiSquare)")
  }

  private func draw(_ count: Int, from random: inout RandomStream) -> [UInt64] {
    (0..<count).map { _ in random.next() }
  }

  private func correlation(_ a: [Double], _ b: [Double]) -> Double {
    let (meanA, meanB) = (Statistics.mean(a), Statistics.mean(b))
    var (covariance, varianceA, varianceB) = (0.0, 0.0, 0.0)
    for (x, y) in zip(a, b) {
      covariance += (x - meanA) * (y - meanB)
      varianceA += (x - meanA) * (x - meanA)
      varianceB += (y - meanB) * (y - meanB)
    }
    return covariance / (varianceA * varianceB).squareRoot()
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
