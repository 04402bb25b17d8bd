import Foundation
import RL2Envs
import RL2Math
import RL2Nets

/// A trained vision network as a `MazePolicy`, for pictures of what it does (`rl2 render
/// --checkpoint`): each call builds φ from the view, the previous action, reward and flag
/// exactly as training did, steps the recurrent state (kept across the episodes of the trial)
/// and samples the action from the policy's softmax.
///
///     var policy = try MazeNetworkPolicy(checkpoint: url, random: RandomStream(seed: 1))
///     let recording = MazeTrialRecording.play(task: task, episodes: 2, policy: &policy, …)
public struct MazeNetworkPolicy: MazePolicy {
  public let configuration: TrainingConfiguration
  var stepper: VisionStepper<Float>
  var row: [Float]
  var random: RandomStream

  public init(checkpoint url: URL, random: RandomStream) throws {
    let checkpoint = try CheckpointStore.load(url)
    configuration = checkpoint.configuration
    guard configuration.task.kind == .maze else {
      throw CheckpointError.mismatch(
        "\(url.path) is a \(configuration.task.kind.rawValue) run; pictures need a maze checkpoint")
    }
    let (network, parameters) = try MazeAgent.loadPolicy(
      checkpoint, configuration: configuration)
    stepper = VisionStepper(network: network, parameters: parameters, trialCount: 1)
    row = [Float](repeating: 0, count: network.input.rowWidth)
    self.random = random
  }

  public mutating func action(for input: MazeAgentInput) -> Int {
    let layout = stepper.network.input
    precondition(input.observation.count == layout.imageCount, "the view is not 40×30 RGB")
    for i in 0..<layout.imageCount { row[i] = input.observation[i] }
    for a in 0..<layout.actionCount { row[layout.actionOffset + a] = 0 }
    if let action = input.previousAction {
      row[layout.actionOffset + action] = 1
      row[layout.rewardOffset] = Float(input.previousReward)
      row[layout.flagOffset] = input.previousStepEndedEpisode ? 1 : 0
    } else {
      row[layout.rewardOffset] = 0
      row[layout.flagOffset] = Float(configuration.firstStepFlag)
    }
    var live = true
    row.withUnsafeBufferPointer { row in stepper.step(row.baseAddress!, live: &live) }
    return stepper.logits.withUnsafeBufferPointer {
      Categorical.sample(logits: $0.baseAddress!, actionCount: layout.actionCount, random: &random)
    }
  }
}
