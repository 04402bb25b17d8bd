import RL2Baselines
import RL2Envs
import RL2Math
import XCTest

// S states, A actions, H horizon; a policy is π[t][s], the action at step t in state s.

/// Slow, obviously correct references and random inputs for the tabular-MDP baseline tests.
enum MDPFixtures {
  /// A model with flat-Dirichlet rows and N(1, 1) mean rewards, like `RandomMDPDistribution`.
  static func randomModel(stateCount: Int, actionCount: Int, random: inout RandomStream)
    -> MDPModel
  {
    let pairs = stateCount * actionCount
    return MDPModel(
      stateCount: stateCount, actionCount: actionCount,
      transitions: (0..<pairs).flatMap { _ in random.dirichlet(flat: stateCount) },
      meanRewards: (0..<pairs).map { _ in random.normal(mean: 1, standardDeviation: 1) })
  }

  /// Every deterministic non-stationary policy: A^(H·S) of them.
  static func allPolicies(stateCount: Int, actionCount: Int, horizon: Int) -> [[[Int]]] {
    let decisions = stateCount * horizon
    let count = (0..<decisions).reduce(1) { product, _ in product * actionCount }
    return (0..<count).map { code in
      var rest = code
      return (0..<horizon).map { _ in
        (0..<stateCount).map { _ in
          defer { rest /= actionCount }
          return rest % actionCount
        }
      }
    }
  }

  /// E[Σ_t r_t] from `state` under π, by pushing the state distribution forward step by step.
  static func expectedReturn(
    of policy: [[Int]], in model: MDPModel, horizon: Int, from state: Int
  ) -> Double {
    let S = model.stateCount
    var distribution = [Double](repeating: 0, count: S)
    distribution[state] = 1
    var total = 0.0
    for t in 0..<horizon {
      var next = [Double](repeating: 0, count: S)
      for s in 0..<S where distribution[s] > 0 {
        let a = policy[t][s]
        total += distribution[s] * model.meanReward(state: s, action: a)
        for sNext in 0..<S {
          next[sNext] += distribution[s] * model.probability(from: s, taking: a, to: sNext)
        }
      }
      distribution = next
    }
    return total
  }

  /// V*_0(s) for every start state, as the best of all deterministic non-stationary policies.
  static func optimalValuesByEnumeration(of model: MDPModel, horizon: Int) -> [Double] {
    let policies = allPolicies(
      stateCount: model.stateCount, actionCount: model.actionCount, horizon: horizon)
    return (0..<model.stateCount).map { state in
      policies.map { expectedReturn(of: $0, in: model, horizon: horizon, from: state) }.max()!
    }
  }

  /// The greedy policy π[t][s] of a Q table, the lowest-numbered action among ties.
  static func greedyPolicy(of table: QTable) -> [[Int]] {
    (0..<table.horizon).map { t in
      (0..<table.stateCount).map { s in
        (0..<table.actionCount).max {
          (table.value(step: t, state: s, action: $0), -$0)
            < (table.value(step: t, state: s, action: $1), -$1)
        }!
      }
    }
  }

  /// A point of the simplex within L1 distance `radius` of `center`: the segment from `center`
  /// towards a uniform point q of the simplex, cut at the ball's surface.
  static func randomPointOfL1Ball(
    around center: [Double], radius: Double, random: inout RandomStream
  ) -> [Double] {
    let q = random.dirichlet(flat: center.count)
    let distance = zip(q, center).map { abs($0 - $1) }.reduce(0, +)
    let reach = distance > 0 ? min(1, radius / distance) * random.uniform() : 0
    return zip(center, q).map { $0 + reach * ($1 - $0) }
  }

  static func maximumDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "compared arrays differ in length: \(a.count), \(b.count)")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
  }

  /// Fails unless every entry of `actual` is within `tolerance` of `expected`, naming the worst.
  static func assertClose(
    _ actual: [Double], _ expected: [Double], tolerance: Double, _ name: String,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertEqual(actual.count, expected.count, "\(name): lengths differ", file: file, line: line)
    let difference = maximumDifference(actual, expected)
    XCTAssertLessThanOrEqual(
      difference, tolerance,
      "\(name): max |difference| \(difference) > \(tolerance)\n  got      \(actual)\n  expected \(expected)",
      file: file, line: line)
  }

  /// A random MDP task of the given shape, as the harness draws them.
  static func randomMDP(
    states: Int = 4, actions: Int = 3, horizon: Int = 5, seed: UInt64
  ) -> TabularMDP {
    var random = RandomStream(seed: seed).stream("task")
    return RandomMDPDistribution(stateCount: states, actionCount: actions, horizon: horizon)
      .sampleTask(random: &random)
  }
}
