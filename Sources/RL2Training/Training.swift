import Foundation
import RL2Envs
import RL2Math
import RL2Nets

/// Entry points of the command-line tool: one call per subcommand.
public enum Training {
  /// Trains (or resumes, or forks) a run in this process and evaluates it.
  ///
  /// Trials are sampled in this process unless `source` delivers them (remote actors).
  public static func train(
    configuration: TrainingConfiguration, runDirectory: URL, resume: Bool, fork: RunFork? = nil,
    stop: StopSignal = StopSignal(), source: (any TrialSource)? = nil,
    report: (String) -> Void
  ) throws -> TrainingSummary {
    try configuration.validate()
    let run = RunDirectory(url: runDirectory)
    switch configuration.task.kind {
    case .bandit:
      var trainer = try Trainer(
        configuration: configuration,
        distribution: BernoulliBanditDistribution(arms: configuration.task.arms), run: run,
        resume: resume, fork: fork, source: source)
      return try trainer.train(report: report, stop: stop)
    case .mdp:
      var trainer = try Trainer(
        configuration: configuration, distribution: mdpDistribution(configuration.task), run: run,
        resume: resume, fork: fork, source: source)
      return try trainer.train(report: report, stop: stop)
    case .maze:
      var initialization = RandomStream(seed: configuration.seed).stream("initialization")
      var trainer = try Trainer(
        configuration: configuration,
        agent: MazeAgent(configuration: configuration, random: &initialization), run: run,
        resume: resume, fork: fork, source: source)
      return try trainer.train(report: report, stop: stop)
    }
  }

  /// The shapes a configuration implies: what actors and the learner must agree on.
  public struct Shapes: Sendable, Equatable {
    public var inputWidth: Int
    public var actionCount: Int
    /// Steps of one trial.
    public var stepCount: Int
    public var policyParameterCount: Int
  }

  public static func shapes(of configuration: TrainingConfiguration) -> Shapes {
    switch configuration.task.kind {
    case .bandit:
      shapes(configuration, BernoulliBanditDistribution(arms: configuration.task.arms))
    case .mdp:
      shapes(configuration, mdpDistribution(configuration.task))
    case .maze:
      Shapes(
        inputWidth: VisionInputLayout().rowWidth, actionCount: MazeTask.actionCount,
        stepCount: configuration.task.trialLength,
        policyParameterCount: Parameters<Float>(layout: MazeAgent.makeNetwork(configuration).layout)
          .count)
    }
  }

  static func shapes<Distribution: TaskDistribution>(
    _ configuration: TrainingConfiguration, _ distribution: Distribution
  ) -> Shapes {
    let encoder = distribution.makeEncoder(configuration)
    let policy = RecurrentNetwork<Float>.policy(
      inputCount: encoder.width, hiddenCount: configuration.hidden,
      actionCount: distribution.actionCount)
    return Shapes(
      inputWidth: encoder.width, actionCount: distribution.actionCount,
      stepCount: configuration.task.trialLength,
      policyParameterCount: Parameters<Float>(layout: policy.layout).count)
  }

  /// Evaluates a checkpoint on the fixed test set of its own task setting.
  /// Maze checkpoints may be played with another number of `episodes` per trial (the paper
  /// tests up to 5) or on another `mazeSize` (9×9) than they were trained with.
  public static func evaluate(
    checkpoint url: URL, instances: Int, seed: UInt64, episodes: Int? = nil,
    mazeSize: Int? = nil
  ) throws -> EvaluationResult {
    guard instances >= 1 else { throw ConfigurationError.invalid("--instances must be at least 1") }
    let checkpoint = try CheckpointStore.load(url)
    switch checkpoint.configuration.task.kind {
    case .maze:
      var configuration = checkpoint.configuration
      if let episodes { configuration.task.episodes = episodes }
      if let mazeSize { configuration.task.mazeSize = mazeSize }
      try configuration.task.validate()
      let (network, parameters) = try MazeAgent.loadPolicy(
        checkpoint, configuration: configuration)
      return MazeEvaluation.evaluate(
        network: network, parameters: parameters, setting: configuration.task, seed: seed,
        instances: instances, firstStepFlag: Float(configuration.firstStepFlag))
    case .bandit:
      return try evaluate(
        checkpoint, BernoulliBanditDistribution(arms: checkpoint.configuration.task.arms),
        instances: instances, seed: seed)
    case .mdp:
      return try evaluate(
        checkpoint, mdpDistribution(checkpoint.configuration.task), instances: instances,
        seed: seed)
    }
  }

  static func evaluate<Distribution: TaskDistribution>(
    _ checkpoint: Checkpoint, _ distribution: Distribution, instances: Int, seed: UInt64
  ) throws -> EvaluationResult {
    let configuration = checkpoint.configuration
    let encoder = distribution.makeEncoder(configuration)
    let policy = RecurrentNetwork<Float>.policy(
      inputCount: encoder.width, hiddenCount: configuration.hidden,
      actionCount: distribution.actionCount)
    let parameters = Parameters<Float>(layout: policy.layout)
    guard checkpoint.policy.values.count == parameters.count else {
      throw CheckpointError.mismatch(
        "the checkpoint holds \(checkpoint.policy.values.count) policy parameters, "
          + "its configuration implies \(parameters.count)")
    }
    parameters.setValues(checkpoint.policy.values)
    return Evaluation.evaluate(
      policy: policy, parameters: parameters, distribution: distribution,
      setting: configuration.task, seed: seed, instances: instances, encoder: encoder)
  }

  static func mdpDistribution(_ task: TaskSetting) -> RandomMDPDistribution {
    RandomMDPDistribution(stateCount: task.states, actionCount: task.actions, horizon: task.horizon)
  }
}
