import RL2Math
import RL2Nets

/// One maze trial: n episodes in one configuration, with the trial contract of DESIGN.md.
///
/// - Every episode starts from a fresh random pose (`MazeTask.startPose`) and lasts until the
///   target is reached (a terminal step) or `horizon` steps have passed.
/// - φ(s_t, a_{t−1}, r_{t−1}, d_{t−1}) is the first-person view, then the one-hot previous action,
///   reward and flag (`VisionInputLayout`). At the trial's first step the action is all zeros,
///   the reward 0 and the flag `firstStepFlag`; at the first step of every later episode d = 1
///   and the action and reward are those of the episode before's last step.
///
///     var trial = MazeTrial(task: task, episodes: 2, random: stream.stream("dynamics"))
///     while !trial.isFinished {
///       trial.encodeInput(layout: layout, into: row)
///       trial.step(policy.action(for: row))
///     }
///     print(trial.episodeLengths, trial.successes)
public struct MazeTrial: Sendable {
  public let task: MazeTask
  public let renderer: MazeRenderer
  public let episodeCount: Int
  public let firstStepFlag: Float
  public private(set) var pose: MazePose
  /// 0-based index of the current episode; `episodeCount` once the trial has finished.
  public private(set) var episodeIndex = 0
  public private(set) var stepInEpisode = 0
  /// (a_{t−1}, r_{t−1}, d_{t−1}); nil only at the trial's first step.
  public private(set) var previous: (action: Int, reward: Double, done: Bool)?
  public private(set) var isFinished = false
  /// Per episode: undiscounted return, steps taken, whether the target was reached.
  public private(set) var episodeReturns: [Double]
  public private(set) var episodeLengths: [Int]
  public private(set) var successes: [Bool]
  /// The poses of each episode, start first, when `recordsPoses` (for the top-down map).
  public private(set) var episodePoses: [[MazePose]]
  public let recordsPoses: Bool
  // Drives the start poses and nothing else.
  private var random: RandomStream

  public init(
    task: MazeTask, episodes: Int, random: RandomStream, firstStepFlag: Float = 1,
    recordsPoses: Bool = false, renderer: MazeRenderer? = nil
  ) {
    precondition(episodes >= 1, "a trial needs at least one episode, got \(episodes)")
    self.task = task
    self.renderer = renderer ?? MazeRenderer(task: task)
    self.episodeCount = episodes
    self.firstStepFlag = firstStepFlag
    self.random = random
    self.recordsPoses = recordsPoses
    episodeReturns = Array(repeating: 0, count: episodes)
    episodeLengths = Array(repeating: 0, count: episodes)
    successes = Array(repeating: false, count: episodes)
    pose = task.startPose(random: &self.random)
    episodePoses = recordsPoses ? [[pose]] : []
  }

  /// Steps in a trial at most: episodes × horizon.
  public var maximumLength: Int { episodeCount * task.horizon }

  /// The outcome of the trial for the Table 3 metrics.
  public func outcome(configurationID: Int) -> ConfigurationOutcome {
    ConfigurationOutcome(
      configurationID: configurationID, episodeLengths: episodeLengths, successes: successes,
      episodeReturns: episodeReturns)
  }

  /// Writes φ of the current step into `row` (`layout.rowWidth` values).
  public func encodeInput(layout: VisionInputLayout, into row: UnsafeMutablePointer<Float>) {
    precondition(!isFinished, "encodeInput on a finished trial")
    precondition(
      layout.imageCount == renderer.valueCount && layout.actionCount == MazeTask.actionCount,
      "the input layout does not match the renderer's \(renderer.valueCount) values")
    renderer.render(pose, into: row)
    (row + layout.actionOffset).update(repeating: 0, count: layout.actionCount)
    if let previous {
      row[layout.actionOffset + previous.action] = 1
      row[layout.rewardOffset] = Float(previous.reward)
      row[layout.flagOffset] = previous.done ? 1 : 0
    } else {
      row[layout.rewardOffset] = 0
      row[layout.flagOffset] = firstStepFlag
    }
  }

  /// Takes `action`; returns the reward and whether the step ended an episode (target reached
  /// or horizon). The next episode starts from a fresh pose; after the last, `isFinished`.
  @discardableResult
  public mutating func step(_ action: Int) -> (reward: Double, episodeEnded: Bool) {
    precondition(!isFinished, "step on a finished trial (\(episodeCount) episodes played)")
    let outcome = task.step(from: pose, action: action)
    episodeReturns[episodeIndex] += outcome.reward
    episodeLengths[episodeIndex] += 1
    stepInEpisode += 1
    pose = outcome.pose
    if recordsPoses { episodePoses[episodeIndex].append(pose) }
    if outcome.terminal { successes[episodeIndex] = true }
    let episodeEnded = outcome.terminal || stepInEpisode == task.horizon
    previous = (action, outcome.reward, episodeEnded)
    if episodeEnded {
      episodeIndex += 1
      stepInEpisode = 0
      if episodeIndex == episodeCount {
        isFinished = true
      } else {
        pose = task.startPose(random: &random)
        if recordsPoses { episodePoses.append([pose]) }
      }
    }
    return (outcome.reward, episodeEnded)
  }
}
