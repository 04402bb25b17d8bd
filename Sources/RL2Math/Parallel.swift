import CBLAS
import Dispatch

/// Data parallelism over independent rows (trials), the way the recurrent layers use the cores:
/// each worker runs its share of the rows start to finish with single-threaded BLAS, so a time
/// loop needs no synchronization per step and OpenBLAS's own threads do not fight the workers.
public enum Parallel {
  /// Splits 0..<count into at most `partitions` contiguous ranges and runs `body` on each
  /// concurrently. BLAS calls inside `body` are single-threaded; the BLAS thread count is
  /// restored afterwards. Must not be called while another thread relies on BLAS threading.
  public static func forEachRange(
    count: Int, partitions: Int = BLAS.threadCount, _ body: (Range<Int>) -> Void
  ) {
    let parts = max(1, min(partitions, count))
    guard parts > 1 else {
      body(0..<count)
      return
    }
    let ranges = (0..<parts).map { p in (p * count / parts)..<((p + 1) * count / parts) }
    let savedThreads = BLAS.threadCount
    BLAS.threadCount = 1
    defer { BLAS.threadCount = savedThreads }
    withoutActuallyEscaping(body) { body in
      let work = UncheckedSendable(body)
      let flush = FloatEnvironment.flushesDenormals
      DispatchQueue.concurrentPerform(iterations: parts) { part in
        FloatEnvironment.withDenormalFlushing(flush) { work.value(ranges[part]) }
      }
    }
  }
}

/// Moves a value the caller knows to be safe across the workers of `Parallel.forEachRange`
/// (each worker touches a disjoint range of rows).
public struct UncheckedSendable<Value>: @unchecked Sendable {
  public let value: Value
  public init(_ value: Value) { self.value = value }
}
