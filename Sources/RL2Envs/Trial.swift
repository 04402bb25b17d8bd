import RL2Math
import RL2Nets

/// One trial: n episodes on one task, with the trial contract of DESIGN.md.
///
/// - Every episode starts in a fresh initial state and lasts `horizon` steps, or less when a step
///   is terminal.
/// - The agent's input at each step is φ(s_t, a_{t−1}, r_{t−1}, d_{t−1}), where d_{t−1} says
///   whether the previous step ended an episode. At the trial's first step there is no previous
///   step and the encoder writes its placeholder (no action, reward 0, flag
///   `encoder.firstStepFlag`); at the first step of every later episode d = 1 and the action and
///   reward are those of the last step of the episode before. Episode boundaries are visible to
///   the agent only through this flag: its memory runs on across them.
///
/// Usage, with any policy that maps φ to an action:
///
///     var trial = Trial(task: bandit, episodes: 10, random: stream.stream("dynamics"))
///     while !trial.isFinished {
///       trial.encodeInput(with: encoder, into: row)
///       let (reward, episodeEnded) = trial.step(policy.action(for: row))
///     }
///     print(trial.episodeReturns)                        // return of episode 1, 2, …, n
public struct Trial<Task: Environment>: Sendable {
  public let task: Task
  public let episodeCount: Int
  /// The current observation (state index). After the trial finishes, the last step's next state.
  public private(set) var state: Int
  /// 0-based index of the current episode; `episodeCount` once the trial has finished.
  public private(set) var episodeIndex: Int = 0
  /// Steps already taken in the current episode.
  public private(set) var stepInEpisode: Int = 0
  /// (a_{t−1}, r_{t−1}, d_{t−1}); nil only at the trial's first step.
  public private(set) var previous: (action: Int, reward: Double, done: Bool)?
  /// s_{t−1}, the state the previous step was taken in; nil only at the trial's first step.
  public private(set) var previousState: Int?
  public private(set) var isFinished = false
  /// Undiscounted return of each episode (count = episodeCount; zeros for episodes not yet played).
  public private(set) var episodeReturns: [Double]
  /// Steps taken in each episode (count = episodeCount; below the horizon when an episode ended on
  /// a terminal step).
  public private(set) var episodeLengths: [Int]
  /// Steps taken in the whole trial so far.
  public private(set) var stepCount = 0
  // Drives initial states, transitions and rewards, and nothing else.
  private var random: RandomStream

  /// `random` drives this trial's dynamics (initial states, transitions, rewards) and nothing else.
  public init(task: Task, episodes: Int, random: RandomStream) {
    precondition(episodes >= 1, "a trial needs at least one episode, got \(episodes)")
    precondition(task.horizon >= 1, "a task's horizon must be at least 1, got \(task.horizon)")
    self.task = task
    self.episodeCount = episodes
    self.random = random
    self.episodeReturns = [Double](repeating: 0, count: episodes)
    self.episodeLengths = [Int](repeating: 0, count: episodes)
    self.state = task.initialState(random: &self.random)
  }

  /// Undiscounted return over all episodes played so far.
  public var totalReturn: Double { episodeReturns.reduce(0, +) }

  /// Steps in a full trial: episodes × horizon (an upper bound when episodes can end early).
  public var maximumLength: Int { episodeCount * task.horizon }

  /// Writes φ(s_t, a_{t−1}, r_{t−1}, d_{t−1}) for the current step (precondition: not finished).
  public func encodeInput<Scalar: TensorScalar>(
    with encoder: TrialInputEncoder, into row: UnsafeMutablePointer<Scalar>
  ) {
    precondition(!isFinished, "encodeInput on a finished trial")
    encoder.encode(state: state, previous: previous, previousState: previousState, into: row)
  }

  /// Takes `action` in the current state; returns the reward and whether this step ended an
  /// episode (horizon reached or terminal). The next episode starts in a fresh initial state; the
  /// flag d = true is what the next step's φ sees; after the last episode ends, `isFinished`
  /// becomes true.
  @discardableResult
  public mutating func step(_ action: Int) -> (reward: Double, episodeEnded: Bool) {
    precondition(!isFinished, "step on a finished trial (\(episodeCount) episodes played)")
    precondition(
      action >= 0 && action < task.actionCount, "action \(action) not in 0..<\(task.actionCount)")
    let outcome = task.step(state: state, action: action, random: &random)
    episodeReturns[episodeIndex] += outcome.reward
    episodeLengths[episodeIndex] += 1
    stepInEpisode += 1
    stepCount += 1
    let episodeEnded = outcome.terminal || stepInEpisode == task.horizon
    previous = (action, outcome.reward, episodeEnded)
    previousState = state
    state = outcome.nextState
    if episodeEnded {
      episodeIndex += 1
      stepInEpisode = 0
      if episodeIndex == episodeCount {
        isFinished = true
      } else {
        state = task.initialState(random: &random)
      }
    }
    return (outcome.reward, episodeEnded)
  }
}
