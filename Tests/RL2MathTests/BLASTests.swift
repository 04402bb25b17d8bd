import RL2Math
import XCTest

/// Every BLAS wrapper against its naive reference twin, in Float and Double.
///
/// Shapes: op(A) is m×k, op(B) is k×n, C is m×n. A case's `padding` widens every row stride
/// (lda, ldb, ldc) beyond the row width, so the routines see sub-matrix views and must leave the
/// padding columns of C untouched.
final class BLASTests: XCTestCase {
  struct Case: CustomStringConvertible {
    var transposeA = false
    var transposeB = false
    var m: Int
    var n: Int
    var k = 0
    var padding: Int
    var alpha: Double
    var beta: Double

    var description: String {
      "\(transposeA ? "Aᵀ" : "A")·\(transposeB ? "Bᵀ" : "B") m=\(m) n=\(n) k=\(k) "
        + "padding=\(padding) α=\(alpha) β=\(beta)"
    }
  }

  static let scalings: [(alpha: Double, beta: Double)] = [
    (1, 0), (-0.7, 0), (1, 0.45), (2.5, -1.3),
  ]

  static let gemmCases: [Case] = {
    let shapes = [(7, 5, 3), (1, 9, 13), (17, 4, 33), (6, 1, 1), (8, 8, 8)]
    var cases: [Case] = []
    for (m, n, k) in shapes {
      for transposeA in [false, true] {
        for transposeB in [false, true] {
          for padding in [0, 3] {
            for (alpha, beta) in scalings {
              cases.append(
                Case(
                  transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                  padding: padding, alpha: alpha, beta: beta))
            }
          }
        }
      }
    }
    return cases
  }()

  static let gemvCases: [Case] = {
    var cases: [Case] = []
    for (m, n) in [(7, 5), (1, 9), (33, 4), (5, 1)] {
      for transposeA in [false, true] {
        for padding in [0, 2] {
          for (alpha, beta) in scalings {
            cases.append(
              Case(transposeA: transposeA, m: m, n: n, padding: padding, alpha: alpha, beta: beta))
          }
        }
      }
    }
    return cases
  }()

  static let vectorLengths = [0, 1, 7, 16, 100, 1037]

  func testGEMMMatchesReferenceInFloat() {
    var random = RandomStream(seed: 1)
    for c in Self.gemmCases { checkGEMM(c, as: Float.self, tolerance: 1e-4, &random) }
  }

  func testGEMMMatchesReferenceInDouble() {
    var random = RandomStream(seed: 2)
    for c in Self.gemmCases { checkGEMM(c, as: Double.self, tolerance: 1e-12, &random) }
  }

