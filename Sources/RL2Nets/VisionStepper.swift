import RL2Math

// Legend: n trials stepped together, I input width, Hi×Wi×C image, P₁/P₂ positions of the two
// convolutions, F filters, L = K·K·C patch length, E embedding, D FC units, U GRU units,
// A actions.

/// A `VisionNetwork` stepped one time step at a time for n trials, as actors roll out trials:
/// the effective weights (weight normalization applied) are resolved once, and every buffer is
/// allocated once and reused, so a step allocates nothing. The same arithmetic as `forward`,
/// which a test checks step by step.
///
///     var stepper = VisionStepper(network: network, parameters: parameters, trialCount: n)
///     stepper.step(inputs, live: live)      // inputs [n, I]; then read stepper.logits [n, A]
public struct VisionStepper<Scalar: TensorScalar>: Sendable {
  public let network: VisionNetwork<Scalar>
  public let trialCount: Int
  let conv1Weight: [Scalar]
  let conv1Bias: [Scalar]
  let conv2Weight: [Scalar]
  let conv2Bias: [Scalar]
  let embedding: [Scalar]
  let fcWeight: Tensor<Scalar>
  let fcBias: [Scalar]
  let gruWeights: GRU<Scalar>.Weights
  let policyWeight: [Scalar]
  let policyBias: [Scalar]
  var images: [Scalar]
  var patches1: [Scalar]
  var hidden: [Scalar]
  var patches2: [Scalar]
  var features: [Scalar]
  var fcInput: [Scalar]
  var trunk: [Scalar]
  var scratch = GRU<Scalar>.StepScratch()
  /// h [n, U], zero at the start (reset it with `reset()` between trials).
  public var state: [Scalar]
  /// The policy's logits of the last step [n, A].
  public private(set) var logits: [Scalar]

  public init(network: VisionNetwork<Scalar>, parameters: Parameters<Scalar>, trialCount n: Int) {
    self.network = network
    trialCount = n
    func copy(_ slice: ParameterSlice) -> [Scalar] { Array(parameters.values[slice.range]) }
    conv1Weight = copy(network.conv1.weight)
    conv1Bias = copy(network.conv1.bias)
    conv2Weight = copy(network.conv2.weight)
    conv2Bias = copy(network.conv2.bias)
    embedding = copy(network.actionEmbedding.table)
    fcWeight = network.fullyConnected.effectiveWeight(parameters).0
    fcBias = copy(network.fullyConnected.bias)
    gruWeights = network.gru.weights(parameters)
    policyWeight = network.policyHead.effectiveWeight(parameters).0.scalars
    policyBias = copy(network.policyHead.bias)
    let (layout, a) = (network.input, network.architecture)
    let (p1, p2) = (
      network.conv1Size.height * network.conv1Size.width,
      network.conv2Size.height * network.conv2Size.width
    )
    let area = a.kernelSize * a.kernelSize
    images = Array(repeating: 0, count: n * layout.imageCount)
    patches1 = Array(repeating: 0, count: n * p1 * area * layout.channels)
    hidden = Array(repeating: 0, count: n * p1 * a.filters)
    patches2 = Array(repeating: 0, count: n * p2 * area * a.filters)
    features = Array(repeating: 0, count: n * p2 * a.filters)
    fcInput = Array(repeating: 0, count: n * fcWeight.shape[1])
    trunk = Array(repeating: 0, count: n * a.fullyConnected)
    state = Array(repeating: 0, count: n * a.hidden)
    logits = Array(repeating: 0, count: n * layout.actionCount)
  }

  /// Zeroes the recurrent state of every trial (a new set of trials starts).
  public mutating func reset() {
    for i in state.indices { state[i] = 0 }
  }

