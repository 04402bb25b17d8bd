import Foundation
import RL2Envs
import RL2Math
import RL2Nets

/// The outer loop in one process: sample trials with the current policy, fit advantages with
/// the pre-update baseline, update the policy (TRPO or its first-order variant), refit the
/// baseline, log and checkpoint. Every iteration's randomness is the child `iteration`/i of the
/// run's root stream, so a resumed run continues bit-identically.
public struct Trainer<Agent: TrainableAgent> {
  public let configuration: TrainingConfiguration
  public let run: RunDirectory
  /// The policy and its baseline.
  public var agent: Agent
  public var policyAdam: Adam
  public private(set) var iteration = 0
  public private(set) var weightsVersion = 0
  public private(set) var environmentSteps = 0
  var elapsedBefore = 0.0
  let random: RandomStream
  let runLock: RunLock
  /// Where trials come from; sampling in this process unless the caller passes another source.
  var source: any TrialSource

  public var policy: Agent.Policy { agent.policy }
  public var policyParameters: Parameters<Float> { agent.policyParameters }

  /// A fresh run of `agent` (networks freshly initialized from the configuration's seed), or —
  /// when `resume` is set and the run has a checkpoint — the newest one.
  public init(
    configuration: TrainingConfiguration, agent: Agent, run: RunDirectory, resume: Bool,
    source: (any TrialSource)? = nil
  ) throws {
    var configuration = configuration
    runLock = try run.lock()
    if !resume, run.holdsARun { throw RunDirectoryError.occupied(run.url.path) }
    let checkpoint =
      resume ? try run.checkpoints(kept: configuration.checkpointsKept).loadNewest() : nil
    if let checkpoint {
      try Self.checkCompatible(checkpoint.configuration, configuration)
      // The saved configuration, with the operational settings of this invocation.
      let requested = configuration
      configuration = checkpoint.configuration
      configuration.iterations = requested.iterations
      configuration.checkpointInterval = requested.checkpointInterval
      configuration.checkpointsKept = requested.checkpointsKept
      configuration.evaluationInstances = requested.evaluationInstances
      configuration.evaluationSeed = requested.evaluationSeed
    }
    self.configuration = configuration
    self.run = run
    self.agent = agent
    random = RandomStream(seed: configuration.seed)
    self.source = source ?? agent.makeLocalSource(configuration: configuration, random: random)
    policyAdam = Adam(
      parameterCount: agent.policyParameters.count,
      learningRate: configuration.firstOrder.learningRate)
    if let checkpoint { try restore(checkpoint) }
    if resume, let published = run.lastPublishedVersion, published >= weightsVersion {
      weightsVersion = published + 1
    }
  }

  /// A run resumes only under the settings that shaped its trajectory; how long it runs, how
  /// often it checkpoints and how it is evaluated may change.
  static func checkCompatible(
    _ saved: TrainingConfiguration, _ requested: TrainingConfiguration
  ) throws {
    var comparable = requested
    comparable.iterations = saved.iterations
    comparable.checkpointInterval = saved.checkpointInterval
    comparable.checkpointsKept = saved.checkpointsKept
    comparable.evaluationInstances = saved.evaluationInstances
    comparable.evaluationSeed = saved.evaluationSeed
    guard comparable == saved else {
      let differences = configurationDifferences(saved, comparable)
      throw CheckpointError.mismatch(
        "the run's checkpoint was made with a different configuration"
          + (differences.isEmpty ? "" : " (\(differences.joined(separator: "; ")))")
          + "; resume with the run's own flags — or with none of them: `--run-dir R --resume` "
          + "alone continues the run as configured (--iterations, --checkpoint-interval and "
          + "--eval-instances may change) — or choose another --run-dir")
    }
  }

