import Foundation
import RL2Math
import RL2Training
import RL2Wire

/// Entry points of the cluster roles: one call per command.
public enum Cluster {
  /// How `rl2 learner` and `rl2 train --actors N` run the learner.
  public struct LearnerOptions: Sendable {
    /// Control endpoint; data and weights listen on the next two ports (port 0: free ports).
    public var endpoint: Endpoint
    public var maxPolicyLag = 0
    public var actorTimeout = 6.0
    public var heartbeatInterval = 1.0
    /// Actor processes to start on this machine (the local launcher), 0 for none.
    public var localActors = 0
    public var actorTrialsPerBatch = 0
    /// The `rl2` executable the local launcher starts.
    public var executable: URL?
    /// CURVE keys and allowed actors (`rl2 learner --server-key`); local actors need none, as
    /// `rl2 train` binds loopback only.
    public var security: ServerSecurity?
    public var allowsInsecureBinding = false

    public init(endpoint: Endpoint) { self.endpoint = endpoint }
  }

  /// Binds the learner's sockets, starts local actors if asked, trains with the trials they
  /// send, and tells every actor to exit at the end (also after Ctrl-C or an error).
  public static func runLearner(
    configuration: TrainingConfiguration, runDirectory: URL, resume: Bool, fork: RunFork? = nil,
    options: LearnerOptions, stop: StopSignal, log: @escaping @Sendable (String) -> Void
  ) throws -> TrainingSummary {
    try configuration.validate()
    guard options.maxPolicyLag >= 0 else {
      throw ConfigurationError.invalid("--max-policy-lag must be non-negative")
    }
    let shapes = Training.shapes(of: configuration)
    var service = LearnerService.Configuration(
      control: options.endpoint, spec: try spec(configuration, shapes),
      expectation: BatchExpectation(
        inputWidth: shapes.inputWidth, actionCount: shapes.actionCount,
        episodesPerTrial: configuration.task.episodes, maximumSteps: shapes.stepCount))
    service.maxPolicyLag = options.maxPolicyLag
    service.actorTimeout = options.actorTimeout
    service.heartbeatInterval = options.heartbeatInterval
    service.security = options.security
    service.allowsInsecureBinding = options.allowsInsecureBinding
    let learner = try LearnerService(service, log: log)
    log(
      "learner listening: control \(learner.control), data \(learner.data), "
        + "weights \(learner.weights)")
    var actors: ActorProcesses? = nil
    // A maze run's local actors lease their training configurations from a coordinator here.
    let coordinator =
      configuration.task.kind == .maze && options.localActors > 0
      ? try makeTrainingCoordinator(configuration, seed: configuration.seed, log: log) : nil
    if options.localActors > 0 {
      let perBatch =
        options.actorTrialsPerBatch > 0
        ? options.actorTrialsPerBatch
        : defaultTrialsPerBatch(configuration, actors: options.localActors)
      actors = try ActorProcesses(
        executable: options.executable ?? ActorProcesses.currentExecutable,
        count: options.localActors,
        learner: learner.control.reachable(through: "127.0.0.1"), trialsPerBatch: perBatch,
        coordinator: coordinator?.endpoint,
        logDirectory: runDirectory.appendingPathComponent("actors"), log: log)
    }
    defer {
      learner.shutdown(reason: stop.isRaised ? "the run was stopped" : "training finished")
      actors?.stop(grace: 5)
      if let coordinator {
        log("coordinator: \(coordinator.counts.trainingLeases) training leases granted")
        coordinator.shutdown(reason: "training finished")
      }
    }
    let source = RemoteTrialSource(
      service: learner, trialsPerIteration: configuration.trialsPerIteration,
      maxPolicyLag: options.maxPolicyLag, stop: stop, log: log)
    return try Training.train(
      configuration: configuration, runDirectory: runDirectory, resume: resume, fork: fork,
      stop: stop, source: source, report: log)
  }

  /// An in-process coordinator on a free loopback port that leases the run's training
  /// configurations.
  static func makeTrainingCoordinator(
    _ configuration: TrainingConfiguration, seed: UInt64, log: @escaping @Sendable (String) -> Void
  ) throws -> CoordinatorService {
    var book = LeaseBook.Configuration(
      trainingCount: configuration.task.mazeConfigurations,
      testCount: configuration.task.mazeConfigurations)
    book.seed = seed
    let service = try CoordinatorService(
      CoordinatorService.Configuration(
        endpoint: try Endpoint(parsing: "tcp://127.0.0.1:0"), book: book),
      log: log)
    log("coordinator for the training configurations listening on \(service.endpoint)")
    return service
  }

  /// Runs an actor until its learner shuts it down or it is stopped.
  public static func runActor(
    configuration: ActorConfiguration, stop: StopSignal,
    log: @escaping @Sendable (String) -> Void
  ) throws -> ActorSummary {
    guard configuration.trialsPerBatch >= 1 else {
      throw ConfigurationError.invalid("--trials must be at least 1")
    }
    BLAS.threadCount = max(1, configuration.threads)
    let actor = try ActorService(configuration, log: log)
    log(
      "actor \(configuration.actorID) connecting to \(configuration.learner) "
        + "(\(configuration.trialsPerBatch) trials per batch, \(configuration.threads) thread)")
    return try actor.run(stop: stop)
  }

  /// Enough batches per iteration that actors finish together, each big enough for the GEMMs.
  static func defaultTrialsPerBatch(_ configuration: TrainingConfiguration, actors: Int) -> Int {
    min(256, max(8, configuration.trialsPerIteration / max(1, actors * 4)))
  }

  static func spec(
    _ configuration: TrainingConfiguration, _ shapes: Training.Shapes
  ) throws -> Rl2_V1_ExperimentSpec {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    var spec = Rl2_V1_ExperimentSpec()
    spec.configurationJson = String(decoding: try encoder.encode(configuration), as: UTF8.self)
    spec.taskKind = configuration.task.kind.rawValue
    spec.episodesPerTrial = UInt32(configuration.task.episodes)
    spec.arms = UInt32(configuration.task.arms)
    spec.states = UInt32(configuration.task.states)
    spec.actions = UInt32(configuration.task.actions)
    spec.horizon = UInt32(configuration.task.horizon)
    spec.hidden = UInt32(configuration.hidden)
    spec.inputWidth = UInt32(shapes.inputWidth)
    spec.firstStepFlag = Float(configuration.firstStepFlag)
    spec.seed = configuration.seed
    spec.parameterCount = UInt32(shapes.policyParameterCount)
    return spec
  }
}
