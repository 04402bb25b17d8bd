import Foundation
import RL2Math
import XCTest

/// Denormal flushing: a product below Float's normal range is kept without it and becomes zero
/// with it, the previous setting comes back, and the workers of `Parallel.forEachRange` run
/// with their caller's setting.
final class FloatEnvironmentTests: XCTestCase {
  /// 1e-30 · 1e-10 = 1e-40, a denormal Float; the factors come through an array so the product
  /// is computed at run time.
  private func denormalProduct(_ factors: [Float] = [1e-30, 1e-10]) -> Float {
    factors[0] * factors[1]
  }

  func testFlushingTurnsADenormalProductIntoZeroAndIsRestored() throws {
    #if arch(x86_64) || arch(arm64)
      FloatEnvironment.withDenormalFlushing(false) {
        XCTAssertFalse(FloatEnvironment.flushesDenormals)
        let kept = denormalProduct()
        XCTAssertGreaterThan(kept, 0)
        XCTAssertFalse(kept.isNormal)
        FloatEnvironment.withDenormalFlushing(true) {
          XCTAssertTrue(FloatEnvironment.flushesDenormals)
          XCTAssertEqual(denormalProduct(), 0)
          XCTAssertEqual(denormalProduct([1e-20, 1e-10]), 1e-30, accuracy: 1e-36)
        }
        XCTAssertFalse(FloatEnvironment.flushesDenormals)
        XCTAssertGreaterThan(denormalProduct(), 0)
      }
    #else
      throw XCTSkip("no denormal control on this CPU")
    #endif
  }

  /// Both parts must run at once, on two threads (each waits for the other to start), so a
  /// worker thread of the pool reports its own setting; the pool's threads are made under one
  /// setting first and then asked to work under the other.
  func testParallelWorkersRunWithTheCallersSetting() throws {
    #if arch(x86_64) || arch(arm64)
      for flush in [false, true, false] {
        try FloatEnvironment.withDenormalFlushing(flush) {
          let started = SharedCounter()
          var settings = [Bool](repeating: !flush, count: 2)
          var together = [Bool](repeating: false, count: 2)
          settings.withUnsafeMutableBufferPointer { settings in
            together.withUnsafeMutableBufferPointer { together in
              let out = UncheckedSendable((settings, together))
              Parallel.forEachRange(count: 2, partitions: 2) { range in
                started.increment()
                // Wait (at most 2 s) until the other part has started too.
                let deadline = Date().addingTimeInterval(2)
                while started.value < 2, Date() < deadline { usleep(100) }
                for i in range {
                  out.value.1[i] = started.value == 2
                  out.value.0[i] = FloatEnvironment.flushesDenormals
                }
              }
            }
          }
          guard together.allSatisfy({ $0 }) else {
            throw XCTSkip("the two parts did not run at once (one core?)")
          }
          XCTAssertEqual(settings, [flush, flush], "flush \(flush)")
        }
      }
    #else
      throw XCTSkip("no denormal control on this CPU")
    #endif
  }
}

/// A counter the parts of one `Parallel.forEachRange` call share.
private final class SharedCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var count = 0

  func increment() { lock.withLock { count += 1 } }
  var value: Int { lock.withLock { count } }
}