  /// "key: run R, asked A" for each setting where the two differ (JSON paths, e.g.
  /// `task.episodes`).
  static func configurationDifferences(
    _ saved: TrainingConfiguration, _ requested: TrainingConfiguration
  ) -> [String] {
    func flatten(_ value: Any, _ prefix: String, into out: inout [String: String]) {
      if let object = value as? [String: Any] {
        for (key, inner) in object {
          flatten(inner, prefix.isEmpty ? key : "\(prefix).\(key)", into: &out)
        }
      } else {
        out[prefix] = "\(value)"
      }
    }
    func fields(_ configuration: TrainingConfiguration) -> [String: String] {
      var out: [String: String] = [:]
      if let data = try? JSONEncoder().encode(configuration),
        let object = try? JSONSerialization.jsonObject(with: data)
      {
        flatten(object, "", into: &out)
      }
      return out
    }
    let (a, b) = (fields(saved), fields(requested))
    return Set(a.keys).union(b.keys).sorted().compactMap { key in
      a[key] == b[key] ? nil : "\(key): run \(a[key] ?? "none"), asked \(b[key] ?? "none")"
    }
  }

  mutating func restore(_ checkpoint: Checkpoint) throws {
    guard checkpoint.policy.values.count == policyParameters.count else {
      throw CheckpointError.mismatch("checkpoint parameter counts do not match the networks")
    }
    policyParameters.setValues(checkpoint.policy.values)
    try agent.restore(
      ValueState(
        values: checkpoint.value, adam: checkpoint.valueAdam, returnMean: checkpoint.returnMean,
        returnScale: checkpoint.returnScale))
    policyAdam = checkpoint.policyAdam
    iteration = checkpoint.iteration
    weightsVersion = checkpoint.weightsVersion
    environmentSteps = checkpoint.environmentSteps
    elapsedBefore = checkpoint.elapsedSeconds
  }

  public func makeCheckpoint(elapsedSeconds: Double) -> Checkpoint {
    let value = agent.valueState
    return Checkpoint(
      configuration: configuration, iteration: iteration, weightsVersion: weightsVersion,
      environmentSteps: environmentSteps, elapsedSeconds: elapsedSeconds,
      policy: FloatVector(Array(policyParameters.values)), value: value.values,
      valueAdam: value.adam, policyAdam: policyAdam, returnMean: value.returnMean,
      returnScale: value.returnScale, random: random)
  }

  /// Runs the remaining iterations, then the final evaluation; `report` receives every line
  /// meant for the user. When `stop` turns true (Ctrl-C), the run checkpoints after the
  /// iteration in progress and returns without evaluating, ready for `--resume`.
  public mutating func train(
    report: (String) -> Void, stop: StopSignal = StopSignal()
  ) throws -> TrainingSummary {
    try run.prepare(configuration: configuration)
    let log = try ProgressLog(
      url: run.progressURL, episodes: configuration.task.episodes,
      extraColumns: agent.progressColumns(configuration: configuration),
      keepingIterationsUpTo: iteration)
    let store = run.checkpoints(kept: configuration.checkpointsKept)
    let start = monotonicSeconds()
    let firstIteration = iteration
    var last: IterationRecord? = nil
    report(
      "training \(configuration.task.name) with \(configuration.algorithm.rawValue): "
        + "\(configuration.trialsPerIteration) trials × \(configuration.task.trialLength) steps "
        + "per iteration, GRU \(configuration.hidden), run \(run.url.path)")
    var stopped = false
    while iteration < configuration.iterations, !stopped {
      let record: IterationRecord
      do {
        record = try runIteration()
      } catch is TrialCollectionInterrupted {
        stopped = true
        try store.save(makeCheckpoint(elapsedSeconds: elapsedBefore + monotonicSeconds() - start))
        break
      }
      iteration += 1
      let elapsed = elapsedBefore + monotonicSeconds() - start
      let perIteration = (monotonicSeconds() - start) / Double(iteration - firstIteration)
      let eta = perIteration * Double(configuration.iterations - iteration)
      try log.append(
        record.columns(iteration: iteration).merging(source.iterationMetrics) { $1 },
        episodeReturns: record.episodeReturns)
      report(
        record.line(iteration: iteration, of: configuration.iterations, elapsed: elapsed, eta: eta))
      stopped = stop.isRaised
      if iteration % configuration.checkpointInterval == 0 || iteration == configuration.iterations
        || stopped
      {
        try store.save(makeCheckpoint(elapsedSeconds: elapsed))
      }
      last = record
    }
    if stopped {
      report("stopped after iteration \(iteration), checkpoint written; continue with --resume")
    }
    let evaluation = stopped ? nil : evaluate(report: report)
    if let evaluation { try run.saveEvaluation(evaluation, name: "final") }
    return TrainingSummary(
      iterations: iteration, environmentSteps: environmentSteps,
      elapsedSeconds: elapsedBefore + monotonicSeconds() - start,
      lastMeanReturn: last?.meanReturn, evaluation: evaluation)
  }

