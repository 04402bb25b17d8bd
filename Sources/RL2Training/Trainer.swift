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
  /// when `resume` is set and the run has a checkpoint — the newest one, or — given `fork` —
  /// a new run that starts from another run's checkpoint under this configuration.
  public init(
    configuration: TrainingConfiguration, agent: Agent, run: RunDirectory, resume: Bool,
    fork: RunFork? = nil, source: (any TrialSource)? = nil
  ) throws {
    var configuration = configuration
    if fork != nil, resume {
      throw CheckpointError.mismatch(
        "--fork starts a new run from another run's checkpoint and --resume continues this "
          + "run's own: give one of them")
    }
    runLock = try run.lock()
    if !resume, run.holdsARun { throw RunDirectoryError.occupied(run.url.path) }
    let checkpoint =
      try fork?.checkpoint
      ?? (resume ? run.checkpoints(kept: configuration.checkpointsKept).loadNewest() : nil)
    if let checkpoint, fork == nil {
      try Self.checkCompatible(checkpoint.configuration, configuration)
      // The saved configuration, with the operational settings of this invocation.
      let requested = configuration
      configuration = checkpoint.configuration
      configuration.iterations = requested.iterations
      configuration.checkpointInterval = requested.checkpointInterval
      configuration.checkpointsKept = requested.checkpointsKept
      configuration.evaluationInstances = requested.evaluationInstances
      configuration.evaluationSeed = requested.evaluationSeed
      configuration.evaluationInterval = requested.evaluationInterval
    }
    self.configuration = configuration
    self.run = run
    self.agent = agent
    random = RandomStream(seed: configuration.seed)
    self.source = source ?? agent.makeLocalSource(configuration: configuration, random: random)
    policyAdam = Adam(
      parameterCount: agent.policyParameters.count,
      learningRate: configuration.firstOrder.learningRate)
    if let checkpoint { try restore(checkpoint, forked: fork != nil) }
    if let fork { try startFork(fork) }
    if resume, let published = run.lastPublishedVersion, published >= weightsVersion {
      weightsVersion = published + 1
    }
  }

  /// A run resumes only under the settings that shaped its trajectory; how long it runs, how
  /// often it checkpoints and how it is evaluated may change.
  static func checkCompatible(
    _ saved: TrainingConfiguration, _ requested: TrainingConfiguration
  ) throws {
    let differences = trajectoryDifferences(saved, requested)
    guard differences.isEmpty else {
      throw CheckpointError.mismatch(
        "the run's checkpoint was made with a different configuration"
          + " (\(differences.joined(separator: "; ")))"
          + "; resume with the run's own flags — or with none of them: `--run-dir R --resume` "
          + "alone continues the run as configured (--iterations, --checkpoint-interval, "
          + "--eval-instances and --eval-interval may change) — or choose another --run-dir")
    }
  }

  /// `configurationDifferences` over the settings that shape a run's trajectory: how long it
  /// runs, how often it checkpoints and how it is evaluated are left out.
  static func trajectoryDifferences(
    _ saved: TrainingConfiguration, _ requested: TrainingConfiguration
  ) -> [String] {
    var comparable = requested
    comparable.iterations = saved.iterations
    comparable.checkpointInterval = saved.checkpointInterval
    comparable.checkpointsKept = saved.checkpointsKept
    comparable.evaluationInstances = saved.evaluationInstances
    comparable.evaluationSeed = saved.evaluationSeed
    comparable.evaluationInterval = saved.evaluationInterval
    guard comparable != saved else { return [] }
    let differences = configurationDifferences(saved, comparable)
    // Equal JSON but unequal values (e.g. NaN) still differ.
    return differences.isEmpty ? ["the configurations differ"] : differences
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

  /// Takes the checkpoint's networks, optimizers and counters. A fork keeps the optimizers'
  /// moments but steps them at this configuration's learning rates.
  mutating func restore(_ checkpoint: Checkpoint, forked: Bool = false) throws {
    guard checkpoint.policy.values.count == policyParameters.count else {
      throw CheckpointError.mismatch(
        "the checkpoint's policy has \(checkpoint.policy.values.count) parameters, the "
          + "configuration implies \(policyParameters.count)"
          + (forked
            ? "; a fork may change how the run trains, not the networks' shape (task sizes, "
              + "--hidden, the input flags)" : ""))
    }
    policyParameters.setValues(checkpoint.policy.values)
    var valueAdam = checkpoint.valueAdam
    policyAdam = checkpoint.policyAdam
    if forked {
      valueAdam.learningRate = configuration.value.learningRate
      policyAdam.learningRate = configuration.firstOrder.learningRate
    }
    try agent.restore(
      ValueState(
        values: checkpoint.value, adam: valueAdam, returnMean: checkpoint.returnMean,
        returnScale: checkpoint.returnScale))
    iteration = checkpoint.iteration
    weightsVersion = checkpoint.weightsVersion
    environmentSteps = checkpoint.environmentSteps
    elapsedBefore = checkpoint.elapsedSeconds
  }

  /// Writes the fork's `config.json`, records where it came from and what changed
  /// (`fork.json`), carries the parent's `progress.csv` and `evaluations.csv` over (rows after
  /// the fork point are dropped as training starts) and saves the starting point as this run's
  /// first checkpoint, so `--resume` continues the fork even before its first iteration ends.
  func startFork(_ fork: RunFork) throws {
    let record = ForkRecord(
      checkpoint: fork.url.path, iteration: fork.checkpoint.iteration,
      environmentSteps: fork.checkpoint.environmentSteps,
      changes: Self.trajectoryDifferences(fork.checkpoint.configuration, configuration))
    let parent = RunDirectory(
      url: fork.url.deletingLastPathComponent().deletingLastPathComponent())
    try run.prepare(configuration: configuration)
    do {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      try AtomicFile.write(try encoder.encode(record), to: run.forkURL)
      for (from, to) in [
        (parent.progressURL, run.progressURL), (parent.evaluationsURL, run.evaluationsURL),
      ] {
        if let rows = try? Data(contentsOf: from) { try AtomicFile.write(rows, to: to) }
      }
    } catch {
      throw RunDirectoryError.unwritable(run.url.path, AtomicFile.reason(error))
    }
    try run.checkpoints(kept: configuration.checkpointsKept).save(
      makeCheckpoint(elapsedSeconds: elapsedBefore))
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
    let evaluationLog = try openEvaluationLog()
    let store = run.checkpoints(kept: configuration.checkpointsKept)
    let start = monotonicSeconds()
    let firstIteration = iteration
    var last: IterationRecord? = nil
    report(
      "training \(configuration.task.name) with \(configuration.algorithm.rawValue): "
        + "\(configuration.trialsPerIteration) trials × \(configuration.task.trialLength) steps "
        + "per iteration, GRU \(configuration.hidden), run \(run.url.path)")
    var stopped = false
    // The last iteration's evaluation during training, which the final one then reuses.
    var evaluatedNow: EvaluationResult? = nil
    while iteration < configuration.iterations, !stopped {
      evaluatedNow = nil
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
      if let evaluationLog, iteration % configuration.evaluationInterval == 0 {
        evaluatedNow = try evaluateDuringTraining(into: evaluationLog, report: report)
      }
      last = record
    }
    if stopped {
      report("stopped after iteration \(iteration), checkpoint written; continue with --resume")
    }
    let evaluation = stopped ? nil : evaluate(reusing: evaluatedNow, report: report)
    if let evaluation { try run.saveEvaluation(evaluation, name: "final") }
    return TrainingSummary(
      iterations: iteration, environmentSteps: environmentSteps,
      elapsedSeconds: elapsedBefore + monotonicSeconds() - start,
      lastMeanReturn: last?.meanReturn, evaluation: evaluation)
  }

  /// `evaluations.csv` with the rows up to this iteration, when the run evaluates during
  /// training or evaluated before (so a resumed run drops rows it will write again).
  func openEvaluationLog() throws -> ProgressLog? {
    guard
      configuration.evaluationInterval > 0
        || FileManager.default.fileExists(atPath: run.evaluationsURL.path)
    else { return nil }
    let log = try ProgressLog(
      url: run.evaluationsURL, fixed: ProgressLog.evaluationColumns,
      episodes: configuration.task.episodes,
      keepingIterationsUpTo: iteration)
    return configuration.evaluationInterval > 0 ? log : nil
  }

  /// One row of `evaluations.csv`: the policy of this iteration on the fixed test set (its own
  /// seeded instances: the run's random streams are not touched).
  func evaluateDuringTraining(
    into log: ProgressLog, report: (String) -> Void
  ) throws -> EvaluationResult {
    let result = agent.evaluate(configuration: configuration)
    try log.append(
      [
        "iteration": Double(iteration), "steps": Double(environmentSteps), "mean": result.mean,
        "stderr": result.stderr, "mean_optimal_return": result.optimalMean,
      ], episodeReturns: result.episodeMeans)
    report("test set at iteration \(iteration): " + result.scoreText)
    return result
  }

  /// Evaluates the current policy on the fixed test set, when the configuration asks for it;
  /// `earlier` is an evaluation of this same policy already made (during training).
  public func evaluate(
    reusing earlier: EvaluationResult? = nil, report: (String) -> Void
  ) -> EvaluationResult? {
    guard configuration.evaluationInstances > 0 else { return nil }
    let result = earlier ?? agent.evaluate(configuration: configuration)
    report(
      "evaluation on \(result.instances) test instances of \(result.setting): " + result.scoreText)
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
    resume: Bool, fork: RunFork? = nil, source: (any TrialSource)? = nil
  ) throws where Agent == RecurrentAgent<Distribution> {
    var initialization = RandomStream(seed: configuration.seed).stream("initialization")
    try self.init(
      configuration: configuration,
      agent: RecurrentAgent(
        configuration: configuration, distribution: distribution, random: &initialization),
      run: run, resume: resume, fork: fork, source: source)
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

extension EvaluationResult {
  /// "mean ± SE (oracle …)", and a maze evaluation's Table 3 figures.
  var scoreText: String {
    String(format: "%.2f ± %.2f (oracle %.2f)", mean, stderr, optimalMean)
      + (maze.map { "; " + $0.summary } ?? "")
  }
}
