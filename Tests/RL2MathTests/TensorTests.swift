import RL2Math
import XCTest

final class TensorTests: XCTestCase {
  func testShapeCountAndRank() {
    let tensor = Tensor<Float>(shape: [2, 3, 4])
    XCTAssertEqual(tensor.shape, [2, 3, 4])
    XCTAssertEqual(tensor.count, 24)
    XCTAssertEqual(tensor.rank, 3)
    XCTAssertTrue(tensor.scalars.allSatisfy { $0 == 0 })
    XCTAssertEqual(Tensor<Double>(shape: []).count, 1, "a scalar tensor holds one value")
    XCTAssertEqual(Tensor<Double>(shape: [3, 0, 2]).count, 0)
    XCTAssertEqual(Tensor<Double>(shape: [2, 2], repeating: 1.5).scalars, [1.5, 1.5, 1.5, 1.5])
  }

  func testSubscriptRoundTripsThroughRowMajorOffsets() {
    var tensor = Tensor<Double>(shape: [2, 3, 4])
    for i in 0..<2 {
      for j in 0..<3 {
        for k in 0..<4 { tensor[i, j, k] = Double(100 * i + 10 * j + k) }
      }
    }
    for i in 0..<2 {
      for j in 0..<3 {
        for k in 0..<4 {
          let offset = (i * 3 + j) * 4 + k
          XCTAssertEqual(tensor.offset([i, j, k]), offset, "offset of [\(i), \(j), \(k)]")
          XCTAssertEqual(tensor.scalars[offset], Double(100 * i + 10 * j + k))
          XCTAssertEqual(tensor[i, j, k], Double(100 * i + 10 * j + k))
        }
      }
    }
  }

  func testGeneratingFillsInRowMajorOrder() {
    var next = 0.0
    let tensor = Tensor<Double>(shape: [2, 3]) {
      next += 1
      return next
    }
    XCTAssertEqual(tensor[0, 2], 3)
    XCTAssertEqual(tensor[1, 0], 4)
    XCTAssertEqual(tensor.scalars, [1, 2, 3, 4, 5, 6])
  }

  func testReshapedKeepsTheScalarsInOrder() {
    let tensor = Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let reshaped = tensor.reshaped([3, 2])
    XCTAssertEqual(reshaped.shape, [3, 2])
    XCTAssertEqual(reshaped.scalars, tensor.scalars)
    XCTAssertEqual(reshaped[2, 0], 5)
    XCTAssertEqual(tensor.reshaped([6]).reshaped([2, 3]), tensor)
  }

  func testZeroClearsEveryElementAndKeepsTheShape() {
    var random = RandomStream(seed: 31)
    var tensor = Tensor<Float>(shape: [3, 5]) { Float(random.normal()) }
    tensor.zero()
    XCTAssertEqual(tensor, Tensor(shape: [3, 5]))
  }

  func testConvertedChangesTheElementType() {
    let floats = Tensor<Float>(shape: [2, 2], scalars: [0.5, -1.25, 3, 1e-3])
    let doubles = floats.converted(to: Double.self)
    XCTAssertEqual(doubles.shape, [2, 2])
    XCTAssertEqual(doubles.scalars, floats.scalars.map { Double($0) })
    XCTAssertEqual(doubles.converted(to: Float.self), floats, "Float → Double → Float")
    let inferred: Tensor<Double> = floats.converted()
    XCTAssertEqual(inferred, doubles)
  }

  func testMaxAbsoluteDifference() {
    let a = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4])
    let b = Tensor<Double>(shape: [2, 2], scalars: [1.5, 2, -1, 4.25])
    XCTAssertEqual(a.maxAbsoluteDifference(to: b), 4)
    XCTAssertEqual(b.maxAbsoluteDifference(to: a), 4)
    XCTAssertEqual(a.maxAbsoluteDifference(to: a), 0)
  }

  func testMaxAbsoluteDifferenceReportsNaN() {
    let a = Tensor<Float>(shape: [3], scalars: [1, .nan, 3])
    let b = Tensor<Float>(shape: [3], scalars: [1, 2, 3])
    XCTAssertTrue(a.maxAbsoluteDifference(to: b).isNaN)
  }

  func testUnsafeBufferPointersSeeTheStorage() {
    var tensor = Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    XCTAssertEqual(tensor.withUnsafeBufferPointer { $0.reduce(0, +) }, 21)
    tensor.withUnsafeMutableBufferPointer { buffer in
      for i in buffer.indices { buffer[i] *= 2 }
    }
    XCTAssertEqual(tensor[1, 2], 12)
  }
}
