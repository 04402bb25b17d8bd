import RL2Math

extension WeightNorm {
  /// The directional derivative of W = g·v/‖v‖ along (v̇, ġ), row by row:
  ///
  ///     Ẇᵢ = (ġᵢ/‖vᵢ‖)·vᵢ + (gᵢ/‖vᵢ‖)·(v̇ᵢ − vᵢ·(vᵢ·v̇ᵢ)/‖vᵢ‖²)
  ///
  /// The second term is v̇ᵢ with its component along vᵢ removed: the direction of a row can only
  /// turn, its length is g's. `norms` are the ‖vᵢ‖ returned by `forward` at the same point.
  static func tangent<Scalar: TensorScalar>(
    v: UnsafePointer<Scalar>, g: UnsafePointer<Scalar>, vTangent: UnsafePointer<Scalar>,
    gTangent: UnsafePointer<Scalar>, norms: [Scalar], rows: Int, columns: Int,
    weightTangent: UnsafeMutablePointer<Scalar>
  ) {
    for i in 0..<rows {
      let row = v + i * columns
      let rowTangent = vTangent + i * columns
      let norm = norms[i]
      let projection = BLAS.dot(count: columns, x: row, y: rowTangent)
      let direct = g[i] / norm
      let radial = (gTangent[i] - g[i] * projection / (norm * norm)) / norm
      let dW = weightTangent + i * columns
      for j in 0..<columns { dW[j] = direct * rowTangent[j] + radial * row[j] }
    }
  }
}
