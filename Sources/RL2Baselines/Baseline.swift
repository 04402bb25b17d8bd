import RL2Envs
import RL2Math

// Legend: k arms, n pulls (bandits) or episodes (MDPs), S states, A actions, H steps per episode.

/// A hand-designed bandit algorithm playing one trial: `pulls` pulls of one bandit.
///
/// Rewards come from `bandit.step(state: 0, action:, random: &dynamics)` so every method meets
/// the same reward stream of an instance; the algorithm's own randomness (posterior draws,
/// exploration coins, tie breaks) comes from `random` only.
///
///     var ucb = UCB1(c: 0.2)
///     let rewards = ucb.play(bandit, pulls: 100, dynamics: &dynamics, random: &random)
public protocol BanditAlgorithm: Sendable {
  /// The reward of every pull, in order [n].
  func play(
    _ bandit: BernoulliBandit, pulls: Int, dynamics: inout RandomStream,
    random: inout RandomStream
  ) -> [Double]
}

/// A hand-designed algorithm for finite-horizon tabular MDPs playing one trial: `episodes`
/// episodes of `mdp.horizon` steps, each starting in state 0.
///
/// Transitions and rewards come from `mdp.step(state:action:random: &dynamics)`; the
/// algorithm's own randomness from `random` only.
public protocol MDPAlgorithm: Sendable {
  /// The undiscounted return of every episode, in order [n].
  func play(
    _ mdp: TabularMDP, episodes: Int, dynamics: inout RandomStream, random: inout RandomStream
  ) -> [Double]
}

/// One row of a table: an algorithm family and the hyperparameter settings the paper searched
/// (the harness keeps the best on a tuning set of instances).
public struct BaselineFamily<Algorithm>: Sendable where Algorithm: Sendable {
  /// The JSON key: "random", "gittins", "ts", "ots", "ucb1", "eps_greedy", "greedy" (bandits);
  /// "random", "psrl", "opsrl", "ucrl2", "beb", "eps_greedy", "greedy" (MDPs).
  public var key: String
  /// The column title, as in the paper: "Gittins", "UCB1", "ε-Greedy", …
  public var title: String
  /// Hyperparameter settings, each described as it is reported ("c = 0.2", "N = 5", "none").
  public var candidates: [(hyperparameter: String, algorithm: Algorithm)]

  public init(
    key: String, title: String, candidates: [(hyperparameter: String, algorithm: Algorithm)]
  ) {
    self.key = key
    self.title = title
    self.candidates = candidates
  }
}

public typealias BanditFamily = BaselineFamily<any BanditAlgorithm>
public typealias MDPFamily = BaselineFamily<any MDPAlgorithm>
