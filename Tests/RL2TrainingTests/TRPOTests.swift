import RL2Math
import RL2Nets
import XCTest

@testable import RL2Training

// Legend: T steps, B trials, A actions; rows are time-major steps (t·B + b).

/// TRPO's step: within the trust region when accepted, untouched when rejected, and a full step
/// whose KL is close to δ (the quadratic model of the KL is good for small steps).
final class TRPOTests: XCTestCase {
  let (policy, parameters, trajectories) = Fixtures.banditBatch(
    trials: 8, episodes: 5, hidden: 4, seed: 31)
  lazy var advantages = Fixtures.randomAdvantages(trajectories, seed: 32)

  /// The Fisher-vector products run on the whole batch, so the full step's KL is the one the
  /// quadratic model predicts for this batch.
  func makeTRPO(maxKL: Double) -> TRPO {
    var configuration = TRPO.Configuration()
    configuration.maxKL = maxKL
    configuration.fisherSubsample = 1
    return TRPO(configuration: configuration)
  }

  /// With δ = 0 the step size is 0, so no candidate improves the surrogate: every one of the
  /// backtracks is rejected and θ_old is restored exactly.
  func testRejectedLineSearchRestoresTheParametersBitForBit() {
    let before = Array(parameters.values)
    let trpo = makeTRPO(maxKL: 0)
    let statistics = trpo.update(
      policy: policy, parameters: parameters, trajectories: trajectories, advantages: advantages)
    XCTAssertFalse(statistics.accepted, "a step accepted under δ = 0")
    XCTAssertEqual(
      statistics.backtracks, trpo.configuration.maxBacktracks - 1, "candidates tried")
    XCTAssertEqual(statistics.meanKL, 0, "mean KL of a rejected update")
    XCTAssertEqual(
      statistics.surrogateAfter, statistics.surrogateBefore, "surrogate of a rejected update")
    assertBitIdentical(Array(parameters.values), before, "θ after a rejected step")
  }

  /// A tiny trust region must be measured, not rounded: the reported mean KL is never negative,
  /// and an accepted step lies within δ by the exact KL of the same logits.
  func testMeanKLOfATinyStepIsMeasuredWithoutRoundoff() {
    let maxKL = 1e-12
    let oldLogits = Reference.logits(policy, parameters, trajectories)
    let statistics = makeTRPO(maxKL: maxKL).update(
      policy: policy, parameters: parameters, trajectories: trajectories, advantages: advantages)
    let kl = Reference.meanKL(
      from: oldLogits, to: Reference.logits(policy, parameters, trajectories),
      live: trajectories.live)
    XCTAssertGreaterThanOrEqual(
      statistics.meanKL, 0,
      "reported mean KL (accepted: \(statistics.accepted), exact KL of the step: \(kl))")
    if statistics.accepted {
      XCTAssertLessThanOrEqual(kl, 1.01 * maxKL, "exact mean KL of the accepted step, δ = 1e-12")
      XCTAssertEqual(
        statistics.meanKL, kl, accuracy: 0.01 * maxKL, "reported against exact mean KL")
    }
  }

  func testAcceptedStepStaysInTheTrustRegionAndImprovesTheSurrogate() {
    let maxKL = 0.01
    let old = Array(parameters.values)
    let oldLogits = Reference.logits(policy, parameters, trajectories)
    let statistics = makeTRPO(maxKL: maxKL).update(
      policy: policy, parameters: parameters, trajectories: trajectories, advantages: advantages)
    XCTAssertTrue(statistics.accepted, "no step accepted under δ = \(maxKL)")
    let newLogits = Reference.logits(policy, parameters, trajectories)
    let kl = Reference.meanKL(from: oldLogits, to: newLogits, live: trajectories.live)
    // The line search measures the KL in Float, good to about 1e-7 absolute.
    XCTAssertLessThanOrEqual(kl, maxKL + 1e-7, "mean KL of the accepted step")
    XCTAssertGreaterThan(kl, 0, "mean KL of the accepted step")
    XCTAssertEqual(statistics.meanKL, kl, accuracy: 1e-7, "reported mean KL")
    let surrogateBefore = Reference.surrogate(oldLogits, trajectories, advantages)
    let surrogateAfter = Reference.surrogate(newLogits, trajectories, advantages)
    XCTAssertGreaterThan(surrogateAfter, surrogateBefore, "surrogate after the step")
    XCTAssertEqual(statistics.surrogateBefore, surrogateBefore, accuracy: 1e-6, "surrogate before")
    XCTAssertEqual(statistics.surrogateAfter, surrogateAfter, accuracy: 1e-6, "surrogate after")
    XCTAssertNotEqual(Array(parameters.values), old, "θ after an accepted step")
  }

