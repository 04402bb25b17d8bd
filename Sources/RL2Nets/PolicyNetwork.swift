import RL2Math

// Legend: T steps, B trials, I input width, A actions.

/// A recurrent policy the outer loop can optimize: the logits of whole trials, their
/// backpropagation through time, and their forward-mode tangent (for TRPO's Fisher-vector
/// product F·v = Jᵀ·M·J·v). The policy objectives and updates are written against this, so the
/// bandit/MDP GRU and the maze's conv–GRU trunk train with the same TRPO:
///
///     let (logits, cache) = policy.policyForward(inputs, live: live, parameters)
///     policy.policyBackward(logitsGradient, cache, parameters)            // Jᵀ·(∂L/∂logits)
///     let jv = policy.policyTangent(cache, parameterTangent: v, parameters)  // J·v
public protocol PolicyNetwork: Sendable {
  associatedtype PolicyCache: Sendable
  var actionCount: Int { get }
  var layout: ParameterLayout { get }
  /// Logits [T, B, A] of x [T, B, I] from the zero state.
  func policyForward(
    _ input: Tensor<Float>, live: [Bool]?, _ parameters: Parameters<Float>
  ) -> (logits: Tensor<Float>, cache: PolicyCache)
  /// Accumulates Jᵀ·(∂L/∂logits [T, B, A]) into `parameters.gradients`.
  func policyBackward(
    _ logitsGradient: Tensor<Float>, _ cache: PolicyCache, _ parameters: Parameters<Float>)
  /// J·θ̇ [T, B, A] at the point of `cache`.
  func policyTangent(
    _ cache: PolicyCache, parameterTangent: UnsafePointer<Float>, _ parameters: Parameters<Float>
  ) -> Tensor<Float>
}

extension RecurrentNetwork: PolicyNetwork where Scalar == Float {
  public var actionCount: Int { outputCount }

  public func policyForward(
    _ input: Tensor<Float>, live: [Bool]?, _ parameters: Parameters<Float>
  ) -> (logits: Tensor<Float>, cache: Cache) {
    let (logits, cache) = forward(input, live: live, parameters)
    return (logits, cache)
  }

  public func policyBackward(
    _ logitsGradient: Tensor<Float>, _ cache: Cache, _ parameters: Parameters<Float>
  ) {
    backward(logitsGradient, cache, parameters)
  }

  public func policyTangent(
    _ cache: Cache, parameterTangent: UnsafePointer<Float>, _ parameters: Parameters<Float>
  ) -> Tensor<Float> {
    outputTangent(cache, parameterTangent: parameterTangent, parameters)
  }
}

extension VisionNetwork: PolicyNetwork where Scalar == Float {
  public func policyForward(
    _ input: Tensor<Float>, live: [Bool]?, _ parameters: Parameters<Float>
  ) -> (logits: Tensor<Float>, cache: Cache) {
    let (logits, _, cache) = forward(input, live: live, parameters)
    return (logits, cache)
  }

  public func policyBackward(
    _ logitsGradient: Tensor<Float>, _ cache: Cache, _ parameters: Parameters<Float>
  ) {
    backward(logitsGradient: logitsGradient, valuesGradient: nil, cache, parameters)
  }

  public func policyTangent(
    _ cache: Cache, parameterTangent: UnsafePointer<Float>, _ parameters: Parameters<Float>
  ) -> Tensor<Float> {
    logitsTangent(cache, parameterTangent: parameterTangent, parameters)
  }
}
