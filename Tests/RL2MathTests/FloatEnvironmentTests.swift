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

  func testParallelWorkersRunWithTheCallersSetting() throws {
    #if arch(x86_64) || arch(arm64)
      for flush in [true, false] {
        FloatEnvironment.withDenormalFlushing(flush) {
          var products = [Float](repeating: -1, count: 4)
          var settings = [Bool](repeating: !flush, count: 4)
          products.withUnsafeMutableBufferPointer { products in
            settings.withUnsafeMutableBufferPointer { settings in
              let out = UncheckedSendable((products, settings))
              Parallel.forEachRange(count: 4, partitions: 4) { range in
                for i in range {
                  out.value.0[i] = denormalProduct()
                  out.value.1[i] = FloatEnvironment.flushesDenormals
                }
              }
            }
          }
          XCTAssertEqual(settings, [Bool](repeating: flush, count: 4), "flush \(flush)")
          for product in products { XCTAssertEqual(product == 0, flush, "flush \(flush)") }
        }
      }
    #else
      throw XCTSkip("no denormal control on this CPU")
    #endif
  }
}
