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

    public init() {}
  }

  public let network: RecurrentNetwork<Float>
  public let parameters: Parameters<Float>
  public let configuration: Configuration
  public var adam: Adam
  /// Mean and standard deviation of the returns of the last fit (targets were (R − mean)/scale).
  public var returnMean = 0.0
  public var returnScale = 1.0

  public init(
    inputCount: Int, hiddenCount: Int, configuration: Configuration, random: inout RandomStream
  ) {
    network = .valueFunction(inputCount: inputCount, hiddenCount: hiddenCount)
    parameters = network.makeParameters(random: &random)
    self.configuration = configuration
    adam = Adam(parameterCount: parameters.count, learningRate: configuration.learningRate)
  }

  /// V(sₜ) for every step of the batch [T·B], in return units.
  public func predict(_ trajectories: Trajectories) -> [Float] {
    let (values, _) = network.forward(trajectories.inputs, live: trajectories.live, parameters)
    return values.scalars.map { Float(returnMean + returnScale * Double($0)) }
  }

  /// Fits the network to `returns` [T·B]; returns the mean squared error on the normalized
  /// targets over the last epoch.
  @discardableResult
  public mutating func fit(_ trajectories: Trajectories, returns: [Float]) -> Double {
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
  }
}
