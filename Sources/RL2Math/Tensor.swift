/// A dense row-major tensor with an explicit shape and contiguous storage.
///
/// Shapes are written outermost first: a batch of B trials over T steps of width X is
/// `[T, B, X]` (time-major, so one step of the whole batch is one contiguous `[B, X]` matrix).
public struct Tensor<Scalar: TensorScalar>: Equatable, Sendable {
  public private(set) var shape: [Int]
  public var scalars: [Scalar]

  /// A tensor of the given shape filled with `value`.
  public init(shape: [Int], repeating value: Scalar = 0) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
    self.shape = shape
    self.scalars = Array(repeating: value, count: shape.reduce(1, *))
  }

  /// A tensor over existing storage; `scalars.count` must equal the product of `shape`.
  public init(shape: [Int], scalars: [Scalar]) {
    precondition(
      shape.reduce(1, *) == scalars.count,
      "shape \(shape) holds \(shape.reduce(1, *)) scalars, got \(scalars.count)")
    self.shape = shape
    self.scalars = scalars
  }

  /// A tensor whose every element is drawn by `element`.
  public init(shape: [Int], generating element: () -> Scalar) {
    self.shape = shape
    self.scalars = (0..<shape.reduce(1, *)).map { _ in element() }
  }

  public var count: Int { scalars.count }
  public var rank: Int { shape.count }

  /// Row-major offset of a full index.
  @inline(__always)
  public func offset(_ index: [Int]) -> Int {
    precondition(index.count == shape.count, "index \(index) does not match shape \(shape)")
    var offset = 0
    for (i, n) in zip(index, shape) {
      precondition(i >= 0 && i < n, "index \(index) out of range for shape \(shape)")
      offset = offset * n + i
    }
    return offset
  }

  public subscript(_ index: Int...) -> Scalar {
    get { scalars[offset(index)] }
    set { scalars[offset(index)] = newValue }
  }

  /// The same storage under a new shape with the same element count.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    Tensor(shape: newShape, scalars: scalars)
  }

  /// Sets every element to zero without reallocating.
  public mutating func zero() {
    scalars.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
  }

  /// The element type converted, for example `Tensor<Double>` from `Tensor<Float>`.
  public func converted<Other: TensorScalar>(to _: Other.Type = Other.self) -> Tensor<Other> {
    Tensor<Other>(shape: shape, scalars: scalars.map { Other($0) })
  }

  /// Largest absolute elementwise difference to a tensor of the same shape; NaN when any
  /// difference is NaN, so a comparison built on it cannot pass on NaN outputs.
  public func maxAbsoluteDifference(to other: Tensor) -> Scalar {
    precondition(shape == other.shape, "shapes \(shape) and \(other.shape) differ")
    var worst: Scalar = 0
    for (a, b) in zip(scalars, other.scalars) {
      let difference = abs(a - b)
      if difference.isNaN { return .nan }
      worst = Swift.max(worst, difference)
    }
    return worst
  }

  public func withUnsafeBufferPointer<R>(
    _ body: (UnsafeBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try scalars.withUnsafeBufferPointer(body)
  }

  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try scalars.withUnsafeMutableBufferPointer(body)
  }
}
