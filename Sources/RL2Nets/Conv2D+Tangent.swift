import RL2Math

// Legend: N images, P = N·OH·OW output positions, F filters, K·K·C patch length.

extension Conv2D {
  /// Forward mode: the directional derivative of y = patches·Wᵀ + b along the parameter
  /// tangent θ̇ (laid out like `parameters.values`) and an optional input tangent ẋ
  /// [N, H, W, C], at the point of `cache`:
  ///
  ///     ẏ = ḃ + patches·Ẇᵀ + im2col(ẋ)·Wᵀ
  ///
  /// (the convolution is bilinear in its input and its weights).
  /// - Returns: ẏ [N, OH, OW, F].
  public func tangent(
    _ cache: Cache, parameterTangent: UnsafePointer<Scalar>, inputTangent: Tensor<Scalar>?,
    _ parameters: Parameters<Scalar>
  ) -> Tensor<Scalar> {
    let shape = cache.inputShape
    precondition(
      inputTangent == nil || inputTangent!.shape == shape,
      "input tangent must be \(shape) like the cached input")
    if usesDirectKernels {
      return directTangent(
        cache, parameterTangent: parameterTangent, inputTangent: inputTangent, parameters)
    }
    let (OH, OW) = outputSize(height: shape[1], width: shape[2])
    let (P, F, length) = (cache.patches.shape[0], outputChannels, patchLength)
    var outputTangent = Tensor<Scalar>(shape: [shape[0], OH, OW, F])
    outputTangent.withUnsafeMutableBufferPointer { dy in
      let dy = dy.baseAddress!
      for row in 0..<P { (dy + row * F).update(from: parameterTangent + bias.offset, count: F) }
      cache.patches.withUnsafeBufferPointer { patches in
        BLAS.gemm(
          transposeB: true, m: P, n: F, k: length, a: patches.baseAddress!, lda: length,
          b: parameterTangent + weight.offset, ldb: length, beta: 1, c: dy, ldc: F)
      }
      guard let inputTangent else { return }
      var tangentPatches = [Scalar](repeating: 0, count: P * length)
      inputTangent.withUnsafeBufferPointer { dx in
        tangentPatches.withUnsafeMutableBufferPointer { dPatches in
          im2col(dx.baseAddress!, shape: shape, images: 0..<shape[0], into: dPatches.baseAddress!)
          BLAS.gemm(
            transposeB: true, m: P, n: F, k: length, a: dPatches.baseAddress!, lda: length,
            b: parameters.values(weight), ldb: length, beta: 1, c: dy, ldc: F)
        }
      }
    }
    return outputTangent
  }

  /// The tangent by the direct kernels: conv(x; Ẇ, ḃ) + conv(ẋ; W, 0).
  private func directTangent(
    _ cache: Cache, parameterTangent: UnsafePointer<Scalar>, inputTangent: Tensor<Scalar>?,
    _ parameters: Parameters<Scalar>
  ) -> Tensor<Scalar> {
    let shape = cache.inputShape
    let (OH, OW) = outputSize(height: shape[1], width: shape[2])
    var outputTangent = Tensor<Scalar>(shape: [shape[0], OH, OW, outputChannels])
    let weightTangent = transposedWeights(parameterTangent + weight.offset)
    let weights = transposedWeights(parameters.values(weight))
    outputTangent.withUnsafeMutableBufferPointer { dy in
      let dy = dy.baseAddress!
      cache.input.withUnsafeBufferPointer { x in
        weightTangent.withUnsafeBufferPointer { dW in
          let (x, dW) = (x.baseAddress!, dW.baseAddress!)
          Parallel.forEachRange(count: shape[0]) { images in
            directForward(
              x, shape: shape, images: images, weights: dW, bias: parameterTangent + bias.offset,
              accumulate: false, into: dy)
          }
        }
      }
      guard let inputTangent else { return }
      inputTangent.withUnsafeBufferPointer { dx in
        weights.withUnsafeBufferPointer { w in
          let (dx, w) = (dx.baseAddress!, w.baseAddress!)
          Parallel.forEachRange(count: shape[0]) { images in
            directForward(
              dx, shape: shape, images: images, weights: w, bias: nil, accumulate: true, into: dy)
          }
        }
      }
    }
    return outputTangent
  }
}