  func testGEMMWithZeroBetaOverwritesNaNInC() {
    var random = RandomStream(seed: 3)
    let (m, n, k) = (4, 6, 5)
    let a: [Float] = random.uniformValues(m * k)
    let b: [Float] = random.uniformValues(k * n)
    var c = [Float](repeating: .nan, count: m * n)
    var reference = c
    BLAS.gemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, beta: 0, c: &c, ldc: n)
    BLAS.gemmReference(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, beta: 0, c: &reference, ldc: n)
    assertElementsClose(c, reference, tolerance: 1e-4, "gemm with β = 0 over NaN")
  }

  func testGEMMWithEmptyInnerDimensionScalesCByBeta() {
    checkEmptyInnerDimension(as: Float.self)
    checkEmptyInnerDimension(as: Double.self)
  }

  func testGEMVMatchesReferenceInFloat() {
    var random = RandomStream(seed: 4)
    for c in Self.gemvCases { checkGEMV(c, as: Float.self, tolerance: 1e-4, &random) }
  }

  func testGEMVMatchesReferenceInDouble() {
    var random = RandomStream(seed: 5)
    for c in Self.gemvCases { checkGEMV(c, as: Double.self, tolerance: 1e-12, &random) }
  }

  func testGEMVWithEmptyInnerDimensionScalesYByBeta() {
    let a = [Double](repeating: 1, count: 3)
    let x = [Double](repeating: 1, count: 3)
    for (transposeA, m, n) in [(false, 3, 0), (true, 0, 3)] {
      for beta in [0.0, 2.0] {
        var y: [Double] = [5, 6, 7]
        var expected = y
        BLAS.gemv(
          transposeA: transposeA, m: m, n: n, alpha: 1, a: a, lda: max(n, 1), x: x, beta: beta,
          y: &y)
        BLAS.gemvReference(
          transposeA: transposeA, m: m, n: n, alpha: 1, a: a, lda: max(n, 1), x: x, beta: beta,
          y: &expected)
        XCTAssertEqual(y, expected, "transposeA \(transposeA), beta \(beta)")
        XCTAssertEqual(y, beta == 0 ? [0, 0, 0] : [10, 12, 14])
      }
    }
  }

  func testAXPYMatchesReference() {
    var random = RandomStream(seed: 6)
    for count in Self.vectorLengths {
      for alpha in [1, -0.3, 2.5] {
        checkAXPY(count: count, alpha: alpha, as: Float.self, tolerance: 1e-6, &random)
        checkAXPY(count: count, alpha: alpha, as: Double.self, tolerance: 1e-14, &random)
      }
    }
  }

  func testDOTMatchesReference() {
    var random = RandomStream(seed: 7)
    for count in Self.vectorLengths {
      checkDOT(count: count, as: Float.self, tolerance: 1e-4, &random)
      checkDOT(count: count, as: Double.self, tolerance: 1e-13, &random)
    }
  }

  func testMatmulOfSmallMatricesIsExact() {
    let a = Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let b = Tensor<Double>(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
    XCTAssertEqual(BLAS.matmul(a, b), Tensor(shape: [2, 2], scalars: [58, 64, 139, 154]))
    XCTAssertEqual(
      BLAS.matmul(a, transposed: true, a),
      Tensor(shape: [3, 3], scalars: [17, 22, 27, 22, 29, 36, 27, 36, 45]))
    XCTAssertEqual(
      BLAS.matmul(a, transposed: false, a, transposed: true),
      Tensor(shape: [2, 2], scalars: [14, 32, 32, 77]))
  }

  func testMatmulMatchesReferenceForEveryTransposition() {
    var random = RandomStream(seed: 8)
    let (m, n, k) = (5, 7, 11)
    for transposeA in [false, true] {
      for transposeB in [false, true] {
        let a = Tensor<Float>(
          shape: transposeA ? [k, m] : [m, k], scalars: random.uniformValues(m * k))
        let b = Tensor<Float>(
          shape: transposeB ? [n, k] : [k, n], scalars: random.uniformValues(k * n))
        let product = BLAS.matmul(a, transposed: transposeA, b, transposed: transposeB)
        var reference = [Float](repeating: 0, count: m * n)
        BLAS.gemmReference(
          transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
          a: a.scalars, lda: a.shape[1], b: b.scalars, ldb: b.shape[1], c: &reference, ldc: n)
        XCTAssertEqual(product.shape, [m, n], "matmul shape")
        assertElementsClose(
          product.scalars, reference, tolerance: 1e-4,
          "matmul transposeA=\(transposeA) transposeB=\(transposeB)")
      }
    }
  }

  func testMatmulWithEmptyInnerDimensionIsZero() {
    let a = Tensor<Float>(shape: [2, 0])
    let b = Tensor<Float>(shape: [0, 3])
    XCTAssertEqual(BLAS.matmul(a, b), Tensor(shape: [2, 3]))
  }

  private func checkGEMM<S: TensorScalar>(
    _ c: Case, as _: S.Type, tolerance: Double, _ random: inout RandomStream
  ) {
    let (aRows, aColumns) = c.transposeA ? (c.k, c.m) : (c.m, c.k)
    let (bRows, bColumns) = c.transposeB ? (c.n, c.k) : (c.k, c.n)
    let (lda, ldb, ldc) = (aColumns + c.padding, bColumns + c.padding, c.n + c.padding)
    let a: [S] = random.uniformValues(aRows * lda)
    let b: [S] = random.uniformValues(bRows * ldb)
    let initial: [S] = random.uniformValues(c.m * ldc)
    var fast = initial
    var reference = initial
    BLAS.gemm(
      transposeA: c.transposeA, transposeB: c.transposeB, m: c.m, n: c.n, k: c.k,
      alpha: S(c.alpha), a: a, lda: lda, b: b, ldb: ldb, beta: S(c.beta), c: &fast, ldc: ldc)
    BLAS.gemmReference(
      transposeA: c.transposeA, transposeB: c.transposeB, m: c.m, n: c.n, k: c.k,
      alpha: S(c.alpha), a: a, lda: lda, b: b, ldb: ldb, beta: S(c.beta), c: &reference, ldc: ldc)
    assertElementsClose(fast, reference, tolerance: tolerance, "\(S.self) gemm \(c)")
    XCTAssertEqual(
      padding(of: fast, rows: c.m, width: c.n, stride: ldc),
      padding(of: initial, rows: c.m, width: c.n, stride: ldc),
      "\(S.self) gemm \(c) wrote into the padding of C")
  }

  private func checkEmptyInnerDimension<S: TensorScalar>(as _: S.Type) {
    var random = RandomStream(seed: 9)
    let (m, n, ldc) = (3, 4, 6)
    let unused: [S] = [0]
    for beta in [0, 0.5, -2] as [S] {
      let initial: [S] = random.uniformValues(m * ldc)
      var fast = initial
      var reference = initial
      BLAS.gemm(
        m: m, n: n, k: 0, alpha: 1.5, a: unused, lda: 1, b: unused, ldb: n, beta: beta, c: &fast,
        ldc: ldc)
      BLAS.gemmReference(
        m: m, n: n, k: 0, alpha: 1.5, a: unused, lda: 1, b: unused, ldb: n, beta: beta,
        c: &reference, ldc: ldc)
      var expected = initial
      for i in 0..<m {
        for j in 0..<n { expected[i * ldc + j] = beta * initial[i * ldc + j] }
      }
      XCTAssertEqual(fast, expected, "\(S.self) gemm with k = 0, β = \(beta)")
      XCTAssertEqual(reference, expected, "\(S.self) gemmReference with k = 0, β = \(beta)")
    }
  }

  private func checkGEMV<S: TensorScalar>(
    _ c: Case, as _: S.Type, tolerance: Double, _ random: inout RandomStream
  ) {
    let lda = c.n + c.padding
    let (inputs, outputs) = c.transposeA ? (c.m, c.n) : (c.n, c.m)
    let a: [S] = random.uniformValues(c.m * lda)
    let x: [S] = random.uniformValues(inputs)
    let initial: [S] = random.uniformValues(outputs)
    var fast = initial
    var reference = initial
    BLAS.gemv(
      transposeA: c.transposeA, m: c.m, n: c.n, alpha: S(c.alpha), a: a, lda: lda, x: x,
      beta: S(c.beta), y: &fast)
    BLAS.gemvReference(
      transposeA: c.transposeA, m: c.m, n: c.n, alpha: S(c.alpha), a: a, lda: lda, x: x,
      beta: S(c.beta), y: &reference)
    assertElementsClose(fast, reference, tolerance: tolerance, "\(S.self) gemv \(c)")
  }

  private func checkAXPY<S: TensorScalar>(
    count: Int, alpha: Double, as _: S.Type, tolerance: Double, _ random: inout RandomStream
  ) {
    let x: [S] = random.uniformValues(count)
    let initial: [S] = random.uniformValues(count)
    var fast = initial
    var reference = initial
    BLAS.axpy(count: count, alpha: S(alpha), x: x, y: &fast)
    BLAS.axpyReference(count: count, alpha: S(alpha), x: x, y: &reference)
    assertElementsClose(
      fast, reference, tolerance: tolerance, "\(S.self) axpy count=\(count) α=\(alpha)")
  }

  private func checkDOT<S: TensorScalar>(
    count: Int, as _: S.Type, tolerance: Double, _ random: inout RandomStream
  ) {
    let x: [S] = random.uniformValues(count)
    let y: [S] = random.uniformValues(count)
    // Cancellation can make the sum small, so the error is measured against Σ|xᵢyᵢ|.
    let magnitude = zip(x, y).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
    assertElementsClose(
      [BLAS.dot(count: count, x: x, y: y)], [BLAS.dotReference(count: count, x: x, y: y)],
      tolerance: tolerance, scale: magnitude == 0 ? 1 : magnitude, "\(S.self) dot count=\(count)")
  }

  /// The elements of the columns past `width` in each of `rows` rows of stride `stride`.
  private func padding<S>(of matrix: [S], rows: Int, width: Int, stride: Int) -> [S] {
    (0..<rows).flatMap { matrix[($0 * stride + width)..<(($0 + 1) * stride)] }
  }
}

