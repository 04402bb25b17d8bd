import RL2Envs
import RL2Math
import RL2Nets

/// What an actor needs to roll out trials of a run: the policy network of the configuration
/// and its task distribution behind one call.
public struct TrialSampler: Sendable {
  /// Where the policy's parameters sit in the weights vector.
  public let layout: ParameterLayout
  public let shapes: Training.Shapes
  private let sample: @Sendable (Parameters<Float>, [RandomStream]) -> Trajectories

  public init(configuration: TrainingConfiguration) {
    switch configuration.task.kind {
    case .bandit:
      self.init(configuration, BernoulliBanditDistribution(arms: configuration.task.arms))
    case .mdp:
      self.init(configuration, Training.mdpDistribution(configuration.task))
    case .maze:
      let network = MazeAgent.makeNetwork(configuration)
      let setting = configuration.task
      let flag = Float(configuration.firstStepFlag)
      self.init(layout: network.layout, shapes: Training.shapes(of: configuration)) {
        parameters, streams in
        MazeRollout.run(
          network: network, parameters: parameters,
          configurations: MazeTrialSource.configurations(for: streams, setting: setting),
          episodes: setting.episodes, horizon: setting.mazeEpisodeHorizon, streams: streams,
          firstStepFlag: flag
        ).trajectories
      }
    }
  }

  private init(
    layout: ParameterLayout, shapes: Training.Shapes,
    sample: @escaping @Sendable (Parameters<Float>, [RandomStream]) -> Trajectories
  ) {
    self.layout = layout
    self.shapes = shapes
    self.sample = sample
  }

  init<Distribution: TaskDistribution>(
    _ configuration: TrainingConfiguration, _ distribution: Distribution
  ) {
    let encoder = distribution.makeEncoder(firstStepFlag: configuration.firstStepFlag)
    let policy = RecurrentNetwork<Float>.policy(
      inputCount: encoder.width, hiddenCount: configuration.hidden,
      actionCount: distribution.actionCount)
    let episodes = configuration.task.episodes
    layout = policy.layout
    shapes = Training.shapes(configuration, distribution)
    sample = { parameters, streams in
      Rollout.run(
        policy: policy, parameters: parameters, distribution: distribution, episodes: episodes,
        streams: streams, encoder: encoder)
    }
  }

  /// Zero parameters in this network's layout (to be overwritten by received weights).
  public func makeParameters() -> Parameters<Float> { Parameters(layout: layout) }

  /// Parameters initialized as a fresh run initializes them.
  public func makeParameters(random: inout RandomStream) -> Parameters<Float> {
    Parameters(layout: layout, random: &random)
  }

  /// Trial b is driven by `streams[b]` (see `Rollout.run`).
  public func trials(_ parameters: Parameters<Float>, streams: [RandomStream]) -> Trajectories {
    sample(parameters, streams)
  }
}
