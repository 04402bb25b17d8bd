import RL2Math

// Legend: N rows, I inputs, O outputs.

extension Linear {
  /// Forward mode: the directional derivative of y = x·Wᵀ + b along the parameter tangent θ̇
  /// (laid out like `parameters.values`) and an optional input tangent ẋ [N, I]:
  ///
  ///     ẏ = ẋ·Wᵀ + x·Ẇᵀ + ḃ
  ///
  /// at the point of `cache`, where Ẇ is the tangent of the effective weight (through weight
  /// normalization when the layer has a gain, see `WeightNorm.tangent`).
  /// - Returns: ẏ [N, O].
  public func tangent(
    _ cache: Cache, parameterTangent: UnsafePointer<Scalar>, inputTangent: Tensor<Scalar>?,
    _ parameters: Parameters<Scalar>
  ) -> Tensor<Scalar> {
    let n = cache.input.count / inputCount
    precondition(
      inputTangent == nil || inputTangent!.count == n * inputCount,
      "input tangent must be [\(n), \(inputCount)] like the cached input")
    let weightTangent = effectiveWeightTangent(parameterTangent, norms: cache.norms, parameters)
    var outputTangent = Tensor<Scalar>(shape: [n, outputCount])
    outputTangent.withUnsafeMutableBufferPointer { dy in
      let dy = dy.baseAddress!
      let biasTangent = parameterTangent + bias.offset
      for row in 0..<n { (dy + row * outputCount).update(from: biasTangent, count: outputCount) }
      cache.input.withUnsafeBufferPointer { x in
        weightTangent.withUnsafeBufferPointer { dW in
          BLAS.gemm(
            transposeB: true, m: n, n: outputCount, k: inputCount, a: x.baseAddress!,
            lda: inputCount, b: dW.baseAddress!, ldb: inputCount, beta: 1, c: dy,
            ldc: outputCount)
        }
      }
      guard let inputTangent else { return }
      inputTangent.withUnsafeBufferPointer { dx in
        cache.effectiveWeight.withUnsafeBufferPointer { w in
          BLAS.gemm(
            transposeB: true, m: n, n: outputCount, k: inputCount, a: dx.baseAddress!,
            lda: inputCount, b: w.baseAddress!, ldb: inputCount, beta: 1, c: dy,
            ldc: outputCount)
        }
      }
    }
    return outputTangent
  }

  /// Ẇ [O, I]: the slice of θ̇ for a plain layer, its image under weight normalization
  /// otherwise. `norms` are the row norms ‖vᵢ‖ at the current point (empty for a plain layer).
  func effectiveWeightTangent(
    _ parameterTangent: UnsafePointer<Scalar>, norms: [Scalar], _ parameters: Parameters<Scalar>
  ) -> Tensor<Scalar> {
    let vTangent = parameterTangent + weight.offset
    guard let gain else {
      return Tensor(
        shape: [outputCount, inputCount],
        scalars: Array(UnsafeBufferPointer(start: vTangent, count: weight.count)))
    }
    var weightTangent = Tensor<Scalar>(shape: [outputCount, inputCount])
    weightTangent.withUnsafeMutableBufferPointer {
      WeightNorm.tangent(
        v: parameters.values(weight), g: parameters.values(gain), vTangent: vTangent,
        gTangent: parameterTangent + gain.offset, norms: norms, rows: outputCount,
        columns: inputCount, weightTangent: $0.baseAddress!)
    }
    return weightTangent
  }
}
