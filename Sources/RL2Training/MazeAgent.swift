import RL2Envs
import RL2Math
import RL2Nets

// Legend: T steps, B trials.

/// The vision-maze agent: one `VisionNetwork` whose policy and value heads share the conv–GRU
/// trunk (the paper's vision setting), its value head fitted by `SharedValueHead`. Trials are
/// drawn from the training configurations; evaluation plays the disjoint test configurations.
public struct MazeAgent: TrainableAgent {
  public let network: VisionNetwork<Float>
  public let policyParameters: Parameters<Float>
  public var valueHead: SharedValueHead
  /// What the newest value fit did, for `progress.csv`.
  var lastFit: SharedValueHead.FitStatistics?

  public var policy: VisionNetwork<Float> { network }

  /// The paper's network (16 filters, embedding 256, FC 256) with a GRU of
  /// `configuration.hidden` units, freshly initialized from `random`.
  public init(configuration: TrainingConfiguration, random: inout RandomStream) {
    network = Self.makeNetwork(configuration)
    policyParameters = network.makeParameters(random: &random)
    valueHead = SharedValueHead(
      parameterCount: policyParameters.count, configuration: configuration.value)
  }

  public static func makeNetwork(_ configuration: TrainingConfiguration) -> VisionNetwork<Float> {
    var architecture = VisionNetwork<Float>.Architecture()
    architecture.hidden = configuration.hidden
    return VisionNetwork(input: VisionInputLayout(), architecture: architecture)
  }

  /// The network of `configuration` with the policy parameters of `checkpoint`.
  public static func loadPolicy(
    _ checkpoint: Checkpoint, configuration: TrainingConfiguration
  ) throws -> (VisionNetwork<Float>, Parameters<Float>) {
    let network = makeNetwork(configuration)
    let parameters = Parameters<Float>(layout: network.layout)
    guard checkpoint.policy.values.count == parameters.count else {
      throw CheckpointError.mismatch(
        "the checkpoint holds \(checkpoint.policy.values.count) parameters, its configuration "
          + "implies \(parameters.count)")
    }
    parameters.setValues(checkpoint.policy.values)
    return (network, parameters)
  }

  public func predictValues(_ trajectories: Trajectories) -> [Float] {
    valueHead.predict(network, policyParameters, trajectories)
  }

  public mutating func fitValues(
    _ trajectories: Trajectories, returns: [Float], configuration: TrainingConfiguration
  ) -> Double {
    let maxKL =
      configuration.algorithm == .trpo ? configuration.trpo.maxKL : configuration.firstOrder.maxKL
    let fit = valueHead.fit(
      network, policyParameters, trajectories, returns: returns,
      maxKL: maxKL * configuration.value.sharedTrunkKLFraction)
    lastFit = fit
    return fit.loss
  }

  /// The value head's parameters live in the policy's vector; the state holds the rest.
  public var valueState: ValueState {
    ValueState(
      values: FloatVector([]), adam: valueHead.adam, returnMean: valueHead.returnMean,
      returnScale: valueHead.returnScale)
  }

  public mutating func restore(_ state: ValueState) throws {
    guard state.values.values.isEmpty else {
      throw CheckpointError.mismatch(
        "the checkpoint holds a separate value network; a maze run's value head shares the "
          + "policy's parameters")
    }
    valueHead.adam = state.adam
    valueHead.returnMean = state.returnMean
    valueHead.returnScale = state.returnScale
  }

  public func makeLocalSource(configuration: TrainingConfiguration, random: RandomStream)
    -> any TrialSource
  {
    MazeTrialSource(
      network: network, setting: configuration.task,
      trialsPerIteration: configuration.trialsPerIteration,
      firstStepFlag: Float(configuration.firstStepFlag), random: random)
  }

  /// Success rate and mean successful length per episode index; how far the value fit moved
  /// the policy through the shared trunk (mean KL) and how often it was pulled back.
  public func progressColumns(configuration: TrainingConfiguration) -> [String] {
    (1...configuration.task.episodes).flatMap { ["success_rate_\($0)", "success_length_\($0)"] }
      + ["value_fit_kl", "value_fit_backtracks"]
  }

  public func progressValues(_ trajectories: Trajectories) -> [String: Double] {
    let episodes = trajectories.episodeReturns.first?.count ?? 0
    var values = MazeEvaluation.progressColumns(
      MazeEvaluationMetrics(
        MazeEvaluation.outcomes(of: trajectories), episodesPerTrial: episodes))
    if let lastFit {
      values["value_fit_kl"] = lastFit.policyKL
      values["value_fit_backtracks"] = Double(lastFit.backtracks)
    }
    return values
  }

  public func evaluate(configuration: TrainingConfiguration) -> EvaluationResult {
    MazeEvaluation.evaluate(
      network: network, parameters: policyParameters, setting: configuration.task,
      seed: configuration.evaluationSeed, instances: configuration.evaluationInstances,
      firstStepFlag: Float(configuration.firstStepFlag))
  }
}

/// Samples each iteration's maze trials in this process. Trial b of iteration i is driven by the
/// stream `iteration`/i/b: its child "configuration" draws a training configuration uniformly,
/// the others its start poses and actions (see `MazeRollout`), so actor processes sampling the
/// same streams play the same trials.
public struct MazeTrialSource: TrialSource {
  public let network: VisionNetwork<Float>
  public let setting: TaskSetting
  public let trialsPerIteration: Int
  public let firstStepFlag: Float
  public let random: RandomStream

  public init(
    network: VisionNetwork<Float>, setting: TaskSetting, trialsPerIteration: Int,
    firstStepFlag: Float, random: RandomStream
  ) {
    self.network = network
    self.setting = setting
    self.trialsPerIteration = trialsPerIteration
    self.firstStepFlag = firstStepFlag
    self.random = random
  }

  public func trials(
    iteration: Int, weightsVersion: Int, parameters: Parameters<Float>
  ) -> Trajectories {
    let iterationRandom = random.stream("iteration").stream(UInt64(iteration))
    let streams = (0..<trialsPerIteration).map { iterationRandom.stream(UInt64($0)) }
    return MazeRollout.run(
      network: network, parameters: parameters,
      configurations: Self.configurations(for: streams, setting: setting),
      episodes: setting.episodes, horizon: setting.mazeEpisodeHorizon, streams: streams,
      firstStepFlag: firstStepFlag
    ).trajectories
  }

  /// The training configuration of each trial stream: drawn uniformly by its child
  /// "configuration".
  public static func configurations(for streams: [RandomStream], setting: TaskSetting)
    -> [MazeConfiguration]
  {
    let set = MazeConfigurationSet.training(
      size: setting.mazeSize, count: setting.mazeConfigurations)
    return streams.map { stream in
      var draw = stream.stream("configuration")
      return set.configuration(id: min(set.count - 1, Int(draw.uniform() * Double(set.count))))
    }
  }
}
