import Foundation
import RL2Math
import XCTest

final class StatisticsTests: XCTestCase {
  func testMeanVarianceAndStandardErrorMatchHandComputedValues() {
    // Deviations from the mean 5 are −3, −1, −1, −1, 0, 0, 2, 4: their squares sum to 32.
    let values: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]
    XCTAssertEqual(Statistics.mean(values), 5, accuracy: 1e-15)
    XCTAssertEqual(Statistics.variance(values), 32.0 / 7, accuracy: 1e-14)
    XCTAssertEqual(Statistics.standardError(values), (4.0 / 7).squareRoot(), accuracy: 1e-15)
    let floats: [Float] = [1.5, -0.5, 2.0]
    XCTAssertEqual(Statistics.mean(floats), 1, accuracy: 1e-15)
    XCTAssertEqual(Statistics.variance(floats), 1.75, accuracy: 1e-15)
  }

  func testVarianceAndStandardErrorOfOneValueAreZero() {
    XCTAssertEqual(Statistics.mean([3.5]), 3.5)
    XCTAssertEqual(Statistics.variance([3.5]), 0)
    XCTAssertEqual(Statistics.standardError([3.5]), 0)
  }

  func testStudentTMatchesScipy() {
    // (t, ν, P(T > t)) from scipy.stats.t.sf(t, ν), scipy 1.17.1.
    let cases: [(t: Double, nu: Double, survival: Double)] = [
      (2.0, 1, 0.14758361765043326),
      (1.0, 1, 0.25000000000000006),
      (2.0, 2, 0.09175170953613698),
      (3.0, 2, 0.04773298313335456),
      (2.0, 5, 0.050969739414929174),
      (0.5, 5, 0.31914943582046457),
      (-1.5, 5, 0.9030481598787634),
      (4.0, 10, 0.0012591663123683473),
      (1.3, 7.3, 0.11657077503308287),
      (-2.7, 7.3, 0.9852734718795858),
      (2.0, 1000, 0.02288517324662583),
      (-0.8, 1000, 0.7880496025854287),
    ]
    for (t, nu, survival) in cases {
      assertRelativelyClose(
        StudentT.survival(t, degreesOfFreedom: nu), survival, tolerance: 1e-10,
        "StudentT.survival(\(t), ν = \(nu))")
      assertRelativelyClose(
        StudentT.cdf(t, degreesOfFreedom: nu), 1 - survival, tolerance: 1e-10,
        "StudentT.cdf(\(t), ν = \(nu))")
    }
  }

  func testStudentTIsOneHalfAtZero() {
    for nu in [1, 2, 5, 7.3, 1000] {
      XCTAssertEqual(StudentT.survival(0, degreesOfFreedom: nu), 0.5, accuracy: 1e-15, "ν = \(nu)")
      XCTAssertEqual(StudentT.cdf(0, degreesOfFreedom: nu), 0.5, accuracy: 1e-15, "ν = \(nu)")
    }
  }

  func testStudentTWithOneDegreeOfFreedomIsCauchy() {
    for t in stride(from: -20.0, through: 20, by: 0.25) {
      XCTAssertEqual(
        StudentT.survival(t, degreesOfFreedom: 1), 0.5 - atan(t) / .pi, accuracy: 1e-13,
        "Cauchy survival at \(t)")
    }
  }

  func testStudentTIsSymmetricAndHandlesInfiniteT() {
    for nu in [1, 3.5, 30] {
      for t in [0.1, 1, 2.5, 8] {
        XCTAssertEqual(
          StudentT.survival(-t, degreesOfFreedom: nu), StudentT.cdf(t, degreesOfFreedom: nu),
          accuracy: 1e-14, "symmetry at t = \(t), ν = \(nu)")
      }
      XCTAssertEqual(StudentT.survival(.infinity, degreesOfFreedom: nu), 0)
      XCTAssertEqual(StudentT.survival(-.infinity, degreesOfFreedom: nu), 1)
    }
  }

  func testIncompleteBetaMatchesScipy() {
    // (x, a, b, I_x(a, b)) from scipy.special.betainc(a, b, x), scipy 1.17.1.
    let cases: [(x: Double, a: Double, b: Double, value: Double)] = [
      (0.3, 2, 3, 0.34829999999999994),
      (0.7, 2, 3, 0.9163),
      (0.5, 0.5, 0.5, 0.5000000000000001),
      (0.1, 5, 0.5, 2.5705896992293723e-06),
      (0.9, 0.5, 5, 0.9999974294103009),
      (0.25, 10, 12.5, 0.024786711871389134),
      (0.999, 500, 0.5, 0.31731044730971725),
      (0.02, 1.5, 40, 0.3465471321502204),
    ]
    for (x, a, b, value) in cases {
      assertRelativelyClose(
        IncompleteBeta.regularized(x: x, a: a, b: b), value, tolerance: 1e-10,
        "IncompleteBeta.regularized(x: \(x), a: \(a), b: \(b))")
    }
  }

  func testIncompleteBetaIsSymmetricAndClampedToTheUnitInterval() {
    for (a, b) in [(0.5, 0.5), (2, 3), (7.3, 0.5), (40, 1.5)] {
      for x in stride(from: 0.05, to: 1, by: 0.05) {
        XCTAssertEqual(
          IncompleteBeta.regularized(x: x, a: a, b: b),
          1 - IncompleteBeta.regularized(x: 1 - x, a: b, b: a), accuracy: 1e-13,
          "I_x(a, b) = 1 − I_{1−x}(b, a) at x = \(x), a = \(a), b = \(b)")
      }
      XCTAssertEqual(IncompleteBeta.regularized(x: 0, a: a, b: b), 0)
      XCTAssertEqual(IncompleteBeta.regularized(x: 1, a: a, b: b), 1)
    }
  }

  func testWelchTestMatchesScipy() {
    let a = [4.1, 5.3, 6.0, 5.6, 4.9, 6.2]
    let b = [3.9, 4.4, 5.1, 4.0, 4.6]
    // scipy.stats.ttest_ind(a, b, equal_var=False, alternative='greater'), scipy 1.17.1; ν is
    // the Welch–Satterthwaite formula evaluated in Python with numpy.var(ddof=1).
    let test = WelchTest(a, b)
    assertRelativelyClose(test.t, 2.4848457458852025, tolerance: 1e-12, "Welch t")
    assertRelativelyClose(test.degreesOfFreedom, 8.481231943188586, tolerance: 1e-12, "Welch ν")
    assertRelativelyClose(test.pValue, 0.018114243873080537, tolerance: 1e-9, "Welch p")
    XCTAssertTrue(test.isSignificant())
    XCTAssertTrue(test.isSignificant(at: 0.05))
    XCTAssertFalse(test.isSignificant(at: 0.01))

    // The same samples the other way round: alternative='greater' gives p = 0.9818857561269194.
    let reversed = WelchTest(b, a)
    assertRelativelyClose(reversed.t, -2.4848457458852025, tolerance: 1e-12, "reversed Welch t")
    assertRelativelyClose(reversed.pValue, 0.9818857561269194, tolerance: 1e-9, "reversed Welch p")
    XCTAssertFalse(reversed.isSignificant())
  }

  func testWelchTestOfConstantSamples() {
    let identical = WelchTest([3.0, 3, 3], [3.0, 3, 3, 3])
    XCTAssertEqual(identical.t, 0)
    XCTAssertEqual(identical.pValue, 0.5)
    XCTAssertEqual(identical.degreesOfFreedom, 5)
    XCTAssertFalse(identical.isSignificant())

    let larger = WelchTest([4.0, 4], [3.0, 3, 3])
    XCTAssertEqual(larger.t, .infinity)
    XCTAssertEqual(larger.pValue, 0)
    XCTAssertTrue(larger.isSignificant(at: 1e-12))

    let smaller = WelchTest([3.0, 3], [4.0, 4, 4])
    XCTAssertEqual(smaller.t, -.infinity)
    XCTAssertEqual(smaller.pValue, 1)
    XCTAssertFalse(smaller.isSignificant(at: 0.5))
  }
}
