import RL2Math

// Legend: T steps, B trials, N = T·B rows, M live rows, A actions, P conv features,
// E action embedding, D fully connected units, U GRU units.

extension VisionNetwork {
  /// J·θ̇ with J = ∂logits/∂θ, the tangent of the policy's logits along θ̇ (laid out like
  /// `parameters.values`) at the point of `cache`, for TRPO's Fisher-vector product
  /// F·v = Jᵀ·M·J·v. Forward mode through every layer, ReLUs passing ẋ where their output
  /// is positive:
  ///
  ///     ḟ = relu′ ⊙ conv₂̇(relu′ ⊙ conv₁̇(θ̇)),   ż = relu′ ⊙ fc̈([ḟ, Ė[a], 0, 0]),
  ///     ḣ = GRU.tangent(ż),   logits̈ = ḣ·W_πᵀ + h·Ẇ_πᵀ + ḃ_π.
  /// - Returns: the logits' tangent [T, B, A].
  public func logitsTangent(
    _ cache: Cache, parameterTangent: UnsafePointer<Scalar>, _ parameters: Parameters<Scalar>
  ) -> Tensor<Scalar> {
    let (T, B) = (cache.stepCount, cache.trialCount)
    let (D, U) = (architecture.fullyConnected, architecture.hidden)
    let fcInputTangent = encoderTangent(cache, parameterTangent: parameterTangent, parameters)
    let trunkTangent = Activations.reluBackward(
      fullyConnected.tangent(
        cache.fullyConnected, parameterTangent: parameterTangent, inputTangent: fcInputTangent,
        parameters),
      output: cache.trunk)
    var gruInputTangent = Tensor<Scalar>(shape: [T, B, D])
    scatterRows(trunkTangent, rows: cache.liveRows, width: D, into: &gruInputTangent)
    let statesTangent = gru.tangent(
      cache.gru, parameterTangent: parameterTangent, inputTangent: gruInputTangent, parameters)
    return policyHead.tangent(
      cache.policyHead, parameterTangent: parameterTangent,
      inputTangent: statesTangent.reshaped([T * B, U]), parameters
    ).reshaped([T, B, actionCount])
  }

  /// The tangent of [f, E[a], r, d] of the live rows [M, P + E + 2]; r and d are inputs, so
  /// their tangent is 0.
  func encoderTangent(
    _ cache: Cache, parameterTangent: UnsafePointer<Scalar>, _ parameters: Parameters<Scalar>
  ) -> Tensor<Scalar> {
    let (P, E) = (featureCount, architecture.actionEmbedding)
    let width = P + E + 2
    var output = Tensor<Scalar>(shape: [cache.liveRows.count, width])
    for (index, chunk) in chunks(cache.liveRows.count).enumerated() {
      let encoded = encoded(cache, chunk: index, rows: chunk, parameters)
      let hiddenTangent = Activations.reluBackward(
        conv1.tangent(
          encoded.conv1, parameterTangent: parameterTangent, inputTangent: nil, parameters),
        output: encoded.hidden)
      let featuresTangent = Activations.reluBackward(
        conv2.tangent(
          encoded.conv2, parameterTangent: parameterTangent, inputTangent: hiddenTangent,
          parameters),
        output: encoded.features)
      output.withUnsafeMutableBufferPointer { out in
        featuresTangent.withUnsafeBufferPointer { f in
          for i in 0..<chunk.count {
            (out.baseAddress! + (chunk.lowerBound + i) * width).update(
              from: f.baseAddress! + i * P, count: P)
          }
        }
      }
    }
    let tableTangent = parameterTangent + actionEmbedding.table.offset
    output.withUnsafeMutableBufferPointer { out in
      for (i, action) in cache.previousActions.enumerated() where action >= 0 {
        (out.baseAddress! + i * width + P).update(from: tableTangent + action * E, count: E)
      }
    }
    return output
  }
}
