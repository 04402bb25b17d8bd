import RL2Math

/// One played episode of a maze trial.
public struct MazeEpisodeRecord: Sendable {
  /// The start pose, then the pose after each step (length + 1 poses).
  public var poses: [MazePose]
  public var totalReward: Double = 0
  public var wallHits = 0
  public var reachedTarget = false
  /// The views the agent was given at the recorded steps (see `MazeTrialRecording.play`).
  public var frames: [(step: Int, observation: [Float])] = []

  /// Steps taken.
  public var length: Int { poses.count - 1 }
}

/// A whole trial of a policy on one maze task, kept for pictures and checks: the poses of every
/// episode and a few first-person frames. Episodes follow the trial contract of `Trial`: each
/// starts from a fresh `startPose` and lasts the horizon or until the target is reached, and the
/// agent's input carries the previous step's action, reward and episode-end flag across episode
/// boundaries.
///
///     var policy = MazeExplorer(task: task)
///     let recording = MazeTrialRecording.play(
///       task: task, episodes: 2, policy: &policy, random: RandomStream(seed: 5),
///       recordingFramesAt: [0, 10, 20])
///     recording.episodes[1].length
public struct MazeTrialRecording: Sendable {
  public let task: MazeTask
  public var episodes: [MazeEpisodeRecord]

  /// Plays `episodes` episodes; `random` draws the start poses and nothing else. The frame of
  /// step t (the view before action t, t = 0 the start) is kept when t is in `frameSteps`.
  public static func play<Policy: MazePolicy>(
    task: MazeTask, episodes: Int, policy: inout Policy, random: RandomStream,
    renderer: MazeRenderer? = nil, recordingFramesAt frameSteps: Set<Int> = []
  ) -> MazeTrialRecording {
    precondition(episodes >= 1, "a trial needs at least one episode, got \(episodes)")
    let renderer = renderer ?? MazeRenderer(task: task)
    var random = random
    var observation = [Float](repeating: 0, count: renderer.valueCount)
    var previous: (action: Int, reward: Double, ended: Bool)?
    var records: [MazeEpisodeRecord] = []
    for _ in 0..<episodes {
      var pose = task.startPose(random: &random)
      var record = MazeEpisodeRecord(poses: [pose])
      for step in 0..<task.horizon {
        observation.withUnsafeMutableBufferPointer { renderer.render(pose, into: $0.baseAddress!) }
        if frameSteps.contains(step) { record.frames.append((step, observation)) }
        let action = observation.withUnsafeBufferPointer { view in
          policy.action(
            for: MazeAgentInput(
              observation: view, previousAction: previous?.action,
              previousReward: previous?.reward ?? 0,
              previousStepEndedEpisode: previous?.ended ?? false, pose: pose))
        }
        let outcome = task.step(from: pose, action: action)
        pose = outcome.pose
        record.poses.append(pose)
        record.totalReward += outcome.reward
        record.wallHits += outcome.hitWall ? 1 : 0
        let ended = outcome.terminal || step == task.horizon - 1
        previous = (action, outcome.reward, ended)
        if outcome.terminal {
          record.reachedTarget = true
          break
        }
      }
      records.append(record)
    }
    return MazeTrialRecording(task: task, episodes: records)
  }

  /// The top-down map with every episode's trajectory in its own colour.
  public func makeMap(pixelsPerCell: Int = 24) -> MazeMapImage {
    var map = MazeMapImage(layout: task.layout, target: task.target, pixelsPerCell: pixelsPerCell)
    for (index, episode) in episodes.enumerated() {
      map.drawTrajectory(episode.poses, colour: MazeMapImage.episodeColour(index))
    }
    return map
  }
}
