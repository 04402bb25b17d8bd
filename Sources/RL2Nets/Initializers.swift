import RL2Math

enum Initializers {
  static func fill<Scalar: TensorScalar>(
    _ target: UnsafeMutableBufferPointer<Scalar>, shape: [Int],
    with initializer: ParameterInitializer, random: inout RandomStream
  ) {
    switch initializer {
    case .zeros:
      target.update(repeating: 0)
    case .ones:
      target.update(repeating: 1)
    case .xavier(let fanIn, let fanOut):
      let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
      for i in target.indices { target[i] = Scalar((2 * random.uniform() - 1) * limit) }
    case .orthogonal(let blockRows, let scale):
      let columns = target.count / shape[0]
      precondition(shape[0] % blockRows == 0, "orthogonal blocks must tile \(shape)")
      for block in 0..<(shape[0] / blockRows) {
        let q = orthogonalMatrix(rows: blockRows, columns: columns, random: &random)
        for i in 0..<(blockRows * columns) {
          target[block * blockRows * columns + i] = Scalar(scale * q[i])
        }
      }
    }
  }

  /// A rows×columns matrix with orthonormal rows (or columns, whichever are fewer), from a
  /// Gaussian matrix by modified Gram–Schmidt in Double.
  static func orthogonalMatrix(rows: Int, columns: Int, random: inout RandomStream) -> [Double] {
    let transposed = rows > columns
    let (n, m) = transposed ? (columns, rows) : (rows, columns)
    var q = (0..<(n * m)).map { _ in random.normal() }
    for i in 0..<n {
      for j in 0..<i {
        var projection = 0.0
        for p in 0..<m { projection += q[i * m + p] * q[j * m + p] }
        for p in 0..<m { q[i * m + p] -= projection * q[j * m + p] }
      }
      var norm = 0.0
      for p in 0..<m { norm += q[i * m + p] * q[i * m + p] }
      norm = norm.squareRoot()
      for p in 0..<m { q[i * m + p] /= norm }
    }
    guard transposed else { return q }
    var result = [Double](repeating: 0, count: rows * columns)
    for i in 0..<n { for p in 0..<m { result[p * columns + i] = q[i * m + p] } }
    return result
  }
}
