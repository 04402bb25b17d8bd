import RL2Math
import RL2Nets

// B trials, I = encoder.width inputs per step.

/// B trials stepped in lockstep, each with its own task and its own random stream.
///
/// The rollout loop feeds the network one [B, I] block per step:
///
///     var batch = TrialBatch(distribution: bandits, episodes: 10, streams: streams)
///     var (rewards, ended) = ([Double](), [Bool]())
///     while !batch.isFinished {
///       batch.encodeInputs(into: inputs)               // B rows of φ
///       let actions = policy.sample(inputs, live: batch.live)
///       batch.step(actions: actions, rewards: &rewards, episodeEnded: &ended)
///     }
public struct TrialBatch<Distribution: TaskDistribution>: Sendable {
  public let distribution: Distribution
  public let encoder: TrialInputEncoder
  /// n, the episodes of every trial.
  public let episodesPerTrial: Int
  public private(set) var trials: [Trial<Distribution.Task>]

  /// Trial i samples its task from `streams[i].stream("task")` and runs its dynamics on
  /// `streams[i].stream("dynamics")`, so a trial is a pure function of its stream (evaluation sets
  /// are just fixed lists of streams).
  public init(
    distribution: Distribution, episodes: Int, streams: [RandomStream],
    encoder: TrialInputEncoder
  ) {
    precondition(
      encoder.stateCount == distribution.stateCount
        && encoder.actionCount == distribution.actionCount,
      "encoder for \(encoder.stateCount) states and \(encoder.actionCount) actions does not fit "
        + "\(distribution.name) (\(distribution.stateCount) states, "
        + "\(distribution.actionCount) actions); use distribution.makeEncoder()")
    self.distribution = distribution
    self.encoder = encoder
    self.episodesPerTrial = episodes
    self.trials = streams.map { stream in
      var taskRandom = stream.stream("task")
      let task = distribution.sampleTask(random: &taskRandom)
      return Trial(task: task, episodes: episodes, random: stream.stream("dynamics"))
    }
  }

  /// A batch whose encoder is `distribution.makeEncoder()` (first-step flag 1).
  public init(distribution: Distribution, episodes: Int, streams: [RandomStream]) {
    self.init(
      distribution: distribution, episodes: episodes, streams: streams,
      encoder: distribution.makeEncoder())
  }

  public var count: Int { trials.count }

  /// Upper bound on the number of steps until every trial has finished (episodes × horizon).
  public var maximumLength: Int { episodesPerTrial * distribution.horizon }

  /// Whether each trial still runs.
  public var live: [Bool] { trials.map { !$0.isFinished } }

  public var isFinished: Bool { trials.allSatisfy(\.isFinished) }

  /// φ for every trial as rows of `encoder.width` ([B, I]); finished trials get a row of zeros.
  public func encodeInputs<Scalar: TensorScalar>(into rows: UnsafeMutablePointer<Scalar>) {
    let width = encoder.width
    for (i, trial) in trials.enumerated() {
      let row = rows + i * width
      if trial.isFinished {
        row.update(repeating: 0, count: width)
      } else {
        trial.encodeInput(with: encoder, into: row)
      }
    }
  }

  /// Steps every live trial with its action; finished trials are skipped (their reward 0,
  /// episodeEnded false, their action ignored). `rewards` and `episodeEnded` are resized to B.
  public mutating func step(actions: [Int], rewards: inout [Double], episodeEnded: inout [Bool]) {
    precondition(actions.count == count, "\(actions.count) actions for \(count) trials")
    if rewards.count != count { rewards = [Double](repeating: 0, count: count) }
    if episodeEnded.count != count { episodeEnded = [Bool](repeating: false, count: count) }
    for i in trials.indices {
      if trials[i].isFinished {
        (rewards[i], episodeEnded[i]) = (0, false)
      } else {
        (rewards[i], episodeEnded[i]) = trials[i].step(actions[i])
      }
    }
  }
}
