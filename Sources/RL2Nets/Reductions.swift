import RL2Math

enum Reductions {
  /// sums[j] += Σᵢ matrix[i, j] for a row-major rows×columns matrix.
  static func addColumnSums<Scalar: TensorScalar>(
    _ matrix: UnsafePointer<Scalar>, rows: Int, columns: Int,
    to sums: UnsafeMutablePointer<Scalar>
  ) {
    for i in 0..<rows {
      let row = matrix + i * columns
      for j in 0..<columns { sums[j] += row[j] }
    }
  }
}
