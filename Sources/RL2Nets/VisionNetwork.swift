import RL2Math

// Legend: T steps, B trials, N = T·B rows, M live rows, Hi×Wi×C image, A actions,
// E action embedding, P conv features, D fully connected units, U GRU units.

/// Where the parts of one step's input row sit: the image (HWC, values in [−1, 1]), then
/// φ's previous action (one-hot, all zeros at a trial's first step), previous reward and flag.
public struct VisionInputLayout: Sendable, Equatable, Codable {
  public var height: Int
  public var width: Int
  public var channels: Int
  public var actionCount: Int

  public init(height: Int = 30, width: Int = 40, channels: Int = 3, actionCount: Int = 4) {
    self.height = height
    self.width = width
    self.channels = channels
    self.actionCount = actionCount
  }

  public var imageCount: Int { height * width * channels }
  public var actionOffset: Int { imageCount }
  public var rewardOffset: Int { imageCount + actionCount }
  public var flagOffset: Int { imageCount + actionCount + 1 }
  /// I, the width of one input row.
  public var rowWidth: Int { imageCount + actionCount + 2 }
}

/// The paper's vision policy: one shared trunk with a policy and a value head,
///
///     f = relu(conv₂(relu(conv₁(image))))                  two 5×5 stride-2 convolutions
///     z = relu(W_fc·[f, E[a_prev], r_prev, d_prev] + b)      E, the learned action embedding
///     h_t = GRU(z_t, h_{t−1}),  logits = W_π·h_t + b_π,  value = w_v·h_t + b_v
///
/// (Duan et al. 2016, appendix: 16 filters, embedding 256, FC 256, GRU 256). Batched over
/// trials like `RecurrentNetwork`; the convolutional encoder runs on live rows only, in chunks
/// of `encoderChunkRows`; its activations are kept for backward and the tangent up to
/// `encoderCacheBytes` and recomputed chunk by chunk beyond (a 50 000-step batch would need
/// 1.6 GB).
public struct VisionNetwork<Scalar: TensorScalar>: Sendable {
  public struct Architecture: Sendable, Equatable, Codable {
    public var filters = 16
    public var kernelSize = 5
    public var stride = 2
    public var actionEmbedding = 256
    public var fullyConnected = 256
    public var hidden = 256

    public init() {}
  }

  public let input: VisionInputLayout
  public let architecture: Architecture
  public let conv1: Conv2D<Scalar>
  public let conv2: Conv2D<Scalar>
  public let actionEmbedding: Embedding<Scalar>
  public let fullyConnected: Linear<Scalar>
  public let gru: GRU<Scalar>
  public let policyHead: Linear<Scalar>
  public let valueHead: Linear<Scalar>
  public let layout: ParameterLayout
  /// Live rows the convolutional encoder processes at once (bounds its im2col memory).
  public var encoderChunkRows = 512
  /// Bytes of encoder activations (images, both convolutions' outputs) a forward pass keeps.
  public var encoderCacheBytes = 768 << 20
  /// (height, width) after each convolution.
  let conv1Size: (height: Int, width: Int)
  let conv2Size: (height: Int, width: Int)

  public init(input: VisionInputLayout, architecture: Architecture = Architecture()) {
    self.input = input
    self.architecture = architecture
    let a = architecture
    var layout = ParameterLayout()
    conv1 = Conv2D(
      inputChannels: input.channels, outputChannels: a.filters, kernelSize: a.kernelSize,
      stride: a.stride, name: "vision.conv1", layout: &layout)
    conv2 = Conv2D(
      inputChannels: a.filters, outputChannels: a.filters, kernelSize: a.kernelSize,
      stride: a.stride, name: "vision.conv2", layout: &layout)
    conv1Size = conv1.outputSize(height: input.height, width: input.width)
    conv2Size = conv2.outputSize(height: conv1Size.height, width: conv1Size.width)
    actionEmbedding = Embedding(
      count: input.actionCount, dimension: a.actionEmbedding, name: "vision.action",
      layout: &layout)
    let features = conv2Size.height * conv2Size.width * a.filters
    fullyConnected = Linear(
      inputCount: features + a.actionEmbedding + 2, outputCount: a.fullyConnected,
      weightNormalized: true, name: "vision.fc", layout: &layout)
    gru = GRU(
      inputCount: a.fullyConnected, hiddenCount: a.hidden, name: "vision.gru", layout: &layout)
    policyHead = Linear(
      inputCount: a.hidden, outputCount: input.actionCount, weightNormalized: false,
      name: "vision.policy", layout: &layout)
    valueHead = Linear(
      inputCount: a.hidden, outputCount: 1, weightNormalized: false, name: "vision.value",
      layout: &layout)
    self.layout = layout
  }

