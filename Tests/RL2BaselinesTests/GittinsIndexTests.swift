import Foundation
import XCTest

@testable import RL2Baselines

/// The fast calibration against the plain references, known values, and the on-disk cache.
final class GittinsIndexTests: XCTestCase {
  func testFiniteHorizonIndicesMatchBruteForceCalibration() {
    let n = 10
    let table = GittinsIndexTable.build(.finiteHorizon(pulls: n))
    XCTAssertLessThan(table.calibrationError, 1e-4, "certified calibration error (G = 1029)")
    var worst = (error: 0.0, state: "")
    for h in 1...n {
      for d in 0...(n - h) {
        for s in 0...d {
          let expected = FiniteHorizonReference.index(s, d - s, h)
          let got = table.index(successes: s, failures: d - s, remainingPulls: h)
          if abs(got - expected) > worst.error {
            worst = (abs(got - expected), "(s, f, h) = (\(s), \(d - s), \(h))")
          }
        }
      }
    }
    XCTAssertLessThan(
      worst.error, min(table.calibrationError + 1e-7, 1e-6),
      "largest finite-horizon index error \(worst.error) at \(worst.state), certified "
        + "\(table.calibrationError)")
  }

  func testDiscountedIndicesMatchBruteForceCalibration() {
    for (gamma, truncation) in [(0.9, 40), (0.99, 50)] {
      let kind = GittinsIndexTable.Kind.discounted(
        discount: gamma, observations: 6, truncation: truncation)
      let table = GittinsIndexTable.build(kind)
      XCTAssertLessThan(
        table.calibrationError, 1e-3, "certified calibration error, γ = \(gamma) (G = 259)")
      var worst = (error: 0.0, state: "")
      for d in 0...6 {
        for s in 0...d {
          let expected = DiscountedReference.index(
            s, d - s, gamma: gamma, truncation: truncation)
          let got = table.index(successes: s, failures: d - s)
          if abs(got - expected) > worst.error { worst = (abs(got - expected), "(\(s), \(d - s))") }
        }
      }
      XCTAssertLessThan(
        worst.error, min(table.calibrationError + 1e-7, 1e-4),
        "largest discounted index error at γ = \(gamma): \(worst.error) at (s, f) = "
          + "\(worst.state), certified \(table.calibrationError)")
    }
  }

  func testOnePullLeftIndexIsThePosteriorMeanAndIndicesGrowWithTheHorizon() {
    let n = 30
    let table = GittinsIndexTable.build(.finiteHorizon(pulls: n))
    for d in 0..<n {
      for s in 0...d {
        let f = d - s
        let mean = Double(1 + s) / Double(2 + d)
        XCTAssertEqual(
          table.index(successes: s, failures: f, remainingPulls: 1), mean, accuracy: 1e-6,
          "index(\(s), \(f), h = 1) is the posterior mean")
        for h in stride(from: 2, through: n - d, by: 1) {
          let shorter = table.index(successes: s, failures: f, remainingPulls: h - 1)
          let longer = table.index(successes: s, failures: f, remainingPulls: h)
          XCTAssertGreaterThanOrEqual(
            longer, shorter - 1e-6, "index(\(s), \(f), h) grows with h, at h = \(h)")
        }
      }
    }
    XCTAssertGreaterThan(
      table.index(successes: 0, failures: 0, remainingPulls: n), 0.6,
      "an untried arm with \(n) pulls left is worth exploring well above its mean 1/2")
  }

  func testDiscountedIndexLiesAboveTheMeanAndGrowsWithTheDiscount() {
    let tables = [0.9, 0.99].map {
      GittinsIndexTable.build(.discounted(discount: $0, observations: 20, truncation: 150))
    }
    for d in 0..<20 {
      for s in 0...d {
        let mean = Double(1 + s) / Double(2 + d)
        let (low, high) = (
          tables[0].index(successes: s, failures: d - s),
          tables[1].index(successes: s, failures: d - s)
        )
        XCTAssertGreaterThan(low, mean, "γ = 0.9 index of (\(s), \(d - s)) above the mean")
        XCTAssertGreaterThan(high, low, "index of (\(s), \(d - s)) grows from γ = 0.9 to 0.99")
      }
    }
    // Gittins & Jones's table (γ = 0.9, uniform prior): 0.7029 for an untried arm.
    XCTAssertEqual(tables[0].index(successes: 0, failures: 0), 0.7029, accuracy: 1e-4)
  }

