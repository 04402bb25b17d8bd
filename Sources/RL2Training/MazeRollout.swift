import Foundation
import RL2Envs
import RL2Math
import RL2Nets

// Legend: T steps, B trials, n trials of one worker, I input width, A actions.

/// Samples whole maze trials with the vision policy. Trial b plays `configurations[b]` (episodes
/// of `horizon` steps at most, the paper's by default); its start
/// poses come from `streams[b].stream("dynamics")`, its actions from `streams[b].stream("policy")`,
/// so a trial is a pure function of its configuration, its stream and the weights. Trials are
/// split across workers, each stepping its trials in lockstep through one `VisionStepper`.
public enum MazeRollout {
  /// The trials, and each trial's outcome (lengths, successes, returns per episode).
  public struct Result: Sendable {
    public var trajectories: Trajectories
    public var outcomes: [ConfigurationOutcome]
  }

  public static func run(
    network: VisionNetwork<Float>, parameters: Parameters<Float>,
    configurations: [MazeConfiguration], episodes: Int, horizon: Int? = nil,
    streams: [RandomStream], firstStepFlag: Float
  ) -> Result {
    precondition(
      configurations.count == streams.count,
      "\(configurations.count) configurations for \(streams.count) streams")
    let B = streams.count
    let tasks = configurations.map {
      MazeTask(layout: $0.makeLayout(), target: $0.targetCell, horizon: horizon)
    }
    let T = episodes * (tasks.map(\.horizon).max() ?? 1)
    var trajectories = Trajectories(
      stepCount: T, trialCount: B, inputWidth: network.input.rowWidth,
      actionCount: network.actionCount, episodes: episodes)
    var outcomes = [ConfigurationOutcome?](repeating: nil, count: B)
    var episodeReturns = [Double](repeating: 0, count: B * episodes)
    Rollout.withBuffers(&trajectories, &episodeReturns) { buffers in
      outcomes.withUnsafeMutableBufferPointer { outcomes in
        let outcomes = UncheckedSendable(outcomes.baseAddress!)
        Parallel.forEachRange(count: B) { range in
          var trials = range.map { b in
            MazeTrial(
              task: tasks[b], episodes: episodes, random: streams[b].stream("dynamics"),
              firstStepFlag: firstStepFlag)
          }
          var worker = Worker(
            stepper: VisionStepper(
              network: network, parameters: parameters, trialCount: range.count),
            streams: range.map { streams[$0].stream("policy") })
          worker.run(&trials, buffers: buffers, trials: range, totalTrials: B, stepCount: T)
          for (i, trial) in trials.enumerated() {
            let b = range.lowerBound + i
            outcomes.value[b] = trial.outcome(configurationID: configurations[b].id)
            for e in 0..<episodes {
              buffers.episodeReturns[b * episodes + e] = trial.episodeReturns[e]
            }
          }
        }
      }
    }
    trajectories.episodeReturns = (0..<B).map {
      Array(episodeReturns[($0 * episodes)..<(($0 + 1) * episodes)])
    }
    return Result(trajectories: trajectories, outcomes: outcomes.map { $0! })
  }

  /// One worker's trials: the stepper holding their recurrent state, and their action streams.
  struct Worker {
    var stepper: VisionStepper<Float>
    var streams: [RandomStream]

    mutating func run(
      _ trials: inout [MazeTrial], buffers: Rollout.Buffers, trials range: Range<Int>,
      totalTrials B: Int, stepCount T: Int
    ) {
      let (n, b0) = (range.count, range.lowerBound)
      let layout = stepper.network.input
      let (I, A) = (layout.rowWidth, layout.actionCount)
      var live = [Bool](repeating: true, count: n)
      for t in 0..<T {
        for i in 0..<n { live[i] = !trials[i].isFinished }
        guard live.contains(true) else { break }
        let rows = buffers.inputs + (t * B + b0) * I
        for i in 0..<n where live[i] { trials[i].encodeInput(layout: layout, into: rows + i * I) }
        live.withUnsafeBufferPointer { stepper.step(rows, live: $0.baseAddress!) }
        stepper.logits.withUnsafeBufferPointer { logits in
          for i in 0..<n where live[i] {
            let row = t * B + b0 + i
            let rowLogits = logits.baseAddress! + i * A
            let action = Categorical.sample(logits: rowLogits, actionCount: A, random: &streams[i])
            buffers.logProbabilities[row] = Rollout.logProbability(of: action, rowLogits, A)
            let (reward, ended) = trials[i].step(action)
            buffers.live[row] = true
            buffers.actions[row] = action
            buffers.rewards[row] = Float(reward)
            buffers.episodeEnded[row] = ended
          }
        }
      }
    }
  }
}
