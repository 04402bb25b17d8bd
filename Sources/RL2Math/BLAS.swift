import CBLAS
import CRL2Kernels

/// Thin wrappers over the four BLAS routines the project uses, each beside a naive reference
/// twin that tests compare it with. All matrices are row-major; `lda` etc. are row strides.
///
/// Shapes: op(A) is m×k, op(B) is k×n, C is m×n, where op(X) is X or Xᵀ.
public enum BLAS {
  /// Number of threads OpenBLAS uses for one call. Actors run with 1 so several share a
  /// machine without oversubscription; the learner and benchmarks use every core.
  public static var threadCount: Int {
    get { Int(openblas_get_num_threads()) }
    set { openblas_set_num_threads(Int32(max(1, newValue))) }
  }

  /// Number of cores OpenBLAS detected.
  public static var coreCount: Int { Int(openblas_get_num_procs()) }

  /// The kernel family OpenBLAS runs (`openblas_get_corename`, e.g. "SkylakeX", "Haswell").
  public static var kernelName: String { String(cString: openblas_get_corename()) }

  /// The widest instruction set this CPU offers the project's own kernels: "avx512", "avx2"
  /// or "baseline".
  public static var instructionSet: String { String(cString: rl2_kernels_isa()) }

  /// The `OPENBLAS_CORETYPE` to run under when OpenBLAS picked kernels narrower than the CPU's
  /// `instructionSet`, nil when its choice fits.
  ///
  /// A DYNAMIC_ARCH OpenBLAS picks its kernels from the CPU model number once, as it loads, and
  /// falls back to its SSE3 "Prescott" kernels for models it does not know: Debian 12's 0.3.21
  /// does so on Emerald Rapids (family 6, model 207), where its SGEMM then reaches 18 GFLOP/s
  /// on one core against 133 with the SkylakeX kernels (512³, measured). Only the environment
  /// variable, read before `main`, changes the choice.
  public static func fittingKernel(for kernelName: String, instructionSet: String) -> String? {
    let avx512Kernels: Set = ["skylakex", "cooperlake", "sapphirerapids", "zen"]
    let avx2Kernels = avx512Kernels.union(["haswell", "excavator"])
    let name = kernelName.lowercased()
    switch instructionSet {
    case "avx512": return avx512Kernels.contains(name) ? nil : "SkylakeX"
    case "avx2": return avx2Kernels.contains(name) ? nil : "Haswell"
    default: return nil
    }
  }

  /// C ← α·op(A)·op(B) + β·C.
  @inline(__always)
  public static func gemm<S: TensorScalar>(
    transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
    alpha: S = 1, a: UnsafePointer<S>, lda: Int, b: UnsafePointer<S>, ldb: Int,
    beta: S = 0, c: UnsafeMutablePointer<S>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
      scale(c, rows: m, columns: n, stride: ldc, by: beta)
      return
    }
    S.blasGEMM(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
  }

  /// The triple loop `gemm` must agree with.
  public static func gemmReference<S: TensorScalar>(
    transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
    alpha: S = 1, a: UnsafePointer<S>, lda: Int, b: UnsafePointer<S>, ldb: Int,
    beta: S = 0, c: UnsafeMutablePointer<S>, ldc: Int
  ) {
    for i in 0..<m {
      for j in 0..<n {
        var sum: S = 0
        for p in 0..<k {
          let aip = transposeA ? a[p * lda + i] : a[i * lda + p]
          let bpj = transposeB ? b[j * ldb + p] : b[p * ldb + j]
          sum += aip * bpj
        }
        c[i * ldc + j] = alpha * sum + (beta == 0 ? 0 : beta * c[i * ldc + j])
      }
    }
  }

  /// y ← α·op(A)·x + β·y, A stored m×n.
  @inline(__always)
  public static func gemv<S: TensorScalar>(
    transposeA: Bool = false, m: Int, n: Int, alpha: S = 1, a: UnsafePointer<S>, lda: Int,
    x: UnsafePointer<S>, beta: S = 0, y: UnsafeMutablePointer<S>
  ) {
    let (outputs, inputs) = transposeA ? (n, m) : (m, n)
    if inputs == 0 {
      // OpenBLAS returns early here without applying β; the reference semantics do.
      for i in 0..<outputs { y[i] = beta == 0 ? 0 : beta * y[i] }
      return
    }
    S.blasGEMV(
      transposeA: transposeA, m: m, n: n, alpha: alpha, a: a, lda: lda, x: x, incx: 1,
      beta: beta, y: y, incy: 1)
  }

  /// The double loop `gemv` must agree with.
  public static func gemvReference<S: TensorScalar>(
    transposeA: Bool = false, m: Int, n: Int, alpha: S = 1, a: UnsafePointer<S>, lda: Int,
    x: UnsafePointer<S>, beta: S = 0, y: UnsafeMutablePointer<S>
  ) {
    let outputs = transposeA ? n : m
    let inputs = transposeA ? m : n
    for i in 0..<outputs {
      var sum: S = 0
      for j in 0..<inputs {
        sum += (transposeA ? a[j * lda + i] : a[i * lda + j]) * x[j]
      }
      y[i] = alpha * sum + (beta == 0 ? 0 : beta * y[i])
    }
  }

  /// y ← α·x + y.
  @inline(__always)
  public static func axpy<S: TensorScalar>(
    count: Int, alpha: S, x: UnsafePointer<S>, y: UnsafeMutablePointer<S>
  ) {
    S.blasAXPY(n: count, alpha: alpha, x: x, incx: 1, y: y, incy: 1)
  }

  /// The loop `axpy` must agree with.
  public static func axpyReference<S: TensorScalar>(
    count: Int, alpha: S, x: UnsafePointer<S>, y: UnsafeMutablePointer<S>
  ) {
    for i in 0..<count { y[i] += alpha * x[i] }
  }

  /// xᵀy.
  @inline(__always)
  public static func dot<S: TensorScalar>(
    count: Int, x: UnsafePointer<S>, y: UnsafePointer<S>
  ) -> S {
    S.blasDOT(n: count, x: x, incx: 1, y: y, incy: 1)
  }

  /// The loop `dot` must agree with.
  public static func dotReference<S: TensorScalar>(
    count: Int, x: UnsafePointer<S>, y: UnsafePointer<S>
  ) -> S {
    var sum: S = 0
    for i in 0..<count { sum += x[i] * y[i] }
    return sum
  }

  private static func scale<S: TensorScalar>(
    _ c: UnsafeMutablePointer<S>, rows: Int, columns: Int, stride: Int, by beta: S
  ) {
    for i in 0..<rows {
      for j in 0..<columns { c[i * stride + j] = beta == 0 ? 0 : beta * c[i * stride + j] }
    }
  }
}

extension BLAS {
  /// Matrix product of two rank-2 tensors, C = op(A)·op(B).
  public static func matmul<S: TensorScalar>(
    _ a: Tensor<S>, transposed transposeA: Bool = false,
    _ b: Tensor<S>, transposed transposeB: Bool = false
  ) -> Tensor<S> {
    precondition(a.rank == 2 && b.rank == 2, "matmul takes matrices, got \(a.shape) and \(b.shape)")
    let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let (kb, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    precondition(k == kb, "inner dimensions differ: \(a.shape) and \(b.shape)")
    var c = Tensor<S>(shape: [m, n])
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          gemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
            a: pa.baseAddress!, lda: a.shape[1], b: pb.baseAddress!, ldb: b.shape[1],
            c: pc.baseAddress!, ldc: n)
        }
      }
    }
    return c
  }
}
