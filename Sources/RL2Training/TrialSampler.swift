import RL2Envs
import RL2Math
import RL2Nets

/// What an actor needs to roll out trials of a run: the policy network of the configuration
/// and its task distribution behind one call.
public struct TrialSampler: Sendable {
  /// Where the policy's parameters sit in the weights vector.
  public let layout: ParameterLayout
  public let shapes: Training.Shapes
  private let sample: @Sendable (Parameters<Float>, [RandomStream], [Int]?) -> Trajectories
  /// Whether trials play configurations that a coordinator can lease (the maze).
  public let takesConfigurationIDs: Bool

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
      let training = MazeConfigurationSet.training(
        size: setting.mazeSize, count: setting.mazeConfigurations)
      self.init(
        layout: network.layout, shapes: Training.shapes(of: configuration),
        takesConfigurationIDs: true
      ) { parameters, streams, ids in
        MazeRollout.run(
          network: network, parameters: parameters,
          configurations: ids.map { $0.map { training.configuration(id: $0 % training.count) } }
            ?? MazeTrialSource.configurations(for: streams, setting: setting),
          episodes: setting.episodes, horizon: setting.mazeEpisodeHorizon, streams: streams,
          firstStepFlag: flag
        ).trajectories
      }
    }
  }

  private init(
    layout: ParameterLayout, shapes: Training.Shapes, takesConfigurationIDs: Bool,
    sample: @escaping @Sendable (Parameters<Float>, [RandomStream], [Int]?) -> Trajectories
  ) {
    self.layout = layout
    self.shapes = shapes
    self.takesConfigurationIDs = takesConfigurationIDs
    self.sample = sample
  }

  init<Distribution: TaskDistribution>(
    _ configuration: TrainingConfiguration, _ distribution: Distribution
  ) {
    let encoder = distribution.makeEncoder(configuration)
    let policy = RecurrentNetwork<Float>.policy(
      inputCount: encoder.width, hiddenCount: configuration.hidden,
      actionCount: distribution.actionCount)
    let episodes = configuration.task.episodes
    layout = policy.layout
    shapes = Training.shapes(configuration, distribution)
    takesConfigurationIDs = false
    sample = { parameters, streams, _ in
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

  /// Trial b is driven by `streams[b]` (see `Rollout.run`); maze trials play training
  /// configuration `configurationIDs[b]` when given (a coordinator's lease), else the one their
  /// stream draws.
  public func trials(
    _ parameters: Parameters<Float>, streams: [RandomStream], configurationIDs: [Int]? = nil
  ) -> Trajectories {
    precondition(
      configurationIDs.map { $0.count == streams.count } ?? true,
      "\(configurationIDs?.count ?? 0) configuration ids for \(streams.count) trials")
    return sample(parameters, streams, configurationIDs)
  }
}
