import RL2Math
import RL2Nets

// Legend: T steps, B trials, A actions.

/// The baseline of a network whose policy and value heads share one trunk (the maze's
/// `VisionNetwork`): L2 regression of the value head on the normalized discounted trial returns,
/// by Adam over the whole network, so the trunk is trained end to end by both losses.
///
/// Because the fit also moves the trunk under the policy head, it is trust-region guarded like
/// the policy step: when the fitted network's policy is more than δ in mean KL away from the
/// policy it started from, the fit is pulled back along θ₀ + 0.5ʲ(θ − θ₀), j ≤ 10, and the
/// value head alone keeps its fitted values when even that fails.
public struct SharedValueHead: Sendable {
  public let configuration: ValueBaseline.Configuration
  public var adam: Adam
  /// Mean and standard deviation of the returns of the last fit (targets were (R − mean)/scale).
  public var returnMean = 0.0
  public var returnScale = 1.0

  public init(parameterCount: Int, configuration: ValueBaseline.Configuration) {
    self.configuration = configuration
    adam = Adam(parameterCount: parameterCount, learningRate: configuration.learningRate)
  }

  /// What a fit did, for `progress.csv`.
  public struct FitStatistics: Sendable {
    /// Mean squared error on the normalized targets over the last epoch.
    public var loss: Double
    /// Mean KL between the policy before and after the fit.
    public var policyKL: Double
    public var backtracks: Int
  }

  /// V(sₜ) for every step of the batch [T·B], in return units.
  public func predict(
    _ network: VisionNetwork<Float>, _ parameters: Parameters<Float>,
    _ trajectories: Trajectories
  ) -> [Float] {
    let values = network.forward(trajectories.inputs, live: trajectories.live, parameters).values
    return values.scalars.map { Float(returnMean + returnScale * Double($0)) }
  }

  /// Fits the value head (and the trunk) to `returns` [T·B] within the KL bound `maxKL`.
  public mutating func fit(
    _ network: VisionNetwork<Float>, _ parameters: Parameters<Float>,
    _ trajectories: Trajectories, returns: [Float], maxKL: Double
  ) -> FitStatistics {
    guard let normalized = ValueBaseline.normalizedTargets(returns, live: trajectories.live)
    else { return FitStatistics(loss: 0, policyKL: 0, backtracks: 0) }
    (returnMean, returnScale) = (normalized.mean, normalized.scale)
    let (targets, liveCount) = (normalized.targets, normalized.liveCount)
    let objective = PolicyObjective(
      policy: network, trajectories: trajectories,
      advantages: [Float](repeating: 0, count: returns.count))
    let (policyBefore, _) = objective.evaluate(parameters)
    let before = Array(parameters.values)
    let B = trajectories.trialCount
    let size = min(configuration.minibatchTrials, B)
    var loss = 0.0
    for _ in 0..<configuration.epochs {
      loss = 0
      for start in stride(from: 0, to: B, by: size) {
        let trials = start..<min(B, start + size)
        loss += step(
          network, parameters, on: trajectories.selecting(trials: trials),
          targets: trajectories.selectingRows(targets, trials: trials))
      }
      loss /= Double(liveCount)
    }
    var statistics = FitStatistics(loss: loss, policyKL: 0, backtracks: 0)
    guardPolicy(
      network, parameters, objective, policyBefore: policyBefore, before: before, maxKL: maxKL,
      statistics: &statistics)
    return statistics
  }

  /// One Adam step on ½·mean (V − y)² over the minibatch's live steps; returns Σ (V − y)².
  private mutating func step(
    _ network: VisionNetwork<Float>, _ parameters: Parameters<Float>,
    on minibatch: Trajectories, targets: [Float]
  ) -> Double {
    let (_, values, cache) = network.forward(minibatch.inputs, live: minibatch.live, parameters)
    let scale = 1 / Float(max(1, minibatch.liveStepCount))
    var residual = values
    var squared = 0.0
    for i in 0..<residual.count {
      let error = minibatch.live[i] ? values.scalars[i] - targets[i] : 0
      squared += Double(error * error)
      residual.scalars[i] = error * scale
    }
    parameters.zeroGradients()
    network.backward(logitsGradient: nil, valuesGradient: residual, cache, parameters)
    adam.update(parameters.values, gradients: UnsafeBufferPointer(parameters.gradients))
    return squared
  }

  /// Pulls the fit back toward `before` until the policy's mean KL is within `maxKL`; if no
  /// fraction qualifies, keeps only the value head's fitted parameters.
  private func guardPolicy(
    _ network: VisionNetwork<Float>, _ parameters: Parameters<Float>,
    _ objective: PolicyObjective<VisionNetwork<Float>>, policyBefore: Tensor<Float>,
    before: [Float], maxKL: Double, statistics: inout FitStatistics
  ) {
    let fitted = Array(parameters.values)
    var fraction: Float = 1
    for j in 0...10 {
      if j > 0 {
        for i in 0..<fitted.count {
          parameters.values[i] = before[i] + fraction * (fitted[i] - before[i])
        }
      }
      let kl = objective.meanKL(from: policyBefore, to: objective.evaluate(parameters).logits)
      (statistics.policyKL, statistics.backtracks) = (kl, j)
      if kl <= maxKL { return }
      fraction *= 0.5
    }
    parameters.setValues(before)
    for slice in [network.valueHead.weight, network.valueHead.bias] {
      for i in slice.range { parameters.values[i] = fitted[i] }
    }
    statistics.policyKL = 0
  }
}
