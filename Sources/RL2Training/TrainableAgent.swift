import RL2Envs
import RL2Math
import RL2Nets

// Legend: T steps, B trials.

/// What an outer loop trains: a policy network with its parameters, and the value baseline
/// that supplies the advantages. `Trainer` runs the same loop over any of them:
///
///     let agent = RecurrentAgent(configuration: c, distribution: bandits, random: &init)
///     var trainer = try Trainer(configuration: c, agent: agent, run: run, resume: false)
///
/// The bandit and MDP agent pairs a GRU policy with a separate GRU baseline; the maze agent
/// shares one conv–GRU trunk between its policy and value heads.
public protocol TrainableAgent {
  associatedtype Policy: PolicyNetwork
  var policy: Policy { get }
  var policyParameters: Parameters<Float> { get }
  /// V(sₜ) of the baseline as it was before it saw this batch, for every step [T·B].
  func predictValues(_ trajectories: Trajectories) -> [Float]
  /// Refits the baseline on the batch's discounted returns [T·B]; returns its loss.
  mutating func fitValues(
    _ trajectories: Trajectories, returns: [Float], configuration: TrainingConfiguration
  ) -> Double
  /// The baseline's state as a checkpoint stores it.
  var valueState: ValueState { get }
  mutating func restore(_ state: ValueState) throws
  /// Samples each iteration's trials in this process.
  func makeLocalSource(configuration: TrainingConfiguration, random: RandomStream)
    -> any TrialSource
  /// Plays the fixed test set of the configuration's setting with the current policy.
  func evaluate(configuration: TrainingConfiguration) -> EvaluationResult
  /// Columns of `progress.csv` beyond the common ones, and their values for a batch.
  func progressColumns(configuration: TrainingConfiguration) -> [String]
  func progressValues(_ trajectories: Trajectories) -> [String: Double]
}

extension TrainableAgent {
  public func progressColumns(configuration: TrainingConfiguration) -> [String] { [] }
  public func progressValues(_ trajectories: Trajectories) -> [String: Double] { [:] }
}

/// A baseline's parameters, optimizer and target normalization, as checkpoints hold them.
public struct ValueState: Sendable {
  public var values: FloatVector
  public var adam: Adam
  public var returnMean: Double
  public var returnScale: Double

  public init(values: FloatVector, adam: Adam, returnMean: Double, returnScale: Double) {
    self.values = values
    self.adam = adam
    self.returnMean = returnMean
    self.returnScale = returnScale
  }
}

/// The bandit and MDP agent: a GRU policy over φ and a separate GRU value baseline (RL²,
/// appendix), both of `configuration.hidden` units.
public struct RecurrentAgent<Distribution: TaskDistribution>: TrainableAgent {
  public let distribution: Distribution
  public let encoder: TrialInputEncoder
  public let policy: RecurrentNetwork<Float>
  public let policyParameters: Parameters<Float>
  public var baseline: ValueBaseline

  /// Fresh networks: the policy's parameters first, then the baseline's, from `random`.
  public init(
    configuration: TrainingConfiguration, distribution: Distribution, random: inout RandomStream
  ) {
    self.distribution = distribution
    encoder = distribution.makeEncoder(configuration)
    policy = .policy(
      inputCount: encoder.width, hiddenCount: configuration.hidden,
      actionCount: distribution.actionCount)
    policyParameters = policy.makeParameters(random: &random)
    baseline = ValueBaseline(
      inputCount: encoder.width, hiddenCount: configuration.hidden,
      configuration: configuration.value, horizon: distribution.horizon, random: &random)
  }

  public func predictValues(_ trajectories: Trajectories) -> [Float] {
    baseline.predict(trajectories)
  }

  public mutating func fitValues(
    _ trajectories: Trajectories, returns: [Float], configuration: TrainingConfiguration
  ) -> Double {
    baseline.fit(trajectories, returns: returns)
  }

  public var valueState: ValueState {
    ValueState(
      values: FloatVector(Array(baseline.parameters.values)), adam: baseline.adam,
      returnMean: baseline.returnMean, returnScale: baseline.returnScale)
  }

  public mutating func restore(_ state: ValueState) throws {
    guard state.values.values.count == baseline.parameters.count else {
      throw CheckpointError.mismatch(
        "the checkpoint's value baseline has \(state.values.values.count) parameters, "
          + "the configuration implies \(baseline.parameters.count)")
    }
    baseline.parameters.setValues(state.values.values)
    baseline.adam = state.adam
    baseline.returnMean = state.returnMean
    baseline.returnScale = state.returnScale
  }

  public func makeLocalSource(configuration: TrainingConfiguration, random: RandomStream)
    -> any TrialSource
  {
    LocalTrialSource(
      distribution: distribution, policy: policy, episodes: configuration.task.episodes,
      encoder: encoder, trialsPerIteration: configuration.trialsPerIteration, random: random)
  }

  public func evaluate(configuration: TrainingConfiguration) -> EvaluationResult {
    Evaluation.evaluate(
      policy: policy, parameters: policyParameters, distribution: distribution,
      setting: configuration.task, seed: configuration.evaluationSeed,
      instances: configuration.evaluationInstances, encoder: encoder)
  }
}
