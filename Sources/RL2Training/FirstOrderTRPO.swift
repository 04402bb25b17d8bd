import Foundation
import RL2Math
import RL2Nets

/// The first-order trust-region update of the RL² authors' final runs:
///
///     L_clip(θ) = (1/N) Σₜ min(ρₜÂₜ, clip(ρₜ, 1 − ε, 1 + ε)Âₜ),   ρₜ = πθ(aₜ)/π_b(aₜ)
///
/// maximized with Adam for a fixed number of epochs over minibatches of whole trials (full BPTT),
/// gradients clipped elementwise. The epoch with the best surrogate among those whose mean KL to
/// θ_old is within δ is kept; if none is, the last is pulled back along θ_old + 0.5ʲ(θ − θ_old),
/// j ≤ 10, until it is, and θ_old stays when nothing qualifies.
public struct FirstOrderTRPO: Sendable {
  public struct Configuration: Codable, Sendable, Equatable {
    public var maxKL = 0.01
    public var clipRange = 0.1
    public var learningRate = 1e-3
    public var epochs = 5
    public var minibatchTrials = 128
    public var gradientClip = 40.0
    public var maxBacktracks = 10
    /// c of an optional entropy bonus c·H̄(πθ) added to L_clip in the Adam steps (0: none, as
    /// the authors ran it); the kept epoch is still chosen by L_clip and the KL bound alone.
    public var entropyCoefficient = 0.0

    public init() {}
  }

  public let configuration: Configuration

  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
  }

  public func update<Network: PolicyNetwork>(
    policy: Network, parameters: Parameters<Float>, trajectories: Trajectories,
    advantages: [Float], adam: inout Adam, random: inout RandomStream
  ) -> PolicyUpdateStatistics {
    let whole = PolicyObjective(policy: policy, trajectories: trajectories, advantages: advantages)
    let (oldLogits, _) = whole.evaluate(parameters)
    let old = Array(parameters.values)
    var statistics = PolicyUpdateStatistics(
      surrogateBefore: whole.surrogate(oldLogits), surrogateAfter: 0, meanKL: 0,
      entropy: whole.meanEntropy(oldLogits), backtracks: 0, accepted: false, gradientNorm: 0)
    var best: (values: [Float], surrogate: Double, kl: Double)? = nil
    var last = (surrogate: statistics.surrogateBefore, kl: 0.0)
    for _ in 0..<configuration.epochs {
      runEpoch(policy, parameters, trajectories, advantages, &adam, &random, &statistics)
      let (logits, _) = whole.evaluate(parameters)
      last = (whole.surrogate(logits), whole.meanKL(from: oldLogits, to: logits))
      if last.kl <= configuration.maxKL, last.surrogate > (best?.surrogate ?? -.infinity) {
        best = (Array(parameters.values), last.surrogate, last.kl)
      }
    }
    if let best {
      parameters.setValues(best.values)
      (statistics.surrogateAfter, statistics.meanKL, statistics.accepted) =
        (best.surrogate, best.kl, true)
      return statistics
    }
    backtrack(whole, parameters, old: old, oldLogits: oldLogits, statistics: &statistics)
    return statistics
  }

  /// One pass over the batch in shuffled minibatches of whole trials.
  private func runEpoch<Network: PolicyNetwork>(
    _ policy: Network, _ parameters: Parameters<Float>,
    _ trajectories: Trajectories, _ advantages: [Float], _ adam: inout Adam,
    _ random: inout RandomStream, _ statistics: inout PolicyUpdateStatistics
  ) {
    let B = trajectories.trialCount
    let size = min(configuration.minibatchTrials, B)
    var starts = Array(stride(from: 0, to: B, by: size))
    starts.shuffle(using: &random)
    for start in starts {
      let trials = start..<min(B, start + size)
      let minibatch = trajectories.selecting(trials: trials)
      let objective = PolicyObjective(
        policy: policy, trajectories: minibatch,
        advantages: trajectories.selectingRows(advantages, trials: trials))
      let (logits, cache) = objective.evaluate(parameters)
      var logitsGradient = Categorical.logProbabilityGradient(
        of: minibatch.actions, logits: logits,
        weights: clippedWeights(objective, objective.ratios(logits)))
      if configuration.entropyCoefficient > 0 {
        let scale = Float(configuration.entropyCoefficient) / Float(objective.liveCount)
        let bonus = Categorical.entropyGradient(
          logits, weights: minibatch.live.map { $0 ? scale : 0 })
        for i in 0..<logitsGradient.scalars.count {
          logitsGradient.scalars[i] += bonus.scalars[i]
        }
      }
      objective.backward(logitsGradient, cache, parameters)
      let clip = Float(configuration.gradientClip)
      var squaredNorm = 0.0
      for i in 0..<parameters.count {
        // Adam descends, so it is given −∇L_clip.
        let g = -parameters.gradients[i]
        squaredNorm += Double(g * g)
        parameters.gradients[i] = min(max(g, -clip), clip)
      }
      statistics.gradientNorm = squaredNorm.squareRoot()
      adam.update(parameters.values, gradients: UnsafeBufferPointer(parameters.gradients))
    }
  }

  /// ∂L_clip/∂log π per row: ρÂ/N where the unclipped term is the minimum, else 0.
  private func clippedWeights<Network>(
    _ objective: PolicyObjective<Network>, _ ratios: [Float]
  ) -> [Float] {
    let (low, high) = (Float(1 - configuration.clipRange), Float(1 + configuration.clipRange))
    let scale = 1 / Float(objective.liveCount)
    return (0..<ratios.count).map { i in
      guard objective.trajectories.live[i] else { return 0 }
      let (ratio, advantage) = (ratios[i], objective.advantages[i])
      let clipped = min(max(ratio, low), high)
      return ratio * advantage <= clipped * advantage ? ratio * advantage * scale : 0
    }
  }

  private func backtrack<Network>(
    _ whole: PolicyObjective<Network>, _ parameters: Parameters<Float>, old: [Float],
    oldLogits: Tensor<Float>, statistics: inout PolicyUpdateStatistics
  ) {
    let last = Array(parameters.values)
    var fraction: Float = 0.5
    for j in 1...configuration.maxBacktracks {
      for i in 0..<old.count { parameters.values[i] = old[i] + fraction * (last[i] - old[i]) }
      let (logits, _) = whole.evaluate(parameters)
      let kl = whole.meanKL(from: oldLogits, to: logits)
      statistics.backtracks = j
      if kl <= configuration.maxKL {
        (statistics.surrogateAfter, statistics.meanKL, statistics.accepted) =
          (whole.surrogate(logits), kl, true)
        return
      }
      fraction *= 0.5
    }
    parameters.setValues(old)
    statistics.surrogateAfter = statistics.surrogateBefore
  }
}

/// Decodes with defaults for missing keys, so files written before a setting existed load.
extension FirstOrderTRPO.Configuration {
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init()
    maxKL = try c.decode(.maxKL, default: maxKL)
    clipRange = try c.decode(.clipRange, default: clipRange)
    learningRate = try c.decode(.learningRate, default: learningRate)
    epochs = try c.decode(.epochs, default: epochs)
    minibatchTrials = try c.decode(.minibatchTrials, default: minibatchTrials)
    gradientClip = try c.decode(.gradientClip, default: gradientClip)
    maxBacktracks = try c.decode(.maxBacktracks, default: maxBacktracks)
    entropyCoefficient = try c.decode(.entropyCoefficient, default: entropyCoefficient)
  }
}