  /// P, the flattened output of the second convolution.
  public var featureCount: Int { conv2Size.height * conv2Size.width * architecture.filters }
  public var actionCount: Int { input.actionCount }

  public func makeParameters(random: inout RandomStream) -> Parameters<Scalar> {
    Parameters(layout: layout, random: &random)
  }

  /// What `backward` needs from `forward`.
  public struct Cache: Sendable {
    public let stepCount: Int
    public let trialCount: Int
    /// x [T, B, I], kept (copy-on-write, so not copied) to recompute the encoder.
    let input: Tensor<Scalar>
    /// Rows t·B + b of the live steps [M]; the encoder ran on these only.
    let liveRows: [Int]
    /// The encoder's activations of each chunk of `liveRows`, nil where they were not kept.
    let encoded: [EncoderChunk?]
    /// a_{t−1} of each live row, −1 where there is none [M].
    let previousActions: [Int]
    /// The fully connected layer on [f, E[a], r, d] of the live rows [M, P + E + 2].
    let fullyConnected: Linear<Scalar>.Cache
    /// z [M, D] after the ReLU.
    let trunk: Tensor<Scalar>
    let gru: GRU<Scalar>.Cache
    let policyHead: Linear<Scalar>.Cache
    let valueHead: Linear<Scalar>.Cache
  }

  /// Runs whole trials from the zero state: `input` [T, B, I].
  /// - Returns: logits [T, B, A], values [T, B] and the cache for `backward`.
  public func forward(
    _ input: Tensor<Scalar>, live: [Bool]? = nil, _ parameters: Parameters<Scalar>
  ) -> (logits: Tensor<Scalar>, values: Tensor<Scalar>, cache: Cache) {
    precondition(
      input.rank == 3 && input.shape[2] == self.input.rowWidth,
      "input \(input.shape) is not [T, B, \(self.input.rowWidth)]")
    let (T, B) = (input.shape[0], input.shape[1])
    precondition(live == nil || live!.count == T * B, "live mask must have T·B entries")
    let liveRows = (0..<(T * B)).filter { live?[$0] ?? true }
    let previousActions = liveRows.map { previousAction(input, row: $0) }
    let (fcInput, encoded) = encoderOutput(input, rows: liveRows, previousActions, parameters)
    let (fc, fcCache) = fullyConnected.forward(fcInput, parameters)
    let trunk = Activations.relu(fc)
    let D = architecture.fullyConnected
    var gruInput = Tensor<Scalar>(shape: [T, B, D])
    scatterRows(trunk, rows: liveRows, width: D, into: &gruInput)
    let (states, gruCache) = gru.forward(gruInput, live: live, parameters)
    let flatStates = states.reshaped([T * B, architecture.hidden])
    let (logits, policyCache) = policyHead.forward(flatStates, parameters)
    let (values, valueCache) = valueHead.forward(flatStates, parameters)
    let cache = Cache(
      stepCount: T, trialCount: B, input: input, liveRows: liveRows, encoded: encoded,
      previousActions: previousActions, fullyConnected: fcCache, trunk: trunk, gru: gruCache,
      policyHead: policyCache, valueHead: valueCache)
    return (logits.reshaped([T, B, actionCount]), values.reshaped([T, B]), cache)
  }

  /// Backpropagation through time from ∂L/∂logits [T, B, A] and/or ∂L/∂values [T, B];
  /// parameter gradients accumulate into `parameters`.
  public func backward(
    logitsGradient: Tensor<Scalar>?, valuesGradient: Tensor<Scalar>?, _ cache: Cache,
    _ parameters: Parameters<Scalar>
  ) {
    let (N, U) = (cache.stepCount * cache.trialCount, architecture.hidden)
    var statesGradient = Tensor<Scalar>(shape: [N, U])
    if let logitsGradient {
      let d = policyHead.backward(
        logitsGradient.reshaped([N, actionCount]), cache.policyHead, parameters)!
      statesGradient = d
    }
    if let valuesGradient {
      let d = valueHead.backward(valuesGradient.reshaped([N, 1]), cache.valueHead, parameters)!
      statesGradient.withUnsafeMutableBufferPointer { s in
        d.withUnsafeBufferPointer { d in
          BLAS.axpy(count: N * U, alpha: 1, x: d.baseAddress!, y: s.baseAddress!)
        }
      }
    }
    let gruGradients = gru.backward(
      statesGradient.reshaped([cache.stepCount, cache.trialCount, U]), cache.gru, parameters)
    let D = architecture.fullyConnected
    let trunkGradient = Activations.reluBackward(
      gatherRows(gruGradients.input!, rows: cache.liveRows, width: D), output: cache.trunk)
    let fcInputGradient = fullyConnected.backward(
      trunkGradient, cache.fullyConnected, parameters)!
    backwardEncoder(fcInputGradient, cache, parameters)
  }
}
