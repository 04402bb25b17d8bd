import RL2Math

// Legend: N looked-up rows, V table rows (`count`), D dimension.

/// A learned lookup table E [V, D]: row i of the output is row indices[i] of E.
///
///     y[i] = E[indices[i]],   ∂L/∂E[v] += Σ_{i : indices[i] = v} ∂L/∂y[i]
///
/// An index that occurs several times receives the sum of its rows' gradients.
public struct Embedding<Scalar: TensorScalar>: Sendable {
  public let count: Int
  public let dimension: Int
  /// E [V, D], Xavier with fan-in V and fan-out D.
  public let table: ParameterSlice

  public init(count: Int, dimension: Int, name: String, layout: inout ParameterLayout) {
    precondition(count > 0 && dimension > 0, "\(name): count and dimension must be positive")
    self.count = count
    self.dimension = dimension
    table = layout.allocate(
      "\(name).table", shape: [count, dimension],
      initializer: .xavier(fanIn: count, fanOut: dimension))
  }

  /// The rows of E at `indices` as y [N, D].
  public func forward(_ indices: [Int], _ parameters: Parameters<Scalar>) -> Tensor<Scalar> {
    let D = dimension
    let e = parameters.values(table)
    var output = Tensor<Scalar>(shape: [indices.count, D])
    output.withUnsafeMutableBufferPointer { y in
      for (i, index) in indices.enumerated() {
        precondition(
          index >= 0 && index < count,
          "embedding index \(index) at position \(i) is outside the table's 0..<\(count)")
        (y.baseAddress! + i * D).update(from: e + index * D, count: D)
      }
    }
    return output
  }

  /// Scatter-adds ∂L/∂y [N, D] into the gradient of E at `indices`.
  public func backward(
    _ outputGradient: Tensor<Scalar>, indices: [Int], _ parameters: Parameters<Scalar>
  ) {
    let D = dimension
    precondition(
      outputGradient.count == indices.count * D,
      "output gradient \(outputGradient.shape) is not [\(indices.count), \(D)]")
    let dE = parameters.gradients(table)
    outputGradient.withUnsafeBufferPointer { dy in
      for (i, index) in indices.enumerated() {
        precondition(
          index >= 0 && index < count,
          "embedding index \(index) at position \(i) is outside the table's 0..<\(count)")
        let source = dy.baseAddress! + i * D
        let target = dE + index * D
        for j in 0..<D { target[j] += source[j] }
      }
    }
  }
}
