import CBLAS

/// The element types networks compute in: `Float` for training and inference, `Double` for the
/// finite-difference gradient checks. Each conforming type routes the dense products to its BLAS
/// routine and supplies vectorized transcendental kernels for the hot elementwise loops.
public protocol TensorScalar: BinaryFloatingPoint, SIMDScalar, Codable, Sendable
where Self.RawSignificand: FixedWidthInteger {
  /// C ← α·op(A)·op(B) + β·C on row-major storage (`cblas_?gemm`).
  static func blasGEMM(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
    beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
  /// y ← α·op(A)·x + β·y on row-major storage (`cblas_?gemv`).
  static func blasGEMV(
    transposeA: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
    x: UnsafePointer<Self>, incx: Int, beta: Self, y: UnsafeMutablePointer<Self>, incy: Int)
  /// y ← α·x + y (`cblas_?axpy`).
  static func blasAXPY(
    n: Int, alpha: Self, x: UnsafePointer<Self>, incx: Int, y: UnsafeMutablePointer<Self>,
    incy: Int)
  /// xᵀy (`cblas_?dot`).
  static func blasDOT(
    n: Int, x: UnsafePointer<Self>, incx: Int, y: UnsafePointer<Self>, incy: Int
  ) -> Self

  /// e^x, the scalar form used by reference code and by small loops.
  static func exp(_ x: Self) -> Self
  /// log x.
  static func log(_ x: Self) -> Self
  /// x ← σ(x) = 1 / (1 + e^(−x)) over a contiguous run, vectorized where the type allows.
  static func sigmoidInPlace(_ x: UnsafeMutablePointer<Self>, count: Int)
  /// x ← e^x over a contiguous run, vectorized where the type allows.
  static func expInPlace(_ x: UnsafeMutablePointer<Self>, count: Int)
}

@inline(__always)
private func order(_ transpose: Bool) -> CBLAS_TRANSPOSE {
  transpose ? CblasTrans : CblasNoTrans
}

extension Float: TensorScalar {
  public static func blasGEMM(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, order(transposeA), order(transposeB), Int32(m), Int32(n), Int32(k),
      alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  public static func blasGEMV(
    transposeA: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
    x: UnsafePointer<Float>, incx: Int, beta: Float, y: UnsafeMutablePointer<Float>, incy: Int
  ) {
    cblas_sgemv(
      CblasRowMajor, order(transposeA), Int32(m), Int32(n), alpha, a, Int32(lda), x,
      Int32(incx), beta, y, Int32(incy))
  }

  public static func blasAXPY(
    n: Int, alpha: Float, x: UnsafePointer<Float>, incx: Int, y: UnsafeMutablePointer<Float>,
    incy: Int
  ) {
    cblas_saxpy(Int32(n), alpha, x, Int32(incx), y, Int32(incy))
  }

  public static func blasDOT(
    n: Int, x: UnsafePointer<Float>, incx: Int, y: UnsafePointer<Float>, incy: Int
  ) -> Float {
    cblas_sdot(Int32(n), x, Int32(incx), y, Int32(incy))
  }

  public static func exp(_ x: Float) -> Float { FastMath.exp(x) }
  public static func log(_ x: Float) -> Float { Float(LibM.log(Double(x))) }

  public static func sigmoidInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
    FastMath.sigmoid(x, count: count)
  }

  public static func expInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
    FastMath.exp(x, count: count)
  }
}

extension Double: TensorScalar {
  public static func blasGEMM(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cblas_dgemm(
      CblasRowMajor, order(transposeA), order(transposeB), Int32(m), Int32(n), Int32(k),
      alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  public static func blasGEMV(
    transposeA: Bool, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    x: UnsafePointer<Double>, incx: Int, beta: Double, y: UnsafeMutablePointer<Double>,
    incy: Int
  ) {
    cblas_dgemv(
      CblasRowMajor, order(transposeA), Int32(m), Int32(n), alpha, a, Int32(lda), x,
      Int32(incx), beta, y, Int32(incy))
  }

  public static func blasAXPY(
    n: Int, alpha: Double, x: UnsafePointer<Double>, incx: Int,
    y: UnsafeMutablePointer<Double>, incy: Int
  ) {
    cblas_daxpy(Int32(n), alpha, x, Int32(incx), y, Int32(incy))
  }

  public static func blasDOT(
    n: Int, x: UnsafePointer<Double>, incx: Int, y: UnsafePointer<Double>, incy: Int
  ) -> Double {
    cblas_ddot(Int32(n), x, Int32(incx), y, Int32(incy))
  }

  public static func exp(_ x: Double) -> Double { LibM.exp(x) }
  public static func log(_ x: Double) -> Double { LibM.log(x) }

  public static func sigmoidInPlace(_ x: UnsafeMutablePointer<Double>, count: Int) {
    for i in 0..<count { x[i] = 1 / (1 + LibM.exp(-x[i])) }
  }

  public static func expInPlace(_ x: UnsafeMutablePointer<Double>, count: Int) {
    for i in 0..<count { x[i] = LibM.exp(x[i]) }
  }
}