/// The kernel choice `rl2` relaunches under when OpenBLAS's detection falls short of the CPU.
final class BLASKernelChoiceTests: XCTestCase {
  func testNarrowKernelsOnAWiderCPUAreReplacedAndFittingOnesKept() {
    XCTAssertEqual(BLAS.fittingKernel(for: "Prescott", instructionSet: "avx512"), "SkylakeX")
    XCTAssertEqual(BLAS.fittingKernel(for: "Nehalem", instructionSet: "avx512"), "SkylakeX")
    XCTAssertEqual(BLAS.fittingKernel(for: "Haswell", instructionSet: "avx512"), "SkylakeX")
    XCTAssertEqual(BLAS.fittingKernel(for: "Prescott", instructionSet: "avx2"), "Haswell")
    XCTAssertEqual(BLAS.fittingKernel(for: "Sandybridge", instructionSet: "avx2"), "Haswell")
    XCTAssertNil(BLAS.fittingKernel(for: "SkylakeX", instructionSet: "avx512"))
    XCTAssertNil(BLAS.fittingKernel(for: "SapphireRapids", instructionSet: "avx512"))
    XCTAssertNil(BLAS.fittingKernel(for: "Zen", instructionSet: "avx512"))
    XCTAssertNil(BLAS.fittingKernel(for: "Haswell", instructionSet: "avx2"))
    XCTAssertNil(BLAS.fittingKernel(for: "SkylakeX", instructionSet: "avx2"))
    XCTAssertNil(BLAS.fittingKernel(for: "Prescott", instructionSet: "baseline"))
  }
}
