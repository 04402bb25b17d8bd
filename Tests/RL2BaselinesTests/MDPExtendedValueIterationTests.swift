import RL2Baselines
import RL2Math
import XCTest

/// Extended value iteration: optimism over the L1 confidence set, and its degenerate cases.
final class MDPExtendedValueIterationTests: XCTestCase {
  /// p̂ = (0.5, 0.3, 0.2), v = (1, 3, 2): state 1 is best, then 2, then 0.
  func testTheOptimisticRowMovesMassFromTheWorstStatesToTheBest() {
    let estimate = [0.5, 0.3, 0.2]
    let values = [1.0, 3, 2]
    let cases: [(radius: Double, expected: [Double])] = [
      (0, [0.5, 0.3, 0.2]),
      (0.4, [0.3, 0.5, 0.2]),  // +0.2 on state 1, all of it from state 0
      (1.2, [0, 0.9, 0.1]),  // +0.6: state 0 empties, state 2 gives the last 0.1
      (3, [0, 1, 0]),  // the ball covers the simplex
    ]
    for (radius, expected) in cases {
      MDPFixtures.assertClose(
        ExtendedValueIteration.optimisticTransition(
          from: estimate, radius: radius, nextValues: values),
        expected, tolerance: 1e-15, "radius \(radius)")
    }
  }

  func testTheOptimisticRowIsTheBestPointOfTheBallInTheSimplex() {
    var random = RandomStream(seed: 21)
    for trial in 0..<200 {
      let estimate = random.dirichlet(flat: 5)
      let values = (0..<5).map { _ in random.normal() }
      let radius = 2.5 * random.uniform()
      let optimistic = ExtendedValueIteration.optimisticTransition(
        from: estimate, radius: radius, nextValues: values)
      XCTAssertEqual(optimistic.reduce(0, +), 1, accuracy: 1e-12, "sum, trial \(trial)")
      XCTAssertTrue(optimistic.allSatisfy { $0 >= 0 }, "non-negative, trial \(trial)")
      let distance = zip(optimistic, estimate).map { abs($0 - $1) }.reduce(0, +)
      XCTAssertLessThanOrEqual(distance, radius + 1e-12, "inside the ball, trial \(trial)")
      let best = zip(optimistic, values).map(*).reduce(0, +)
      for _ in 0..<20 {
        let member = MDPFixtures.randomPointOfL1Ball(
          around: estimate, radius: radius, random: &random)
        XCTAssertLessThanOrEqual(
          zip(member, values).map(*).reduce(0, +), best + 1e-12, "a member beats it, trial \(trial)"
        )
      }
    }
  }

  /// Every MDP of the confidence set, planned exactly, is worth at most the optimistic plan, at
  /// every step and state.
  func testValuesBoundThoseOfTheEmpiricalMDPAndOfRandomMembersOfTheConfidenceSet() {
    var random = RandomStream(seed: 4)
    let (S, A, H) = (4, 3, 5)
    for trial in 0..<10 {
      let estimate = MDPFixtures.randomModel(stateCount: S, actionCount: A, random: &random)
      let rewardWidths = (0..<(S * A)).map { _ in random.uniform() }
      let transitionWidths = (0..<(S * A)).map { _ in 1.5 * random.uniform() }
      let optimistic = ExtendedValueIteration.qTable(
        for: estimate, rewardWidths: rewardWidths, transitionWidths: transitionWidths,
        horizon: H)
      var members = [estimate]
      for _ in 0..<30 {
        members.append(
          MDPModel(
            stateCount: S, actionCount: A,
            transitions: (0..<(S * A)).flatMap { pair in
              MDPFixtures.randomPointOfL1Ball(
                around: Array(estimate.transitions[(pair * S)..<((pair + 1) * S)]),
                radius: transitionWidths[pair], random: &random)
            },
            meanRewards: (0..<(S * A)).map {
              estimate.meanRewards[$0] + rewardWidths[$0] * (2 * random.uniform() - 1)
            }))
      }
      for (m, member) in members.enumerated() {
        let table = ValueIteration.qTable(for: member, horizon: H)
        for t in 0..<H {
          for s in 0..<S {
            XCTAssertLessThanOrEqual(
              table.value(step: t, state: s), optimistic.value(step: t, state: s) + 1e-12,
              "trial \(trial), member \(m), V_\(t)(\(s))")
          }
        }
      }
    }
  }

  func testZeroWidthsGivePlainValueIteration() {
    var random = RandomStream(seed: 6)
    let model = MDPFixtures.randomModel(stateCount: 5, actionCount: 3, random: &random)
    let zeros = [Double](repeating: 0, count: 15)
    let extended = ExtendedValueIteration.qTable(
      for: model, rewardWidths: zeros, transitionWidths: zeros, horizon: 7)
    MDPFixtures.assertClose(
      extended.values, ValueIteration.qTable(for: model, horizon: 7).values, tolerance: 1e-12,
      "Q with zero widths")
  }

  func testInputsAreLeftUntouched() {
    var random = RandomStream(seed: 7)
    let model = MDPFixtures.randomModel(stateCount: 4, actionCount: 2, random: &random)
    let rewardWidths = (0..<8).map { _ in random.uniform() }
    let transitionWidths = (0..<8).map { _ in random.uniform() }
    let copies = (model, rewardWidths, transitionWidths)
    let estimate = model
    _ = ExtendedValueIteration.qTable(
      for: estimate, rewardWidths: rewardWidths, transitionWidths: transitionWidths, horizon: 4)
    XCTAssertEqual(estimate, copies.0)
    XCTAssertEqual(rewardWidths, copies.1)
    XCTAssertEqual(transitionWidths, copies.2)
    let row = Array(model.transitions[0..<4])
    _ = ExtendedValueIteration.optimisticTransition(
      from: row, radius: 0.7, nextValues: [1, 2, 3, 4])
    XCTAssertEqual(row, Array(copies.0.transitions[0..<4]))
  }
}
