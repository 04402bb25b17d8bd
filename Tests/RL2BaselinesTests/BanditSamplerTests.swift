import Foundation
import RL2Math
import XCTest

@testable import RL2Baselines

/// The fast Beta sampler of Thompson sampling against the exact distributions.
final class BanditSamplerTests: XCTestCase {
  /// Kolmogorov–Smirnov distance of `draws` from the CDF `cdf`.
  func ksDistance(_ draws: [Double], _ cdf: (Double) -> Double) -> Double {
    let sorted = draws.sorted()
    let n = Double(sorted.count)
    return sorted.enumerated().map { i, x in
      let f = cdf(x)
      return max(abs(Double(i + 1) / n - f), abs(Double(i) / n - f))
    }.max()!
  }

  func testBetaDrawsFollowTheBetaDistribution() {
    let count = 20_000
    // The 0.1 % critical value of the KS statistic is about 1.95/√n.
    let critical = 1.95 / Double(count).squareRoot()
    var random = RandomStream(seed: 21)
    for (a, b) in [(1.0, 1.0), (2.0, 5.0), (31.0, 3.0), (1.0, 40.0), (200.0, 300.0)] {
      let draws = (0..<count).map { _ in FastBetaSampler.beta(a, b, random: &random) }
      let distance = ksDistance(draws) { IncompleteBeta.regularized(x: $0, a: a, b: b) }
      XCTAssertLessThan(distance, critical, "KS distance of Beta(\(a), \(b)) draws")
    }
  }

  func testZigguratNormalFollowsTheNormalDistributionIncludingItsTails() {
    let count = 200_000
    var random = RandomStream(seed: 22)
    let draws = (0..<count).map { _ in FastBetaSampler.normal(random: &random) }
    let distance = ksDistance(draws) { 0.5 * erfc(-$0 / 2.0.squareRoot()) }
    XCTAssertLessThan(distance, 1.95 / Double(count).squareRoot(), "KS distance of the normals")
    // Beyond r = 3.654 (the tail layer): P = erfc(r/√2) = 2.58e-4, about 52 of 200 000.
    let tail = Double(draws.filter { abs($0) > Ziggurat.r }.count)
    let expected = erfc(Ziggurat.r / 2.0.squareRoot()) * Double(count)
    XCTAssertEqual(tail, expected, accuracy: 4 * expected.squareRoot(), "draws in the tails")
  }

  func testZigguratLayersCloseAtTheTop() {
    let x = Ziggurat.shared.x
    XCTAssertEqual(x.count, 257)
    XCTAssertTrue(x.allSatisfy { $0.isFinite && $0 >= 0 }, "every layer edge is a number")
    XCTAssertTrue(zip(x.dropFirst(), x.dropFirst(2)).allSatisfy { $0 > $1 }, "edges shrink")
    XCTAssertLessThan(x[255], 0.3, "the top layer is narrow")
  }
}
