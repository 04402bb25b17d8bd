import RL2Math

// Legend: T steps, B trials, I input width (φ), H hidden units, O outputs.

/// The RL² network: φ(s, a_prev, r_prev, d_prev) → GRU → linear read-out, batched over trials.
///
/// As a policy, the O = A outputs are the logits of a categorical distribution over actions;
/// as a value function, O = 1. The paper uses two separate networks of this form for bandits and
/// MDPs. The read-out is a plain linear layer (no weight normalization), as in the authors' code.
public struct RecurrentNetwork<Scalar: TensorScalar>: Sendable {
  public let gru: GRU<Scalar>
  public let head: Linear<Scalar>
  /// Where every parameter of this network lives in its flat vector.
  public let layout: ParameterLayout

  public var inputCount: Int { gru.inputCount }
  public var hiddenCount: Int { gru.hiddenCount }
  public var outputCount: Int { head.outputCount }

  public init(inputCount: Int, hiddenCount: Int, outputCount: Int, name: String) {
    var layout = ParameterLayout()
    gru = GRU(
      inputCount: inputCount, hiddenCount: hiddenCount, name: "\(name).gru", layout: &layout)
    head = Linear(
      inputCount: hiddenCount, outputCount: outputCount, weightNormalized: false,
      name: "\(name).head", layout: &layout)
    self.layout = layout
  }

  /// A policy over `actionCount` actions.
  public static func policy(inputCount: Int, hiddenCount: Int, actionCount: Int) -> Self {
    Self(inputCount: inputCount, hiddenCount: hiddenCount, outputCount: actionCount, name: "policy")
  }

  /// A state-value function (one output).
  public static func valueFunction(inputCount: Int, hiddenCount: Int) -> Self {
    Self(inputCount: inputCount, hiddenCount: hiddenCount, outputCount: 1, name: "value")
  }

  /// Freshly initialized parameters (orthogonal recurrent, Xavier elsewhere, zero biases, g = 1).
  public func makeParameters(random: inout RandomStream) -> Parameters<Scalar> {
    Parameters(layout: layout, random: &random)
  }

  public struct Cache: Sendable {
    public let gru: GRU<Scalar>.Cache
    public let head: Linear<Scalar>.Cache
  }

  /// Runs whole trials: `input` [T, B, I] from the zero state (or `initialState` [B, H]).
  /// - Returns: outputs [T, B, O] (logits or values) and the cache for `backward`.
  public func forward(
    _ input: Tensor<Scalar>, initialState: Tensor<Scalar>? = nil, live: [Bool]? = nil,
    _ parameters: Parameters<Scalar>
  ) -> (outputs: Tensor<Scalar>, cache: Cache) {
    let (T, B) = (input.shape[0], input.shape[1])
    let (states, gruCache) = gru.forward(
      input, initialState: initialState, live: live, parameters)
    let (outputs, headCache) = head.forward(states.reshaped([T * B, hiddenCount]), parameters)
    return (outputs.reshaped([T, B, outputCount]), Cache(gru: gruCache, head: headCache))
  }

  /// Backpropagation through time over whole trials from ∂L/∂outputs [T, B, O]; parameter
  /// gradients accumulate into `parameters`.
  @discardableResult
  public func backward(
    _ outputGradient: Tensor<Scalar>, _ cache: Cache, _ parameters: Parameters<Scalar>,
    computeInputGradient: Bool = false
  ) -> GRU<Scalar>.InputGradients {
    let (T, B) = (cache.gru.stepCount, cache.gru.trialCount)
    let statesGradient = head.backward(
      outputGradient.reshaped([T * B, outputCount]), cache.head, parameters)!
    return gru.backward(
      statesGradient.reshaped([T, B, hiddenCount]), cache.gru, parameters,
      computeInputGradient: computeInputGradient)
  }
}
