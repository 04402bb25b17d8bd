import Foundation
import RL2Math
import RL2Nets

/// Trust-region policy optimization (Schulman et al. 2015) as rllab runs it:
///
///     g = ∇θ L(θ_old)
///     s ≈ F⁻¹g by conjugate gradient on the exact Fisher-vector product of the mean KL
///     θ = θ_old + fᵢ · √(2δ / sᵀFs) · s, the first i with L(θ) > L(θ_old) and KL̄ ≤ δ
///
/// with f₀ = 1 and fᵢ₊₁ = 0.8·fᵢ (rllab), or — `scaledBacktracking`, the default — fᵢ₊₁ =
/// fᵢ·clamp(0.95·√(δ / KL̄ᵢ), 0.5, 0.8) when candidate i broke the KL bound: near θ_old the KL
/// of a step grows as its square, so the measured KL tells how far to shrink, and a batch whose
/// subsampled Fisher underestimates the curvature costs two or three forward passes instead of
/// five or six. Never more than halving: far from θ_old the KL grows faster than the square
/// (measured on the maze: a full step at many times δ, shrunk by the square-root rule alone,
/// landed at KL̄ ≈ δ/100).
///
/// F·v = Jᵀ·M·J·v / N with J = ∂logits/∂θ (J·v forward-mode through the GRU, Jᵀ by BPTT) and
/// M = diag(π) − ππᵀ per step, the Hessian of the KL of a softmax at θ_old.
public struct TRPO: Sendable {
  public struct Configuration: Codable, Sendable, Equatable {
    /// δ, the bound on the mean KL of a step.
    public var maxKL = 0.01
    public var conjugateGradientIterations = 10
    /// Added to F (F + λI) for conditioning, rllab's reg_coeff.
    public var damping = 1e-5
    public var backtrackRatio = 0.8
    public var maxBacktracks = 15
    /// Share of the batch's trials the Fisher-vector products run on (rllab's subsample
    /// factor); 1 uses every trial. The product stays exact on that subset.
    public var fisherSubsample = 0.2
    /// Shrinks a step that broke the KL bound by the measured KL (see above) instead of by
    /// `backtrackRatio` alone.
    public var scaledBacktracking = true

    public init() {}
  }

  public let configuration: Configuration

  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
  }

  /// Updates `parameters` in place from one batch; returns what happened.
  public func update<Network: PolicyNetwork>(
    policy: Network, parameters: Parameters<Float>, trajectories: Trajectories,
    advantages: [Float]
  ) -> PolicyUpdateStatistics {
    let objective = PolicyObjective(
      policy: policy, trajectories: trajectories, advantages: advantages)
    let (oldLogits, cache) = objective.evaluate(parameters)
    let surrogateBefore = objective.surrogate(oldLogits)
    objective.surrogateGradient(oldLogits, cache, parameters)
    let gradient = Array(parameters.gradients)
    let fisher = makeFisherVectorProduct(
      objective, logits: oldLogits, cache: cache, parameters: parameters)
    let direction = ConjugateGradient.solve(
      gradient, iterations: configuration.conjugateGradientIterations, product: fisher.apply)
    let curvature = dot(direction, fisher.apply(direction))
    var statistics = PolicyUpdateStatistics(
      surrogateBefore: surrogateBefore, surrogateAfter: surrogateBefore, meanKL: 0,
      entropy: objective.meanEntropy(oldLogits), backtracks: 0, accepted: false,
      gradientNorm: dot(gradient, gradient).squareRoot())
    guard curvature > 0, curvature.isFinite else { return statistics }
    let stepSize = (2 * configuration.maxKL / curvature).squareRoot()
    lineSearch(
      objective, parameters, oldLogits: oldLogits, step: direction.map { Float(stepSize) * $0 },
      statistics: &statistics)
    return statistics
  }

  /// The Fisher-vector product on the whole batch, or on its first trials when
  /// `fisherSubsample` < 1 (trials of a batch are independent draws, so any subset is unbiased).
  private func makeFisherVectorProduct<Network>(
    _ objective: PolicyObjective<Network>, logits: Tensor<Float>, cache: Network.PolicyCache,
    parameters: Parameters<Float>
  ) -> FisherVectorProduct<Network> {
    let B = objective.trajectories.trialCount
    let subset = max(1, min(B, Int((configuration.fisherSubsample * Double(B)).rounded())))
    guard subset < B else {
      return FisherVectorProduct(
        objective: objective, logits: logits, cache: cache, parameters: parameters,
        damping: configuration.damping)
    }
    let trials = 0..<subset
    let sub = PolicyObjective(
      policy: objective.policy, trajectories: objective.trajectories.selecting(trials: trials),
      advantages: objective.trajectories.selectingRows(objective.advantages, trials: trials))
    let (subLogits, subCache) = sub.evaluate(parameters)
    return FisherVectorProduct(
      objective: sub, logits: subLogits, cache: subCache, parameters: parameters,
      damping: configuration.damping)
  }

  /// Backtracks from the full step until the surrogate improves within the KL bound; leaves
  /// θ_old in place when no step qualifies.
  private func lineSearch<Network>(
    _ objective: PolicyObjective<Network>, _ parameters: Parameters<Float>,
    oldLogits: Tensor<Float>,
    step: [Float], statistics: inout PolicyUpdateStatistics
  ) {
    let old = Array(parameters.values)
    var fraction: Float = 1
    for backtrack in 0..<configuration.maxBacktracks {
      for i in 0..<old.count { parameters.values[i] = old[i] + fraction * step[i] }
      let (logits, _) = objective.evaluate(parameters)
      let surrogate = objective.surrogate(logits)
      let kl = objective.meanKL(from: oldLogits, to: logits)
      statistics.backtracks = backtrack
      if surrogate > statistics.surrogateBefore, kl <= configuration.maxKL, surrogate.isFinite {
        statistics.surrogateAfter = surrogate
        statistics.meanKL = kl
        statistics.accepted = true
        statistics.stepFraction = Double(fraction)
        return
      }
      fraction *= Float(shrinkage(kl: kl))
    }
    parameters.setValues(old)
  }

  /// The factor from one candidate to the next after a candidate with mean KL `kl`.
  func shrinkage(kl: Double) -> Double {
    let ratio = configuration.backtrackRatio
    guard configuration.scaledBacktracking, kl > configuration.maxKL, kl.isFinite else {
      return ratio
    }
    return min(ratio, max(0.5, 0.95 * (configuration.maxKL / kl).squareRoot()))
  }
}