  /// The step before backtracking, √(2δ / sᵀFs)·s with s ≈ F⁻¹g, has mean KL ≈ δ: ½ sᵀFs·(2δ /
  /// sᵀFs) = δ to second order. δ is small enough for that order to dominate on this tiny
  /// network (at δ = 0.01 its full step is as long as θ itself). The accepted step is 0.8ⁱ times
  /// the full step.
  func testFullStepHasAKLCloseToTheBound() {
    let maxKL = 1e-4
    let trpo = makeTRPO(maxKL: maxKL)
    let objective = PolicyObjective(
      policy: policy, trajectories: trajectories, advantages: advantages)
    let (oldLogits, cache) = objective.evaluate(parameters)
    objective.surrogateGradient(oldLogits, cache, parameters)
    let gradient = Array(parameters.gradients)
    let fisher = FisherVectorProduct(
      objective: objective, logits: oldLogits, cache: cache, parameters: parameters,
      damping: trpo.configuration.damping)
    let direction = ConjugateGradient.solve(
      gradient, iterations: trpo.configuration.conjugateGradientIterations, product: fisher.apply)
    let curvature = dot(direction, fisher.apply(direction))
    XCTAssertGreaterThan(curvature, 0, "sᵀFs")
    let fullStep = direction.map { Float((2 * maxKL / curvature).squareRoot()) * $0 }
    let old = Array(parameters.values)

    let stepped = parameters.copy()
    stepped.setValues(zip(old, fullStep).map { $0 + $1 })
    let kl = Reference.meanKL(
      from: oldLogits, to: Reference.logits(policy, stepped, trajectories), live: trajectories.live)
    XCTAssertGreaterThan(kl, maxKL / 2, "mean KL of the full step")
    XCTAssertLessThan(kl, 2 * maxKL, "mean KL of the full step")

    let statistics = trpo.update(
      policy: policy, parameters: parameters, trajectories: trajectories, advantages: advantages)
    XCTAssertTrue(statistics.accepted, "no step accepted under δ = \(maxKL)")
    let fraction = statistics.stepFraction
    XCTAssertGreaterThan(fraction, 0, "share of the full step taken")
    XCTAssertLessThanOrEqual(fraction, 1, "share of the full step taken")
    if !trpo.configuration.scaledBacktracking {
      XCTAssertEqual(
        fraction, pow(trpo.configuration.backtrackRatio, Double(statistics.backtracks)),
        accuracy: 1e-6, "fraction after \(statistics.backtracks) backtracks of 0.8")
    }
    let expected = (0..<old.count).map { Double(old[$0]) + fraction * Double(fullStep[$0]) }
    assertElementsClose(
      Array(parameters.values), expected, tolerance: 1e-5,
      "θ after \(statistics.backtracks) backtracks against θ_old + f·full step")
  }

  /// A candidate that broke the bound with KL̄ shrinks the next by 0.95·√(δ / KL̄) within
  /// [0.5, 0.8] (the KL of a small step grows as its square); a candidate that only failed to
  /// improve the surrogate, by 0.8 as rllab does.
  func testScaledBacktrackingShrinksByTheMeasuredKL() {
    let trpo = makeTRPO(maxKL: 0.01)
    XCTAssertEqual(
      trpo.shrinkage(kl: 0.02), 0.95 * 0.5.squareRoot(), accuracy: 1e-12, "after KL̄ = 2δ")
    XCTAssertEqual(trpo.shrinkage(kl: 1), 0.5, "after KL̄ = 100δ: at most halved")
    XCTAssertEqual(trpo.shrinkage(kl: 0.011), 0.8, "after KL̄ just above δ")
    XCTAssertEqual(trpo.shrinkage(kl: 0.005), 0.8, "after a candidate within the bound")
    XCTAssertEqual(trpo.shrinkage(kl: .nan), 0.8, "after a non-finite KL")
    var plain = trpo.configuration
    plain.scaledBacktracking = false
    XCTAssertEqual(TRPO(configuration: plain).shrinkage(kl: 0.04), 0.8, "rllab's backtracking")
  }

  /// At δ = 0.01 this tiny network's full step is far outside the trust region; the scaled
  /// search still lands inside it, on θ_old + f·full step with the fraction it reports.
  func testScaledBacktrackingLandsInsideTheTrustRegion() {
    let maxKL = 0.01
    let oldLogits = Reference.logits(policy, parameters, trajectories)
    let statistics = makeTRPO(maxKL: maxKL).update(
      policy: policy, parameters: parameters, trajectories: trajectories, advantages: advantages)
    XCTAssertTrue(statistics.accepted, "no step accepted under δ = \(maxKL)")
    XCTAssertLessThan(statistics.stepFraction, 1, "the full step was outside the region")
    let kl = Reference.meanKL(
      from: oldLogits, to: Reference.logits(policy, parameters, trajectories),
      live: trajectories.live)
    XCTAssertLessThanOrEqual(kl, maxKL + 1e-7, "mean KL of the accepted step")
  }

  /// No advantage, no gradient: the update changes nothing.
  func testZeroAdvantagesLeaveTheParametersUnchanged() {
    let before = Array(parameters.values)
    let statistics = makeTRPO(maxKL: 0.01).update(
      policy: policy, parameters: parameters, trajectories: trajectories,
      advantages: [Float](repeating: 0, count: advantages.count))
    XCTAssertFalse(statistics.accepted, "a step accepted without any advantage")
    XCTAssertEqual(statistics.gradientNorm, 0, "gradient norm")
    assertBitIdentical(Array(parameters.values), before, "θ after an update without advantages")
  }
}

/// The Fisher subsample: products on the first trials of the batch only.
final class FisherSubsampleTests: XCTestCase {
  func testSubsampledStepStaysWithinTheBoundOnTheWholeBatch() {
    let (policy, parameters, trajectories) = Fixtures.banditBatch(
      trials: 10, episodes: 5, hidden: 4, seed: 41)
    let advantages = Fixtures.randomAdvantages(trajectories, seed: 42)
    var configuration = TRPO.Configuration()
    configuration.fisherSubsample = 0.3
    let objective = PolicyObjective(
      policy: policy, trajectories: trajectories, advantages: advantages)
    let (before, _) = objective.evaluate(parameters)
    let statistics = TRPO(configuration: configuration).update(
      policy: policy, parameters: parameters, trajectories: trajectories, advantages: advantages)
    let (after, _) = objective.evaluate(parameters)
    XCTAssertTrue(statistics.accepted, "no step accepted")
    XCTAssertLessThanOrEqual(objective.meanKL(from: before, to: after), configuration.maxKL)
    XCTAssertGreaterThan(objective.surrogate(after), objective.surrogate(before))
  }
}
