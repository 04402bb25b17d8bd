import RL2Math

/// Weight normalization (Salimans & Kingma 2016) without data-dependent init:
/// each output row i of W is Wᵢ = gᵢ · vᵢ / ‖vᵢ‖, with g starting at 1.
///
/// Shapes: v and W are [rows, columns] (rows = output units), g and the norms are [rows].
enum WeightNorm {
  /// W ← g·v/‖v‖ row by row; returns ‖vᵢ‖ for the backward pass.
  static func forward<Scalar: TensorScalar>(
    v: UnsafePointer<Scalar>, g: UnsafePointer<Scalar>, rows: Int, columns: Int,
    weight: UnsafeMutablePointer<Scalar>
  ) -> [Scalar] {
    var norms = [Scalar](repeating: 0, count: rows)
    for i in 0..<rows {
      let row = v + i * columns
      let norm = BLAS.dot(count: columns, x: row, y: row).squareRoot()
      norms[i] = norm
      let scale = g[i] / norm
      for j in 0..<columns { weight[i * columns + j] = scale * row[j] }
    }
    return norms
  }

  /// Maps ∂L/∂W to v and g and accumulates:
  /// ∂L/∂gᵢ = (∂L/∂Wᵢ · vᵢ) / ‖vᵢ‖,
  /// ∂L/∂vᵢ = (gᵢ/‖vᵢ‖)·∂L/∂Wᵢ − (gᵢ·(∂L/∂Wᵢ · vᵢ)/‖vᵢ‖³)·vᵢ.
  static func backward<Scalar: TensorScalar>(
    weightGradient: UnsafePointer<Scalar>, v: UnsafePointer<Scalar>, g: UnsafePointer<Scalar>,
    norms: [Scalar], rows: Int, columns: Int,
    vGradient: UnsafeMutablePointer<Scalar>, gGradient: UnsafeMutablePointer<Scalar>
  ) {
    for i in 0..<rows {
      let dW = weightGradient + i * columns
      let row = v + i * columns
      let norm = norms[i]
      let projection = BLAS.dot(count: columns, x: dW, y: row)
      gGradient[i] += projection / norm
      let direct = g[i] / norm
      let radial = g[i] * projection / (norm * norm * norm)
      let dv = vGradient + i * columns
      for j in 0..<columns { dv[j] += direct * dW[j] - radial * row[j] }
    }
  }
}
