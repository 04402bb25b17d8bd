import RL2Math

// Legend: T steps, B trials, H hidden units, O outputs.

extension RecurrentNetwork {
  /// J·θ̇ with J = ∂outputs/∂θ: the tangent of the outputs (logits or values) along the
  /// parameter tangent θ̇ (laid out like `parameters.values`) at the point of `cache`,
  ///
  ///     ḣ = GRU.tangent(θ̇),   ẏ = ḣ·Wᵀ + h·Ẇᵀ + ḃ.
  ///
  /// TRPO's Fisher-vector product of the mean KL is F·v = Jᵀ·M·J·v (Schulman et al. 2015,
  /// appendix C): this is the J·v, `backward` the Jᵀ(·), and M the softmax's Hessian of the KL.
  /// - Returns: ẏ [T, B, O].
  public func outputTangent(
    _ cache: Cache, parameterTangent: UnsafePointer<Scalar>, _ parameters: Parameters<Scalar>
  ) -> Tensor<Scalar> {
    let (T, B) = (cache.gru.stepCount, cache.gru.trialCount)
    let statesTangent = gru.tangent(cache.gru, parameterTangent: parameterTangent, parameters)
    let outputTangent = head.tangent(
      cache.head, parameterTangent: parameterTangent,
      inputTangent: statesTangent.reshaped([T * B, hiddenCount]), parameters)
    return outputTangent.reshaped([T, B, outputCount])
  }
}
