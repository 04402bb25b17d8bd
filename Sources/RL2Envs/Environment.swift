import RL2Math
import RL2Nets

/// What one step of an environment produced.
public struct StepOutcome: Sendable, Equatable {
  public var reward: Double
  public var nextState: Int
  /// The episode ended before its horizon (e.g. the maze target was reached). Tabular tasks: false.
  public var terminal: Bool

  public init(reward: Double, nextState: Int, terminal: Bool = false) {
    self.reward = reward
    self.nextState = nextState
    self.terminal = terminal
  }
}

/// One task M: a Markov decision process with discrete states and actions.
///
/// An environment is an immutable description of the task; all randomness of its dynamics comes
/// from the stream passed in, so replaying a stream replays the episode:
///
///     var random = RandomStream(seed: 1)
///     let bandit = BernoulliBandit(probabilities: [0.2, 0.7])
///     var state = bandit.initialState(random: &random)
///     let outcome = bandit.step(state: state, action: 1, random: &random)
///     state = outcome.nextState
///
/// Agents see the task only through `Trial`, which enforces the episode and trial boundaries.
public protocol Environment: Sendable {
  var stateCount: Int { get }
  var actionCount: Int { get }
  /// Steps per episode (an episode also ends early when a step is terminal).
  var horizon: Int { get }
  /// Expected undiscounted return of one episode under the optimal policy for this task (an oracle
  /// that knows M).
  var optimalEpisodeReturn: Double { get }
  func initialState(random: inout RandomStream) -> Int
  func step(state: Int, action: Int, random: inout RandomStream) -> StepOutcome
}

/// ρ_M, the distribution tasks are drawn from. Every task it samples has the distribution's
/// `stateCount`, `actionCount` and `horizon`, so one network serves them all:
///
///     let bandits = BernoulliBanditDistribution(arms: 5)
///     var random = RandomStream(seed: 3).stream("task")
///     let task = bandits.sampleTask(random: &random)    // a BernoulliBandit
///     let encoder = bandits.makeEncoder()               // φ of width 5 + 2
public protocol TaskDistribution: Sendable {
  associatedtype Task: Environment
  var stateCount: Int { get }
  var actionCount: Int { get }
  var horizon: Int { get }
  /// Short identifier used in run names and JSON, e.g. "bandit-k5", "mdp-s10-a5-h10".
  var name: String { get }
  func sampleTask(random: inout RandomStream) -> Task
}

extension TaskDistribution {
  /// The φ encoder for this distribution's states and actions; `firstStepFlag` is the flag at a
  /// trial's first step (1 as in the authors' code, 0 as in the paper); `previousState` adds
  /// the one-hot s_{t−1} and `previousPair` the one-hot (s_{t−1}, a_{t−1}) with r_{t−1} at its
  /// place (neither in the paper).
  public func makeEncoder(
    firstStepFlag: Double = 1, previousState: Bool = false, previousPair: Bool = false
  ) -> TrialInputEncoder {
    TrialInputEncoder(
      stateCount: stateCount, actionCount: actionCount, firstStepFlag: firstStepFlag,
      includesPreviousState: previousState, includesPreviousPair: previousPair)
  }
}
