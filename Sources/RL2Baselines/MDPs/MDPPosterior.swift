import Foundation
import RL2Math

// S states, A actions; n(s, a) visits of (s, a), c(s, a, s') observed transitions s → s' under a.

/// What an agent has learned about a tabular MDP from its own transitions, and the Bayesian
/// posterior those statistics define (TabulaRL's `FiniteHorizonTabularAgent`; Osband, Russo &
/// Van Roy, "(More) efficient reinforcement learning via posterior sampling", NIPS 2013):
///
/// - rewards N(μ(s, a), 1) with known variance 1 and prior μ(s, a) ~ N(priorMean, 1): after n
///   rewards summing to Σr, the posterior is N((priorMean + Σr)/(1 + n), 1/(1 + n));
/// - each row P(· | s, a) with prior Dirichlet(1, …, 1): posterior Dirichlet(1 + c(s, a, ·)).
///
/// The true task prior has μ(s, a) ~ N(1, 1), so `priorMean` 1 is the correct prior; the authors'
/// baselines ran with 0.
///
///     var posterior = MDPPosterior(stateCount: 10, actionCount: 5)
///     posterior.record(state: 0, action: 2, reward: 1.3, nextState: 4)
///     let model = posterior.sampleModel(random: &random)  // PSRL's MDP for one episode
public struct MDPPosterior: Equatable, Sendable {
  public let stateCount: Int
  public let actionCount: Int
  public let priorMean: Double
  /// n(s, a) at [s·A + a].
  public private(set) var visitCounts: [Int]
  /// Σr over the visits of (s, a), at [s·A + a].
  public private(set) var rewardSums: [Double]
  /// c(s, a, s') at [(s·A + a)·S + s'].
  public private(set) var transitionCounts: [Int]
  /// Σ n(s, a): the steps taken so far.
  public private(set) var stepCount = 0

  public init(stateCount: Int, actionCount: Int, priorMean: Double = 1) {
    precondition(
      stateCount >= 1 && actionCount >= 1,
      "a posterior needs at least one state and one action, got S = \(stateCount), "
        + "A = \(actionCount)")
    self.stateCount = stateCount
    self.actionCount = actionCount
    self.priorMean = priorMean
    visitCounts = Array(repeating: 0, count: stateCount * actionCount)
    rewardSums = Array(repeating: 0, count: stateCount * actionCount)
    transitionCounts = Array(repeating: 0, count: stateCount * actionCount * stateCount)
  }

  /// Adds one observed step: (s, a) paid `reward` and led to `nextState`.
  public mutating func record(state: Int, action: Int, reward: Double, nextState: Int) {
    let pair = state * actionCount + action
    visitCounts[pair] += 1
    rewardSums[pair] += reward
    transitionCounts[pair * stateCount + nextState] += 1
    stepCount += 1
  }

  /// n(s, a).
  public func visitCount(state: Int, action: Int) -> Int {
    visitCounts[state * actionCount + action]
  }

  /// The posterior mean (and mode) of μ(s, a): (priorMean + Σr)/(1 + n).
  public func rewardMean(state: Int, action: Int) -> Double {
    let pair = state * actionCount + action
    return (priorMean + rewardSums[pair]) / Double(1 + visitCounts[pair])
  }

  /// The posterior variance of μ(s, a): 1/(1 + n).
  public func rewardVariance(state: Int, action: Int) -> Double {
    1 / Double(1 + visitCount(state: state, action: action))
  }

  /// The posterior Dirichlet parameters of P(· | s, a): 1 + c(s, a, s') for every s' [S].
  public func transitionConcentrations(state: Int, action: Int) -> [Double] {
    let row = (state * actionCount + action) * stateCount
    return transitionCounts[row..<(row + stateCount)].map { 1 + Double($0) }
  }

  /// The posterior-mean MDP: μ̄(s, a) = (priorMean + Σr)/(1 + n) and
  /// P̄(s' | s, a) = (1 + c(s, a, s'))/(S + n(s, a)). (TabulaRL's `map_mdp` returns this mean;
  /// for μ it is also the mode.)
  public func meanModel() -> MDPModel {
    var transitions = [Double](repeating: 0, count: transitionCounts.count)
    for pair in 0..<(stateCount * actionCount) {
      let total = Double(stateCount + visitCounts[pair])
      for next in 0..<stateCount {
        let index = pair * stateCount + next
        transitions[index] = (1 + Double(transitionCounts[index])) / total
      }
    }
    return MDPModel(
      stateCount: stateCount, actionCount: actionCount, transitions: transitions,
      meanRewards: meanRewards())
  }

  /// One MDP drawn from the posterior: for each (s, a) in order, μ(s, a) ~ N(μ̄, 1/(1 + n)), then
  /// the row P(· | s, a) ~ Dirichlet(1 + c(s, a, ·)) as normalized Gamma(1 + c) draws. Gamma(1)
  /// is drawn as the standard exponential −log u, since most counts are 0 and that is several
  /// times cheaper than the general sampler.
  public func sampleModel(random: inout RandomStream) -> MDPModel {
    var transitions = [Double](repeating: 0, count: transitionCounts.count)
    var rewards = [Double](repeating: 0, count: visitCounts.count)
    for pair in 0..<(stateCount * actionCount) {
      let n = Double(1 + visitCounts[pair])
      rewards[pair] = random.normal(
        mean: (priorMean + rewardSums[pair]) / n, standardDeviation: (1 / n).squareRoot())
      var total = 0.0
      for index in (pair * stateCount)..<((pair + 1) * stateCount) {
        let count = transitionCounts[index]
        transitions[index] =
          count == 0 ? -log(1 - random.uniform()) : random.gamma(shape: 1 + Double(count))
        total += transitions[index]
      }
      for index in (pair * stateCount)..<((pair + 1) * stateCount) { transitions[index] /= total }
    }
    return MDPModel(
      stateCount: stateCount, actionCount: actionCount, transitions: transitions,
      meanRewards: rewards)
  }

  /// The prior-free estimates UCRL2 centres its confidence set on (Jaksch, Ortner & Auer 2010):
  /// r̂(s, a) = Σr/n and P̂(s' | s, a) = c(s, a, s')/n. A pair never tried gets `priorMean` and the
  /// uniform row, the limits of TabulaRL's vanishing-weight prior.
  public func empiricalModel() -> MDPModel {
    var transitions = [Double](repeating: 1 / Double(stateCount), count: transitionCounts.count)
    var rewards = [Double](repeating: priorMean, count: visitCounts.count)
    for pair in 0..<(stateCount * actionCount) where visitCounts[pair] > 0 {
      let n = Double(visitCounts[pair])
      rewards[pair] = rewardSums[pair] / n
      for index in (pair * stateCount)..<((pair + 1) * stateCount) {
        transitions[index] = Double(transitionCounts[index]) / n
      }
    }
    return MDPModel(
      stateCount: stateCount, actionCount: actionCount, transitions: transitions,
      meanRewards: rewards)
  }

  /// μ̄(s, a) for every pair [S·A].
  private func meanRewards() -> [Double] {
    (0..<visitCounts.count).map { (priorMean + rewardSums[$0]) / Double(1 + visitCounts[$0]) }
  }
}
