import CRL2Kernels

/// Per-thread floating-point settings for numeric work.
public enum FloatEnvironment {
  /// Makes the calling thread flush denormal results and inputs to zero.
  ///
  /// On x86 an arithmetic operation that meets a value below Float's normal range (1.2e-38)
  /// takes a slow microcode path. A trained GRU's passes meet such values (saturated gates):
  /// measured on the MDP n = 10 run at iteration 441 (OpenBLAS's SSE3 kernels), its policy
  /// phase took 10.8 s per iteration without flushing and 7.3 s with it, with the same returns
  /// to the last printed digit. The setting is per thread: `rl2` sets it at process start, and the workers of
  /// `Parallel.forEachRange` take their caller's.
  public static func flushDenormalsToZero() {
    _ = rl2_flush_denormals(1)
  }

  /// Whether the calling thread flushes denormals to zero.
  public static var flushesDenormals: Bool { rl2_flushes_denormals() != 0 }

  /// Runs `body` with denormal flushing set as `flush` on the calling thread, then restores the
  /// previous setting.
  public static func withDenormalFlushing<R>(_ flush: Bool, _ body: () throws -> R) rethrows -> R {
    let was = rl2_flush_denormals(flush ? 1 : 0)
    defer { _ = rl2_flush_denormals(was) }
    return try body()
  }
}
