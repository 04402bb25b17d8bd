import RL2Math
import RL2Nets
import XCTest

@testable import RL2Training

/// The first-order trust-region update keeps the mean KL to θ_old within δ, and moves nothing
/// when no step can satisfy the bound.
final class FirstOrderTRPOTests: XCTestCase {
  let (policy, parameters, trajectories) = Fixtures.banditBatch(
    trials: 8, episodes: 5, hidden: 4, seed: 41)
  lazy var advantages = Fixtures.randomAdvantages(trajectories, seed: 42)

  func update(maxKL: Double, learningRate: Double) -> PolicyUpdateStatistics {
    var configuration = FirstOrderTRPO.Configuration()
    configuration.maxKL = maxKL
    configuration.learningRate = learningRate
    configuration.minibatchTrials = 3
    var adam = Adam(parameterCount: parameters.count, learningRate: learningRate)
    var random = RandomStream(seed: 43)
    return FirstOrderTRPO(configuration: configuration).update(
      policy: policy, parameters: parameters, trajectories: trajectories, advantages: advantages,
      adam: &adam, random: &random)
  }

  func testMeanKLToTheOldPolicyIsWithinTheBound() {
    // A large learning rate drives the epochs out of the trust region, so the bound must be
    // enforced by the epoch choice or the backtracking.
    for (maxKL, learningRate) in [(0.01, 1e-3), (0.01, 0.1), (1e-4, 0.05)] {
      let start = Array(parameters.values)
      let oldLogits = Reference.logits(policy, parameters, trajectories)
      let statistics = update(maxKL: maxKL, learningRate: learningRate)
      let kl = Reference.meanKL(
        from: oldLogits, to: Reference.logits(policy, parameters, trajectories),
        live: trajectories.live)
      let name = "δ \(maxKL), learning rate \(learningRate)"
      // The update measures the KL in Float, good to about 1e-7 absolute.
      XCTAssertLessThanOrEqual(kl, maxKL + 1e-7, "mean KL after the update, \(name)")
      XCTAssertEqual(statistics.meanKL, kl, accuracy: 1e-7, "reported mean KL, \(name)")
      if statistics.accepted {
        XCTAssertGreaterThan(kl, 0, "mean KL of an accepted update, \(name)")
      }
      parameters.setValues(start)
    }
  }

  /// Fifteen Adam steps move the policy by a mean KL far above 1e-12, and ten halvings shrink it
  /// by 2⁻²⁰ only: no candidate is within δ, so θ_old stays. Several batches, so that a KL
  /// measured by chance below δ cannot pass unnoticed.
  /// With zero advantages the clipped surrogate is flat, so only the entropy bonus moves θ:
  /// the update must raise the policy's mean entropy, and without the bonus leave it as it was.
  func testTheEntropyBonusAloneRaisesTheEntropy() {
    let flat = [Float](repeating: 0, count: advantages.count)
    let objective = PolicyObjective(policy: policy, trajectories: trajectories, advantages: flat)
    let before = objective.meanEntropy(objective.evaluate(parameters).0)
    let start = Array(parameters.values)
    for (coefficient, expectRise) in [(0.0, false), (1.0, true)] {
      parameters.setValues(start)
      var configuration = FirstOrderTRPO.Configuration()
      configuration.entropyCoefficient = coefficient
      configuration.learningRate = 1e-2
      configuration.minibatchTrials = 3
      var adam = Adam(parameterCount: parameters.count, learningRate: 1e-2)
      var random = RandomStream(seed: 44)
      _ = FirstOrderTRPO(configuration: configuration).update(
        policy: policy, parameters: parameters, trajectories: trajectories, advantages: flat,
        adam: &adam, random: &random)
      let after = objective.meanEntropy(objective.evaluate(parameters).0)
      if expectRise {
        XCTAssertGreaterThan(after, before + 1e-4, "entropy with the bonus")
      } else {
        XCTAssertEqual(after, before, accuracy: 1e-9, "entropy without the bonus")
      }
    }
  }

  func testVanishingKLBoundLeavesTheParametersUnchanged() {
    for seed: UInt64 in [41, 44, 45, 46] {
      let (policy, parameters, trajectories) = Fixtures.banditBatch(
        trials: 8, episodes: 5, hidden: 4, seed: seed)
      let before = Array(parameters.values)
      let oldLogits = Reference.logits(policy, parameters, trajectories)
      var configuration = FirstOrderTRPO.Configuration()
      configuration.maxKL = 1e-12
      configuration.minibatchTrials = 3
      var adam = Adam(parameterCount: parameters.count, learningRate: configuration.learningRate)
      var random = RandomStream(seed: seed)
      let statistics = FirstOrderTRPO(configuration: configuration).update(
        policy: policy, parameters: parameters, trajectories: trajectories,
        advantages: Fixtures.randomAdvantages(trajectories, seed: seed + 1), adam: &adam,
        random: &random)
      let kl = Reference.meanKL(
        from: oldLogits, to: Reference.logits(policy, parameters, trajectories),
        live: trajectories.live)
      XCTAssertFalse(
        statistics.accepted,
        "batch \(seed): update accepted under δ = 1e-12 with reported mean KL "
          + "\(statistics.meanKL), exact \(kl), after \(statistics.backtracks) backtracks")
      assertBitIdentical(Array(parameters.values), before, "batch \(seed): θ after the update")
    }
  }
}