  /// Brezzi & Lai's form is asymptotic in the observations; by 20 it is within 0.005 at γ = 0.9.
  func testBrezziLaiApproachesTheDiscountedIndex() {
    let table = GittinsIndexTable.build(
      .discounted(discount: 0.9, observations: 60, truncation: 250))
    func largestError(_ depths: ClosedRange<Int>) -> Double {
      depths.flatMap { d in
        (0...d).map { s in
          abs(
            BrezziLai.index(successes: s, failures: d - s, discount: 0.9)
              - table.index(successes: s, failures: d - s))
        }
      }.max()!
    }
    let (early, late) = (largestError(1...5), largestError(20...60))
    XCTAssertLessThan(late, 0.01, "Brezzi–Lai vs calibrated γ = 0.9 indices for 20 ≤ s + f ≤ 60")
    XCTAssertLessThan(late, early / 4, "the approximation improves with observations")
  }

  func testTruncationErrorStaysWithinItsBound() {
    let gamma = 0.9
    let short = GittinsIndexTable.build(
      .discounted(discount: gamma, observations: 10, truncation: 40))
    let long = GittinsIndexTable.build(
      .discounted(discount: gamma, observations: 10, truncation: 200))
    for d in 0...10 {
      let bound = pow(gamma, Double(40 - d)) / (4 * (1 - gamma) * Double(43).squareRoot())
      for s in 0...d {
        let change =
          long.index(successes: s, failures: d - s) - short.index(successes: s, failures: d - s)
        XCTAssertGreaterThanOrEqual(change, -1e-6, "a longer look-ahead only raises the index")
        XCTAssertLessThanOrEqual(change, bound + 1e-6, "truncation error of (\(s), \(d - s))")
      }
    }
  }

  func testCacheRoundTripsAndRejectsDamagedOrMismatchedFiles() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "gittins-cache-test-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let kind = GittinsIndexTable.Kind.finiteHorizon(pulls: 8)
    let grid = GittinsIndexTable.defaultGridIntervals(for: kind)
    let file = directory.appendingPathComponent(
      GittinsIndexTable.fileName(kind, gridIntervals: grid))
    let built = GittinsIndexTable.loadOrBuild(kind, gridIntervals: grid, file: file)
    let loaded = try GittinsIndexTable.load(kind, gridIntervals: grid, from: file)
    XCTAssertEqual(loaded.values, built.values, "indices read back from \(file.lastPathComponent)")
    XCTAssertEqual(loaded.calibrationError, built.calibrationError)

    XCTAssertThrowsError(
      try GittinsIndexTable.load(.finiteHorizon(pulls: 8), gridIntervals: 7, from: file),
      "a file for another grid is refused")
    var damaged = try Data(contentsOf: file)
    damaged[damaged.count - 3] ^= 0x40
    try damaged.write(to: file)
    XCTAssertThrowsError(
      try GittinsIndexTable.load(kind, gridIntervals: grid, from: file),
      "a damaged payload is refused")
    try Data("not a table".utf8).write(to: file)
    XCTAssertThrowsError(try GittinsIndexTable.load(kind, gridIntervals: grid, from: file))

    let rebuilt = GittinsIndexTable.loadOrBuild(kind, gridIntervals: grid, file: file)
    XCTAssertEqual(rebuilt.values, built.values, "a bad file is rebuilt, not trusted")
    XCTAssertNoThrow(
      try GittinsIndexTable.load(kind, gridIntervals: grid, from: file), "and rewritten valid")
  }
}
