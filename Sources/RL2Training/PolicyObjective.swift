import Foundation
import RL2Math
import RL2Nets

// Legend: T steps, B trials, N live steps, A actions. Rows are time-major steps (t·B + b).

/// The quantities TRPO and its first-order variant evaluate on one batch: the importance-
/// weighted surrogate, the mean KL to the pre-update policy, and their derivatives.
///
///     L(θ) = (1/N) Σₜ πθ(aₜ)/π_b(aₜ) · Âₜ          (surrogate, over live steps)
///     KL̄(θ) = (1/N) Σₜ KL(π_old(·|hₜ) ‖ πθ(·|hₜ))
///
/// π_b is the behaviour policy that chose the actions (its log-probabilities travel with the
/// trajectories); π_old is the policy at the start of the update.
struct PolicyObjective<Network: PolicyNetwork> {
  let policy: Network
  let trajectories: Trajectories
  let advantages: [Float]
  let liveCount: Int

  init(policy: Network, trajectories: Trajectories, advantages: [Float]) {
    self.policy = policy
    self.trajectories = trajectories
    self.advantages = advantages
    liveCount = max(1, trajectories.liveStepCount)
  }

  /// Logits [T·B, A] at the current parameters, with the cache for derivatives.
  func evaluate(_ parameters: Parameters<Float>) -> (
    logits: Tensor<Float>, cache: Network.PolicyCache
  ) {
    let (logits, cache) = policy.policyForward(
      trajectories.inputs, live: trajectories.live, parameters)
    return (
      logits.reshaped([trajectories.stepCount * trajectories.trialCount, policy.actionCount]), cache
    )
  }

  /// πθ(aₜ)/π_b(aₜ) per row (0 where not live).
  func ratios(_ logits: Tensor<Float>) -> [Float] {
    let logProbabilities = Categorical.logProbability(of: trajectories.actions, logits: logits)
    return (0..<logProbabilities.count).map { i in
      trajectories.live[i]
        ? Float(
          Foundation.exp(Double(logProbabilities[i] - trajectories.behaviourLogProbabilities[i])))
        : 0
    }
  }

  func surrogate(_ logits: Tensor<Float>) -> Double {
    let ratios = ratios(logits)
    var sum = 0.0
    for i in 0..<ratios.count where trajectories.live[i] {
      sum += Double(ratios[i] * advantages[i])
    }
    return sum / Double(liveCount)
  }

  /// Mean over live rows of KL(π_old ‖ π_new), in Double without cancellation: with
  /// d = l_new − l_old and d̄ = Σ π_old·d,
  ///
  ///     KL = log Σⱼ π_old,ⱼ e^(dⱼ − d̄) = log1p(Σⱼ π_old,ⱼ (expm1(dⱼ − d̄) − (dⱼ − d̄)))
  ///
  /// where every term of the sum is ≥ 0. Float arithmetic on the textbook form errs by ~1e-8,
  /// enough to turn a tiny step's KL negative and defeat the trust-region test.
  func meanKL(from old: Tensor<Float>, to new: Tensor<Float>) -> Double {
    let A = policy.actionCount
    var sum = 0.0
    var probabilities = [Double](repeating: 0, count: A)
    var differences = [Double](repeating: 0, count: A)
    for row in 0..<(old.count / A) where trajectories.live[row] {
      var largest = -Double.infinity
      for a in 0..<A { largest = max(largest, Double(old.scalars[row * A + a])) }
      var total = 0.0
      for a in 0..<A {
        probabilities[a] = Foundation.exp(Double(old.scalars[row * A + a]) - largest)
        total += probabilities[a]
      }
      var meanDifference = 0.0
      for a in 0..<A {
        probabilities[a] /= total
        differences[a] = Double(new.scalars[row * A + a]) - Double(old.scalars[row * A + a])
        meanDifference += probabilities[a] * differences[a]
      }
      var excess = 0.0
      for a in 0..<A {
        let x = differences[a] - meanDifference
        excess += probabilities[a] * (Foundation.expm1(x) - x)
      }
      sum += Foundation.log1p(excess)
    }
    return sum / Double(liveCount)
  }

  func meanEntropy(_ logits: Tensor<Float>) -> Double {
    let entropy = Categorical.entropy(logits)
    var sum = 0.0
    for i in 0..<entropy.count where trajectories.live[i] { sum += Double(entropy[i]) }
    return sum / Double(liveCount)
  }

  /// ∇θ L into `parameters.gradients` (cleared first): ∂L/∂logits = (ratio·Â/N)·(onehot(a) − π).
  func surrogateGradient(
    _ logits: Tensor<Float>, _ cache: Network.PolicyCache,
    _ parameters: Parameters<Float>, weights: [Float]? = nil
  ) {
    let weights = weights ?? surrogateWeights(ratios(logits))
    let logitsGradient = Categorical.logProbabilityGradient(
      of: trajectories.actions, logits: logits, weights: weights)
    backward(logitsGradient, cache, parameters)
  }

  /// ratio·Â/N at live rows.
  func surrogateWeights(_ ratios: [Float]) -> [Float] {
    let scale = 1 / Float(liveCount)
    return (0..<ratios.count).map {
      trajectories.live[$0] ? ratios[$0] * advantages[$0] * scale : 0
    }
  }

  /// Jᵀ·(∂L/∂logits) into `parameters.gradients`, which are cleared first.
  func backward(
    _ logitsGradient: Tensor<Float>, _ cache: Network.PolicyCache,
    _ parameters: Parameters<Float>
  ) {
    parameters.zeroGradients()
    policy.policyBackward(
      logitsGradient.reshaped([trajectories.stepCount, trajectories.trialCount, policy.actionCount]
      ),
      cache, parameters)
  }
}