/// What one policy update did, for the progress line and `progress.csv`.
public struct PolicyUpdateStatistics: Codable, Sendable {
  public var surrogateBefore: Double
  public var surrogateAfter: Double
  public var meanKL: Double
  public var entropy: Double
  public var backtracks: Int
  public var accepted: Bool
  public var gradientNorm: Double
  /// TRPO: the share fᵢ of the full step taken (0 when rejected, and for the first-order
  /// update).
  public var stepFraction: Double = 0
}

/// v ↦ (F + λI)·v at θ_old for the batch of `objective`.
struct FisherVectorProduct<Network: PolicyNetwork> {
  let objective: PolicyObjective<Network>
  /// Logits at θ_old [N_rows, A] and their softmax.
  let logits: Tensor<Float>
  let probabilities: Tensor<Float>
  let cache: Network.PolicyCache
  let parameters: Parameters<Float>
  let damping: Double

  init(
    objective: PolicyObjective<Network>, logits: Tensor<Float>, cache: Network.PolicyCache,
    parameters: Parameters<Float>, damping: Double
  ) {
    self.objective = objective
    self.logits = logits
    probabilities = Categorical.probabilities(logits)
    self.cache = cache
    self.parameters = parameters
    self.damping = damping
  }

  /// Jᵀ·M·J·v / N + λv, with M = diag(π) − ππᵀ applied row by row (0 on rows not live).
  func apply(_ v: [Float]) -> [Float] {
    let policy = objective.policy
    let jv = v.withUnsafeBufferPointer {
      policy.policyTangent(cache, parameterTangent: $0.baseAddress!, parameters)
    }
    let A = policy.actionCount
    var weighted = Tensor<Float>(shape: [logits.shape[0], A])
    let scale = 1 / Double(objective.liveCount)
    for row in 0..<logits.shape[0] where objective.trajectories.live[row] {
      var mean = 0.0
      for a in 0..<A {
        mean += Double(probabilities.scalars[row * A + a] * jv.scalars[row * A + a])
      }
      for a in 0..<A {
        let p = Double(probabilities.scalars[row * A + a])
        weighted.scalars[row * A + a] = Float(p * (Double(jv.scalars[row * A + a]) - mean) * scale)
      }
    }
    objective.backward(weighted, cache, parameters)
    return (0..<v.count).map { parameters.gradients[$0] + Float(damping) * v[$0] }
  }
}

/// The conjugate-gradient method for F·x = b with F symmetric positive definite, from x₀ = 0,
/// stopping after `iterations` or when rᵀr < `residualTolerance` (rllab: 10 and 1e-10).
public enum ConjugateGradient {
  public static func solve(
    _ b: [Float], iterations: Int, residualTolerance: Double = 1e-10,
    product: ([Float]) -> [Float]
  ) -> [Float] {
    var x = [Float](repeating: 0, count: b.count)
    var r = b
    var p = b
    var rr = dot(r, r)
    for _ in 0..<iterations where rr >= residualTolerance {
      let fp = product(p)
      let alpha = rr / dot(p, fp)
      guard alpha.isFinite else { break }
      for i in 0..<x.count {
        x[i] += Float(alpha) * p[i]
        r[i] -= Float(alpha) * fp[i]
      }
      let next = dot(r, r)
      let beta = next / rr
      rr = next
      for i in 0..<p.count { p[i] = r[i] + Float(beta) * p[i] }
    }
    return x
  }
}

/// xᵀy accumulated in Double.
func dot(_ x: [Float], _ y: [Float]) -> Double {
  var sum = 0.0
  for i in 0..<x.count { sum += Double(x[i]) * Double(y[i]) }
  return sum
}

/// Decodes with defaults for missing keys, so files written before a setting existed load.
extension TRPO.Configuration {
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init()
    maxKL = try c.decode(.maxKL, default: maxKL)
    conjugateGradientIterations = try c.decode(
      .conjugateGradientIterations, default: conjugateGradientIterations)
    damping = try c.decode(.damping, default: damping)
    backtrackRatio = try c.decode(.backtrackRatio, default: backtrackRatio)
    maxBacktracks = try c.decode(.maxBacktracks, default: maxBacktracks)
    fisherSubsample = try c.decode(.fisherSubsample, default: fisherSubsample)
    // Runs configured before the setting existed resume with the backtracking they began with.
    scaledBacktracking = try c.decode(.scaledBacktracking, default: false)
  }
}
