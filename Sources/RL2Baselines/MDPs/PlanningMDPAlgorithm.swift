import RL2Envs
import RL2Math

// H horizon, S states, A actions; t = 0..<H is the step within an episode.

/// A model-based tabular algorithm in TabulaRL's shape: before each episode it turns its posterior
/// statistics into a Q table (`plan`), then follows that table for the whole episode, greedily
/// with ties broken uniformly at random, or ε-greedily. Each algorithm supplies only `plan`:
///
///     struct MeanGreedy: PlanningMDPAlgorithm {
///       var priorMean = 1.0
///       func plan(_ posterior: MDPPosterior, horizon: Int, random: inout RandomStream) -> QTable {
///         ValueIteration.qTable(for: posterior.meanModel(), horizon: horizon)
///       }
///     }
public protocol PlanningMDPAlgorithm: MDPAlgorithm {
  /// The prior mean of μ(s, a) the posterior statistics start from.
  var priorMean: Double { get }
  /// The probability of a uniformly random action in place of the greedy one at each step.
  var explorationProbability: Double { get }
  /// The Q table for the coming episode, from everything observed so far.
  func plan(_ posterior: MDPPosterior, horizon: Int, random: inout RandomStream) -> QTable
}

extension PlanningMDPAlgorithm {
  public var explorationProbability: Double { 0 }

  /// Plans once per episode, then acts for H steps and records every step in the posterior. The
  /// algorithm's randomness, in order within a step: the exploration coin (when ε > 0), then the
  /// random action or the tie break.
  public func play(
    _ mdp: TabularMDP, episodes: Int, dynamics: inout RandomStream, random: inout RandomStream
  ) -> [Double] {
    precondition(episodes >= 0, "a trial needs a non-negative number of episodes, got \(episodes)")
    var posterior = MDPPosterior(
      stateCount: mdp.stateCount, actionCount: mdp.actionCount, priorMean: priorMean)
    var returns: [Double] = []
    returns.reserveCapacity(episodes)
    for _ in 0..<episodes {
      let table = plan(posterior, horizon: mdp.horizon, random: &random)
      var state = mdp.initialState(random: &dynamics)
      var episodeReturn = 0.0
      for t in 0..<mdp.horizon {
        let action =
          explorationProbability > 0 && random.bernoulli(explorationProbability)
          ? random.integer(below: mdp.actionCount)
          : table.greedyAction(step: t, state: state, random: &random)
        let outcome = mdp.step(state: state, action: action, random: &dynamics)
        posterior.record(
          state: state, action: action, reward: outcome.reward, nextState: outcome.nextState)
        episodeReturn += outcome.reward
        state = outcome.nextState
        if outcome.terminal { break }
      }
      returns.append(episodeReturn)
    }
    return returns
  }
}
