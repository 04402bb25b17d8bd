import RL2Math

/// How a parameter tensor starts before training.
public enum ParameterInitializer: Sendable, Hashable {
  case zeros
  case ones
  /// Glorot & Bengio (2010): U(−a, a) with a = √(6 / (fanIn + fanOut)).
  case xavier(fanIn: Int, fanOut: Int)
  /// Each consecutive block of `blockRows` rows is an orthogonal matrix times `scale`
  /// (Saxe et al. 2014); recurrent matrices get one block per gate.
  case orthogonal(blockRows: Int, scale: Double)
}

/// Where one named tensor of a network lives inside the flat parameter vector.
public struct ParameterSlice: Sendable, Hashable, CustomStringConvertible {
  public let name: String
  public let offset: Int
  public let shape: [Int]
  public let initializer: ParameterInitializer

  public var count: Int { shape.reduce(1, *) }
  public var range: Range<Int> { offset..<(offset + count) }
  public var description: String { "\(name)\(shape)" }
}

/// The layout of a network's parameters, filled in as its layers are constructed.
///
///     var layout = ParameterLayout()
///     let gru = GRU<Float>(inputCount: 52, hiddenCount: 256, name: "policy.gru", layout: &layout)
///     let parameters = Parameters<Float>(layout: layout, random: &random)
public struct ParameterLayout: Sendable, Equatable {
  public private(set) var slices: [ParameterSlice] = []
  public private(set) var count = 0

  public init() {}

  /// Reserves `shape` at the end of the flat vector.
  public mutating func allocate(
    _ name: String, shape: [Int], initializer: ParameterInitializer
  ) -> ParameterSlice {
    precondition(!slices.contains { $0.name == name }, "parameter \(name) allocated twice")
    let slice = ParameterSlice(name: name, offset: count, shape: shape, initializer: initializer)
    slices.append(slice)
    count += slice.count
    return slice
  }
}

/// All parameters of a network and their gradients, each one contiguous buffer.
///
/// `values` and `gradients` are the flat vectors TRPO works on; a layer's tensors are views
/// into them at the offsets of its `ParameterSlice`s, so nothing is copied between the two
/// forms. Gradients accumulate (`+=`) across backward calls until `zeroGradients()`.
public final class Parameters<Scalar: TensorScalar>: @unchecked Sendable {
  public let layout: ParameterLayout
  /// The flat parameter vector θ.
  public let values: UnsafeMutableBufferPointer<Scalar>
  /// The flat gradient ∂L/∂θ, laid out like `values`.
  public let gradients: UnsafeMutableBufferPointer<Scalar>

  /// Zero-filled parameters; call `initialize(random:)` or copy values in.
  public init(layout: ParameterLayout) {
    self.layout = layout
    values = .allocate(capacity: layout.count)
    values.initialize(repeating: 0)
    gradients = .allocate(capacity: layout.count)
    gradients.initialize(repeating: 0)
  }

  /// Parameters drawn by each slice's initializer from `random`.
  public convenience init(layout: ParameterLayout, random: inout RandomStream) {
    self.init(layout: layout)
    initialize(random: &random)
  }

  deinit {
    values.deallocate()
    gradients.deallocate()
  }

  public var count: Int { layout.count }

  /// Pointer to the first value of `slice`.
  @inline(__always)
  public func values(_ slice: ParameterSlice) -> UnsafeMutablePointer<Scalar> {
    values.baseAddress! + slice.offset
  }

  /// Pointer to the first gradient of `slice`.
  @inline(__always)
  public func gradients(_ slice: ParameterSlice) -> UnsafeMutablePointer<Scalar> {
    gradients.baseAddress! + slice.offset
  }

  /// A copy of one slice's values as a tensor.
  public func tensor(_ slice: ParameterSlice) -> Tensor<Scalar> {
    Tensor(shape: slice.shape, scalars: Array(values[slice.range]))
  }

  /// A copy of one slice's gradient as a tensor.
  public func gradientTensor(_ slice: ParameterSlice) -> Tensor<Scalar> {
    Tensor(shape: slice.shape, scalars: Array(gradients[slice.range]))
  }

  public func zeroGradients() {
    gradients.update(repeating: 0)
  }

  /// Overwrites θ with `flat`, which must have `count` elements.
  public func setValues<C: Collection>(_ flat: C) where C.Element == Scalar {
    precondition(flat.count == count, "expected \(count) parameters, got \(flat.count)")
    _ = values.update(fromContentsOf: flat)
  }

  /// An independent copy (values and gradients).
  public func copy() -> Parameters {
    let other = Parameters(layout: layout)
    _ = other.values.update(fromContentsOf: values)
    _ = other.gradients.update(fromContentsOf: gradients)
    return other
  }

  /// The same parameters in another element type (the gradient checks run in `Double`).
  public func converted<Other: TensorScalar>(to _: Other.Type) -> Parameters<Other> {
    let other = Parameters<Other>(layout: layout)
    for i in 0..<count { other.values[i] = Other(values[i]) }
    return other
  }

  /// Draws every slice from its initializer.
  public func initialize(random: inout RandomStream) {
    for slice in layout.slices {
      let target = UnsafeMutableBufferPointer(rebasing: values[slice.range])
      Initializers.fill(target, shape: slice.shape, with: slice.initializer, random: &random)
    }
  }
}
