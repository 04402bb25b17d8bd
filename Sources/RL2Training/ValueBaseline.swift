import RL2Envs
import RL2Math
import RL2Nets

// Legend: T steps, B trials, b minibatch trials, I input width.

/// The state-value baseline: a separate GRU over the same inputs φ, fitted by L2 regression to
/// the normalized discounted trial returns with Adam (RL², appendix).
///
/// Predictions are de-normalized with the statistics of the last fit, so the advantages of a
/// batch always come from the baseline as it was before it saw that batch.
public struct ValueBaseline: Sendable {
  public struct Configuration: Codable, Sendable, Equatable {
    /// Passes over the batch per fit.
    public var epochs = 5
    /// Trials per Adam step.
    public var minibatchTrials = 128
    public var learningRate = 1e-3
    /// A shared trunk's value fit (the maze) may move the policy by at most this share of the
    /// policy step's δ in mean KL (1: as much as the policy step itself).
    public var sharedTrunkKLFraction = 1.0
    /// The value GRU also reads where the step lies in the trial: t / T and the one-hot step
    /// within its episode (not in the paper). A function of the history the policy sees too, so
    /// the baseline stays a baseline; it spares the GRU counting up to T to know how much return
    /// is left.
    public var timeInput = false

    public init() {}
  }

  public let network: RecurrentNetwork<Float>
  public let parameters: Parameters<Float>
  public let configuration: Configuration
  public var adam: Adam
  /// Mean and standard deviation of the returns of the last fit (targets were (R − mean)/scale).
  public var returnMean = 0.0
  public var returnScale = 1.0
  /// Steps per episode the one-hot time input spans (1: no within-episode part).
  public let horizon: Int

  /// `horizon` (steps per episode) sizes the time input when the configuration asks for it.
  public init(
    inputCount: Int, hiddenCount: Int, configuration: Configuration, horizon: Int = 1,
    random: inout RandomStream
  ) {
    self.horizon = max(1, horizon)
    let timeWidth = configuration.timeInput ? Self.timeWidth(horizon: self.horizon) : 0
    network = .valueFunction(inputCount: inputCount + timeWidth, hiddenCount: hiddenCount)
    parameters = network.makeParameters(random: &random)
    self.configuration = configuration
    adam = Adam(parameterCount: parameters.count, learningRate: configuration.learningRate)
  }

  /// V(sₜ) for every step of the batch [T·B], in return units.
  public func predict(_ trajectories: Trajectories) -> [Float] {
    let (values, _) = network.forward(
      valueInputs(trajectories), live: trajectories.live, parameters)
    return values.scalars.map { Float(returnMean + returnScale * Double($0)) }
  }

  /// Width of the time input: t / T and the one-hot step within the episode (when H > 1).
  static func timeWidth(horizon: Int) -> Int { 1 + (horizon > 1 ? horizon : 0) }

  /// The value network's input [T, B, I (+ time)]: φ, followed by the time input when the
  /// configuration asks for it. The step within an episode counts from the step after each
  /// episode end (capped at H − 1).
  func valueInputs(_ trajectories: Trajectories) -> Tensor<Float> {
    guard configuration.timeInput else { return trajectories.inputs }
    let (T, B, I) = (trajectories.stepCount, trajectories.trialCount, trajectories.inputs.shape[2])
    let width = I + Self.timeWidth(horizon: horizon)
    var inputs = Tensor<Float>(shape: [T, B, width])
    var stepInEpisode = [Int](repeating: 0, count: B)
    trajectories.inputs.scalars.withUnsafeBufferPointer { source in
      inputs.scalars.withUnsafeMutableBufferPointer { target in
        for t in 0..<T {
          for b in 0..<B {
            let (from, to) = ((t * B + b) * I, (t * B + b) * width)
            for i in 0..<I { target[to + i] = source[from + i] }
            target[to + I] = Float(t) / Float(T)
            if horizon > 1 { target[to + I + 1 + min(stepInEpisode[b], horizon - 1)] = 1 }
            stepInEpisode[b] = trajectories.episodeEnded[t * B + b] ? 0 : stepInEpisode[b] + 1
          }
        }
      }
    }
    return inputs
  }

  /// Fits the network to `returns` [T·B]; returns the mean squared error on the normalized
  /// targets over the last epoch.
  @discardableResult
  public mutating func fit(_ trajectories: Trajectories, returns: [Float]) -> Double {
    var trajectories = trajectories
    trajectories.inputs = valueInputs(trajectories)
    guard let normalized = Self.normalizedTargets(returns, live: trajectories.live) else {
      return 0
    }
    (returnMean, returnScale) = (normalized.mean, normalized.scale)
    let (targets, liveCount) = (normalized.targets, normalized.liveCount)
    let B = trajectories.trialCount
    let size = min(configuration.minibatchTrials, B)
    var loss = 0.0
    for _ in 0..<configuration.epochs {
      loss = 0
      for start in stride(from: 0, to: B, by: size) {
        let trials = start..<min(B, start + size)
        let minibatch = trajectories.selecting(trials: trials)
        let minibatchTargets = trajectories.selectingRows(targets, trials: trials)
        loss += step(on: minibatch, targets: minibatchTargets)
      }
      loss /= Double(liveCount)
    }
    return loss
  }

  /// The regression targets (R − mean)/scale of the live steps' returns, with the mean and the
  /// standard deviation (at least 1e-6) they were normalized by; nil with fewer than two.
  static func normalizedTargets(_ returns: [Float], live: [Bool]) -> (
    targets: [Float], mean: Double, scale: Double, liveCount: Int
  )? {
    let liveReturns = zip(returns, live).filter { $0.1 }.map { Double($0.0) }
    guard liveReturns.count > 1 else { return nil }
    let mean = Statistics.mean(liveReturns)
    let scale = max(Statistics.variance(liveReturns).squareRoot(), 1e-6)
    return (returns.map { Float((Double($0) - mean) / scale) }, mean, scale, liveReturns.count)
  }

  /// One Adam step on ½·mean (V − y)² over the minibatch's live steps; returns Σ (V − y)².
  private mutating func step(on minibatch: Trajectories, targets: [Float]) -> Double {
    let (values, cache) = network.forward(minibatch.inputs, live: minibatch.live, parameters)
    let liveCount = max(1, minibatch.liveStepCount)
    var residual = values
    var squared = 0.0
    let scale = 1 / Float(liveCount)
    for i in 0..<residual.count {
      let error = minibatch.live[i] ? values.scalars[i] - targets[i] : 0
      squared += Double(error * error)
      residual.scalars[i] = error * scale
    }
    parameters.zeroGradients()
    network.backward(residual, cache, parameters)
    adam.update(parameters.values, gradients: UnsafeBufferPointer(parameters.gradients))
    return squared
  }
}

/// Decodes with defaults for missing keys, so files written before a setting existed load.
extension ValueBaseline.Configuration {
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init()
    epochs = try c.decode(.epochs, default: epochs)
    minibatchTrials = try c.decode(.minibatchTrials, default: minibatchTrials)
    learningRate = try c.decode(.learningRate, default: learningRate)
    sharedTrunkKLFraction = try c.decode(.sharedTrunkKLFraction, default: sharedTrunkKLFraction)
    timeInput = try c.decode(.timeInput, default: timeInput)
  }
}
