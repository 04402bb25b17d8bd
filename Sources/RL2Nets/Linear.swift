import RL2Math

/// A fully connected layer y = x·Wᵀ + b, with W optionally weight-normalized.
///
/// Shapes: N rows (trials × steps flattened), I inputs, O outputs; x [N, I], W [O, I], y [N, O].
public struct Linear<Scalar: TensorScalar>: Sendable {
  public let inputCount: Int
  public let outputCount: Int
  /// W itself, or the direction v of a weight-normalized W = g·v/‖v‖.
  public let weight: ParameterSlice
  /// g of a weight-normalized layer; nil for a plain one.
  public let gain: ParameterSlice?
  public let bias: ParameterSlice

  public init(
    inputCount: Int, outputCount: Int, weightNormalized: Bool, name: String,
    layout: inout ParameterLayout
  ) {
    self.inputCount = inputCount
    self.outputCount = outputCount
    weight = layout.allocate(
      "\(name).weight", shape: [outputCount, inputCount],
      initializer: .xavier(fanIn: inputCount, fanOut: outputCount))
    gain =
      weightNormalized
      ? layout.allocate("\(name).gain", shape: [outputCount], initializer: .ones) : nil
    bias = layout.allocate("\(name).bias", shape: [outputCount], initializer: .zeros)
  }

  /// What `backward` needs from `forward`.
  public struct Cache: Sendable {
    /// x [N, I].
    public let input: Tensor<Scalar>
    /// The effective W [O, I].
    let effectiveWeight: Tensor<Scalar>
    /// ‖vᵢ‖ [O] of a weight-normalized layer.
    let norms: [Scalar]
  }

  /// The effective weight matrix W [O, I] and, for weight normalization, the row norms of v.
  public func effectiveWeight(_ parameters: Parameters<Scalar>) -> (Tensor<Scalar>, [Scalar]) {
    guard let gain else { return (parameters.tensor(weight), []) }
    var w = Tensor<Scalar>(shape: [outputCount, inputCount])
    let norms = w.withUnsafeMutableBufferPointer {
      WeightNorm.forward(
        v: parameters.values(weight), g: parameters.values(gain), rows: outputCount,
        columns: inputCount, weight: $0.baseAddress!)
    }
    return (w, norms)
  }

  /// y = x·Wᵀ + b for x [N, I].
  public func forward(_ input: Tensor<Scalar>, _ parameters: Parameters<Scalar>) -> (
    output: Tensor<Scalar>, cache: Cache
  ) {
    let n = input.count / inputCount
    precondition(input.count == n * inputCount, "input \(input.shape) is not [N, \(inputCount)]")
    let (w, norms) = effectiveWeight(parameters)
    var output = Tensor<Scalar>(shape: [n, outputCount])
    let b = parameters.values(bias)
    output.withUnsafeMutableBufferPointer { y in
      for row in 0..<n { (y.baseAddress! + row * outputCount).update(from: b, count: outputCount) }
      input.withUnsafeBufferPointer { x in
        w.withUnsafeBufferPointer { w in
          BLAS.gemm(
            transposeB: true, m: n, n: outputCount, k: inputCount, a: x.baseAddress!,
            lda: inputCount, b: w.baseAddress!, ldb: inputCount, beta: 1,
            c: y.baseAddress!, ldc: outputCount)
        }
      }
    }
    return (output, Cache(input: input, effectiveWeight: w, norms: norms))
  }

  /// Accumulates ∂L/∂W (through v and g when normalized) and ∂L/∂b; returns ∂L/∂x [N, I]
  /// unless `computeInputGradient` is false.
  @discardableResult
  public func backward(
    _ outputGradient: Tensor<Scalar>, _ cache: Cache, _ parameters: Parameters<Scalar>,
    computeInputGradient: Bool = true
  ) -> Tensor<Scalar>? {
    let n = cache.input.count / inputCount
    precondition(outputGradient.count == n * outputCount, "output gradient has the wrong shape")
    var inputGradient = Tensor<Scalar>(shape: [computeInputGradient ? n : 0, inputCount])
    var weightGradient = Tensor<Scalar>(shape: [outputCount, inputCount])
    outputGradient.withUnsafeBufferPointer { dy in
      let dy = dy.baseAddress!
      Reductions.addColumnSums(dy, rows: n, columns: outputCount, to: parameters.gradients(bias))
      cache.input.withUnsafeBufferPointer { x in
        weightGradient.withUnsafeMutableBufferPointer { dW in
          BLAS.gemm(
            transposeA: true, m: outputCount, n: inputCount, k: n, a: dy, lda: outputCount,
            b: x.baseAddress!, ldb: inputCount, c: dW.baseAddress!, ldc: inputCount)
        }
      }
      guard computeInputGradient else { return }
      cache.effectiveWeight.withUnsafeBufferPointer { w in
        inputGradient.withUnsafeMutableBufferPointer { dx in
          BLAS.gemm(
            m: n, n: inputCount, k: outputCount, a: dy, lda: outputCount, b: w.baseAddress!,
            ldb: inputCount, c: dx.baseAddress!, ldc: inputCount)
        }
      }
    }
    accumulateWeightGradient(weightGradient, cache, parameters)
    return computeInputGradient ? inputGradient : nil
  }

  private func accumulateWeightGradient(
    _ weightGradient: Tensor<Scalar>, _ cache: Cache, _ parameters: Parameters<Scalar>
  ) {
    weightGradient.withUnsafeBufferPointer { dW in
      guard let gain else {
        BLAS.axpy(
          count: weight.count, alpha: 1, x: dW.baseAddress!, y: parameters.gradients(weight))
        return
      }
      WeightNorm.backward(
        weightGradient: dW.baseAddress!, v: parameters.values(weight),
        g: parameters.values(gain), norms: cache.norms, rows: outputCount, columns: inputCount,
        vGradient: parameters.gradients(weight), gGradient: parameters.gradients(gain))
    }
  }
}