  /// One step: the n rows of φ at `inputs` [n, I]; trials not `live` keep their state.
  public mutating func step(_ inputs: UnsafePointer<Scalar>, live: UnsafePointer<Bool>) {
    let n = trialCount
    let layout = network.input
    images.withUnsafeMutableBufferPointer { images in
      for i in 0..<n {
        (images.baseAddress! + i * layout.imageCount).update(
          from: inputs + i * layout.rowWidth, count: layout.imageCount)
      }
    }
    let imageShape = [n, layout.height, layout.width, layout.channels]
    Self.convolve(network.conv1, images, imageShape, &patches1, conv1Weight, conv1Bias, &hidden)
    let hiddenShape = [
      n, network.conv1Size.height, network.conv1Size.width, network.architecture.filters,
    ]
    Self.convolve(network.conv2, hidden, hiddenShape, &patches2, conv2Weight, conv2Bias, &features)
    assembleFullyConnectedInput(inputs)
    let (D, U, A) = (
      network.architecture.fullyConnected, network.architecture.hidden, layout.actionCount
    )
    Self.dense(fcInput, fcWeight.scalars, fcBias, rows: n, outputs: D, into: &trunk, relu: true)
    trunk.withUnsafeBufferPointer { trunk in
      state.withUnsafeMutableBufferPointer { state in
        network.gru.step(
          trunk.baseAddress!, state: state.baseAddress!, live: live, trialCount: n,
          weights: gruWeights, scratch: &scratch)
      }
    }
    precondition(policyWeight.count == A * U)
    Self.dense(state, policyWeight, policyBias, rows: n, outputs: A, into: &logits, relu: false)
  }

  /// y = relu(im2col(x)·Wᵀ + b) for x of `shape`.
  private static func convolve(
    _ conv: Conv2D<Scalar>, _ x: [Scalar], _ shape: [Int], _ patches: inout [Scalar],
    _ weight: [Scalar], _ bias: [Scalar], _ y: inout [Scalar]
  ) {
    let length = conv.kernelSize * conv.kernelSize * conv.inputChannels
    let rows = patches.count / length
    x.withUnsafeBufferPointer { x in
      patches.withUnsafeMutableBufferPointer { patches in
        conv.im2col(x.baseAddress!, shape: shape, images: 0..<shape[0], into: patches.baseAddress!)
      }
    }
    dense(patches, weight, bias, rows: rows, outputs: conv.outputChannels, into: &y, relu: true)
  }

  /// [f, E[a_prev], r_prev, d_prev] per trial.
  private mutating func assembleFullyConnectedInput(_ inputs: UnsafePointer<Scalar>) {
    let layout = network.input
    let (P, E) = (network.featureCount, network.architecture.actionEmbedding)
    let width = P + E + 2
    for i in 0..<trialCount {
      let row = inputs + i * layout.rowWidth
      let target = i * width
      for j in 0..<P { fcInput[target + j] = features[i * P + j] }
      var action = -1
      for a in 0..<layout.actionCount where row[layout.actionOffset + a] > 0.5 { action = a }
      for j in 0..<E { fcInput[target + P + j] = action >= 0 ? embedding[action * E + j] : 0 }
      fcInput[target + P + E] = row[layout.rewardOffset]
      fcInput[target + P + E + 1] = row[layout.flagOffset]
    }
  }

  /// y = x·Wᵀ + b (then ReLU when asked) for x [rows, K] and W [outputs, K].
  private static func dense(
    _ x: [Scalar], _ weight: [Scalar], _ bias: [Scalar], rows: Int, outputs: Int,
    into y: inout [Scalar], relu: Bool
  ) {
    let k = x.count / rows
    for r in 0..<rows { for o in 0..<outputs { y[r * outputs + o] = bias[o] } }
    x.withUnsafeBufferPointer { x in
      weight.withUnsafeBufferPointer { w in
        y.withUnsafeMutableBufferPointer { y in
          BLAS.gemm(
            transposeB: true, m: rows, n: outputs, k: k, a: x.baseAddress!, lda: k,
            b: w.baseAddress!, ldb: k, beta: 1, c: y.baseAddress!, ldc: outputs)
        }
      }
    }
    guard relu else { return }
    for i in 0..<(rows * outputs) where !(y[i] > 0) { y[i] = 0 }
  }
}
