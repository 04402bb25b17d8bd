import RL2Math

// Legend: T steps, B trials, I input width (φ), A actions. Step-indexed arrays are time-major:
// the entry of trial b at step t is at t·B + b.

/// Whole trials as the learner consumes them: inputs, actions, rewards, termination flags and
/// behaviour log-probabilities of B trials of up to T steps, plus per-episode statistics.
public struct Trajectories: Sendable {
  public let stepCount: Int
  public let trialCount: Int
  public let actionCount: Int
  /// φ(s_t, a_{t−1}, r_{t−1}, d_{t−1}) [T, B, I].
  public var inputs: Tensor<Float>
  /// aₜ [T·B].
  public var actions: [Int]
  /// rₜ [T·B].
  public var rewards: [Float]
  /// Whether step t ended an episode (its flag is what step t + 1 sees) [T·B].
  public var episodeEnded: [Bool]
  /// Whether trial b was still running at step t [T·B].
  public var live: [Bool]
  /// log π_behaviour(aₜ) under the weights that chose the action [T·B].
  public var behaviourLogProbabilities: [Float]
  /// Undiscounted return of each episode of each trial [B][n].
  public var episodeReturns: [[Double]]
  /// Expected return of an oracle that knows each trial's task [B].
  public var optimalReturns: [Double]

  public init(stepCount T: Int, trialCount B: Int, inputWidth: Int, actionCount: Int, episodes: Int)
  {
    stepCount = T
    trialCount = B
    self.actionCount = actionCount
    inputs = Tensor(shape: [T, B, inputWidth])
    actions = Array(repeating: 0, count: T * B)
    rewards = Array(repeating: 0, count: T * B)
    episodeEnded = Array(repeating: false, count: T * B)
    live = Array(repeating: false, count: T * B)
    behaviourLogProbabilities = Array(repeating: 0, count: T * B)
    episodeReturns = Array(repeating: Array(repeating: 0, count: episodes), count: B)
    optimalReturns = Array(repeating: 0, count: B)
  }

  /// Number of live steps (the environment steps this batch holds).
  public var liveStepCount: Int { live.reduce(0) { $0 + ($1 ? 1 : 0) } }

  /// Undiscounted return of each trial [B].
  public var trialReturns: [Double] { episodeReturns.map { $0.reduce(0, +) } }

  /// Mean over trials of the return of episode 1, 2, …, n.
  public var meanEpisodeReturns: [Double] {
    guard let episodes = episodeReturns.first?.count, trialCount > 0 else { return [] }
    return (0..<episodes).map { i in
      episodeReturns.reduce(0) { $0 + $1[i] } / Double(trialCount)
    }
  }
}

extension Trajectories {
  /// The trials in `trials`, as a batch of their own.
  public func selecting(trials: Range<Int>) -> Trajectories {
    let I = inputs.shape[2]
    let episodes = episodeReturns.first?.count ?? 0
    var subset = Trajectories(
      stepCount: stepCount, trialCount: trials.count, inputWidth: I, actionCount: actionCount,
      episodes: episodes)
    for t in 0..<stepCount {
      let source = (t * trialCount + trials.lowerBound) * I
      subset.inputs.scalars.replaceSubrange(
        (t * trials.count * I)..<((t + 1) * trials.count * I),
        with: inputs.scalars[source..<(source + trials.count * I)])
    }
    subset.actions = selectingRows(actions, trials: trials)
    subset.rewards = selectingRows(rewards, trials: trials)
    subset.episodeEnded = selectingRows(episodeEnded, trials: trials)
    subset.live = selectingRows(live, trials: trials)
    subset.behaviourLogProbabilities = selectingRows(behaviourLogProbabilities, trials: trials)
    subset.episodeReturns = Array(episodeReturns[trials])
    subset.optimalReturns = Array(optimalReturns[trials])
    return subset
  }

  /// The entries of a step-indexed array [T·B] that belong to `trials`, as [T·b].
  public func selectingRows<Element>(_ values: [Element], trials: Range<Int>) -> [Element] {
    var result: [Element] = []
    result.reserveCapacity(stepCount * trials.count)
    for t in 0..<stepCount {
      result.append(
        contentsOf: values[
          (t * trialCount + trials.lowerBound)..<(t * trialCount + trials.upperBound)])
    }
    return result
  }
}

extension Trajectories {
  /// The trials of `parts`, in order, as one batch; every part must have the same step count,
  /// input width, action count and episodes per trial.
  public static func concatenating(_ parts: [Trajectories]) -> Trajectories {
    guard let first = parts.first else {
      return Trajectories(stepCount: 0, trialCount: 0, inputWidth: 0, actionCount: 0, episodes: 0)
    }
    if parts.count == 1 { return first }
    let (T, I) = (first.stepCount, first.inputs.shape[2])
    let episodes = first.episodeReturns.first?.count ?? 0
    precondition(
      parts.allSatisfy { $0.stepCount == T && $0.inputs.shape[2] == I },
      "concatenated batches must share their step count and input width")
    let B = parts.reduce(0) { $0 + $1.trialCount }
    var whole = Trajectories(
      stepCount: T, trialCount: B, inputWidth: I, actionCount: first.actionCount,
      episodes: episodes)
    whole.actions.removeAll(keepingCapacity: true)
    whole.rewards.removeAll(keepingCapacity: true)
    whole.episodeEnded.removeAll(keepingCapacity: true)
    whole.live.removeAll(keepingCapacity: true)
    whole.behaviourLogProbabilities.removeAll(keepingCapacity: true)
    var offset = 0
    for t in 0..<T {
      for part in parts {
        let (b, rows) = (part.trialCount, (t * part.trialCount)..<((t + 1) * part.trialCount))
        let source = t * b * I
        whole.inputs.scalars.replaceSubrange(
          offset..<(offset + b * I), with: part.inputs.scalars[source..<(source + b * I)])
        offset += b * I
        whole.actions.append(contentsOf: part.actions[rows])
        whole.rewards.append(contentsOf: part.rewards[rows])
        whole.episodeEnded.append(contentsOf: part.episodeEnded[rows])
        whole.live.append(contentsOf: part.live[rows])
        whole.behaviourLogProbabilities.append(contentsOf: part.behaviourLogProbabilities[rows])
      }
    }
    whole.episodeReturns = parts.flatMap(\.episodeReturns)
    whole.optimalReturns = parts.flatMap(\.optimalReturns)
    return whole
  }
}