  /// Evaluates the current policy on the fixed test set, when the configuration asks for it.
  public func evaluate(report: (String) -> Void) -> EvaluationResult? {
    guard configuration.evaluationInstances > 0 else { return nil }
    let result = agent.evaluate(configuration: configuration)
    report(
      String(
        format: "evaluation on %d test instances of %@: %.2f ± %.2f (oracle %.2f)",
        result.instances, result.setting, result.mean, result.stderr, result.optimalMean)
        + (result.maze.map { "; " + $0.summary } ?? ""))
    return result
  }

  /// One outer-loop iteration.
  mutating func runIteration() throws -> IterationRecord {
    let iterationRandom = random.stream("iteration").stream(UInt64(iteration))
    var clock = PhaseClock()
    try run.recordPublishedVersion(weightsVersion)
    let trajectories = try source.trials(
      iteration: iteration, weightsVersion: weightsVersion, parameters: policyParameters)
    clock.lap("rollout")
    let (T, B) = (trajectories.stepCount, trajectories.trialCount)
    let values = agent.predictValues(trajectories)
    let returns = Advantages.discountedReturns(
      rewards: trajectories.rewards, live: trajectories.live, stepCount: T, trialCount: B,
      discount: configuration.discount)
    let advantages = Advantages.normalized(
      Advantages.generalizedAdvantages(
        rewards: trajectories.rewards, values: values, live: trajectories.live, stepCount: T,
        trialCount: B, discount: configuration.discount, lambda: configuration.gaeLambda),
      live: trajectories.live)
    clock.lap("baseline")
    let update = updatePolicy(trajectories, advantages, iterationRandom)
    weightsVersion += 1
    clock.lap("policy")
    let valueLoss = agent.fitValues(trajectories, returns: returns, configuration: configuration)
    clock.lap("value")
    environmentSteps += trajectories.liveStepCount
    var record = IterationRecord(
      weightsVersion: weightsVersion, environmentSteps: environmentSteps,
      trajectories: trajectories, update: update, valueLoss: valueLoss, phases: clock.phases)
    record.agentValues = agent.progressValues(trajectories)
    return record
  }

  mutating func updatePolicy(
    _ trajectories: Trajectories, _ advantages: [Float], _ iterationRandom: RandomStream
  ) -> PolicyUpdateStatistics {
    switch configuration.algorithm {
    case .trpo:
      return TRPO(configuration: configuration.trpo).update(
        policy: policy, parameters: policyParameters, trajectories: trajectories,
        advantages: advantages)
    case .firstOrder:
      var shuffle = iterationRandom.stream("minibatches")
      return FirstOrderTRPO(configuration: configuration.firstOrder).update(
        policy: policy, parameters: policyParameters, trajectories: trajectories,
        advantages: advantages, adam: &policyAdam, random: &shuffle)
    }
  }
}

extension Trainer {
  /// A bandit or MDP run: `RecurrentAgent`'s networks initialized from the stream
  /// "initialization" of the configuration's seed.
  public init<Distribution: TaskDistribution>(
    configuration: TrainingConfiguration, distribution: Distribution, run: RunDirectory,
    resume: Bool, source: (any TrialSource)? = nil
  ) throws where Agent == RecurrentAgent<Distribution> {
    var initialization = RandomStream(seed: configuration.seed).stream("initialization")
    try self.init(
      configuration: configuration,
      agent: RecurrentAgent(
        configuration: configuration, distribution: distribution, random: &initialization),
      run: run, resume: resume, source: source)
  }
}

/// The outcome of `Trainer.train`.
public struct TrainingSummary: Sendable {
  public var iterations: Int
  public var environmentSteps: Int
  public var elapsedSeconds: Double
  public var lastMeanReturn: Double?
  public var evaluation: EvaluationResult?
}

/// Wall time per named phase of an iteration.
struct PhaseClock {
  var phases: [String: Double] = [:]
  var mark = monotonicSeconds()

  mutating func lap(_ name: String) {
    let now = monotonicSeconds()
    phases[name, default: 0] += now - mark
    mark = now
  }
}
