import Foundation
import RL2Envs
import RL2Math
import RL2Nets
import RL2Training
import RL2Wire

extension Cluster {
  /// What an evaluation sweep runs on: a maze checkpoint, played on test configurations
  /// 0..<instances with `episodes` per trial (on `mazeSize` mazes when given).
  public struct MazeSweepOptions: Sendable {
    public var checkpoint: URL
    public var instances: Int
    public var episodes: Int?
    public var mazeSize: Int?
    public var seed: UInt64
    /// A running coordinator; nil starts one in this process on a free loopback port.
    public var coordinator: Endpoint?
    /// `rl2 eval-worker` processes started on this machine (0: workers are started elsewhere).
    public var localWorkers: Int
    public var logDirectory: URL
    /// Keys for a coordinator that requires CURVE, given to the local workers too.
    public var keyFiles: ClientKeyFiles?
    public var leaseTimeout = 30.0
    public var actorTimeout = 6.0

    public init(
      checkpoint: URL, instances: Int, seed: UInt64, coordinator: Endpoint?, localWorkers: Int,
      logDirectory: URL
    ) {
      self.checkpoint = checkpoint
      self.instances = instances
      self.seed = seed
      self.coordinator = coordinator
      self.localWorkers = localWorkers
      self.logDirectory = logDirectory
    }
  }

  /// Runs one evaluation sweep through a coordinator — every test configuration evaluated
  /// exactly once, whichever workers live or die — and returns its report when it is done.
  public static func runMazeSweep(
    _ options: MazeSweepOptions, stop: StopSignal, log: @escaping @Sendable (String) -> Void
  ) throws -> SweepReport {
    var configuration = try CheckpointStore.load(options.checkpoint).configuration
    guard configuration.task.kind == .maze else {
      throw ClusterError.failed(
        "sweeps evaluate maze checkpoints; this is a \(configuration.task.name) run")
    }
    if let episodes = options.episodes { configuration.task.episodes = episodes }
    if let size = options.mazeSize { configuration.task.mazeSize = size }
    try configuration.task.validate()
    let service = try options.coordinator == nil ? makeLocalCoordinator(options, log: log) : nil
    let endpoint = service?.endpoint ?? options.coordinator!
    defer { service?.shutdown(reason: "the sweep is done") }
    let security = try options.keyFiles?.load()
    let sweep = try startSweep(
      at: endpoint, service: service, configuration: configuration, instances: options.instances,
      security: security)
    let workers = try startWorkers(options, coordinator: endpoint, log: log)
    defer {
      for process in workers?.processes ?? [] where process.isRunning { process.terminate() }
      workers?.stop(grace: 5)
    }
    return try waitForSweep(
      sweep, at: endpoint, service: service, security: security, stop: stop, log: log)
  }

  static func makeLocalCoordinator(
    _ options: MazeSweepOptions, log: @escaping @Sendable (String) -> Void
  ) throws -> CoordinatorService {
    var book = LeaseBook.Configuration(
      trainingCount: MazeConfigurationSet.paperCount,
      testCount: max(options.instances, MazeConfigurationSet.paperCount))
    book.leaseTimeout = options.leaseTimeout
    var configuration = CoordinatorService.Configuration(
      endpoint: try Endpoint(parsing: "tcp://127.0.0.1:0"), book: book)
    configuration.actorTimeout = options.actorTimeout
    configuration.heartbeatInterval = min(1, options.actorTimeout / 4)
    return try CoordinatorService(configuration, log: log)
  }

  static func startSweep(
    at endpoint: Endpoint, service: CoordinatorService?, configuration: TrainingConfiguration,
    instances: Int, security: ClientSecurity?
  ) throws -> UInt64 {
    let (episodes, horizon) = (configuration.task.episodes, configuration.task.mazeEpisodeHorizon)
    if let service {
      return try service.startSweep(
        weightsVersion: 0, episodesPerTrial: episodes, configurations: instances,
        horizon: horizon)
    }
    var start = Rl2_V1_StartSweep()
    start.episodesPerTrial = UInt32(episodes)
    start.configurations = UInt32(instances)
    start.horizon = UInt32(horizon)
    let client = try CoordinatorClient(
      coordinator: endpoint, actorID: "sweep-\(getpid())", security: security)
    let reply = try client.request(.startSweep(start), timeout: 10)
    guard case .sweepStarted(let started) = reply.body else {
      throw ClusterError.failed("the coordinator at \(endpoint) did not start the sweep: \(reply)")
    }
    return started.sweepID
  }

  static func startWorkers(
    _ options: MazeSweepOptions, coordinator: Endpoint, log: @escaping @Sendable (String) -> Void
  ) throws -> ActorProcesses? {
    guard options.localWorkers > 0 else { return nil }
    let parent = ProcessInfo.processInfo.processIdentifier
    let workers = try ActorProcesses(
      executable: ActorProcesses.currentExecutable, count: options.localWorkers,
      logDirectory: options.logDirectory, log: log
    ) { i in
      [
        "eval-worker", "--coordinator", coordinator.description, "--checkpoint",
        options.checkpoint.path, "--seed", String(options.seed), "--actor-id", "local-\(i)",
        "--exit-with-parent", String(parent),
      ] + (options.mazeSize.map { ["--maze-size", String($0)] } ?? [])
        + (options.coordinator == nil ? [] : options.keyFiles?.arguments ?? [])
    }
    log(
      "started \(options.localWorkers) evaluation workers; their logs are in "
        + options.logDirectory.path)
    return workers
  }

  /// Seconds a sweep waits for a coordinator that stopped answering before giving up.
  static let coordinatorPatience = 120.0

  static func waitForSweep(
    _ sweep: UInt64, at endpoint: Endpoint, service: CoordinatorService?,
    security: ClientSecurity?, stop: StopSignal,
    log: @escaping @Sendable (String) -> Void
  ) throws -> SweepReport {
    let client =
      service == nil
      ? try CoordinatorClient(coordinator: endpoint, actorID: "sweep-watch", security: security)
      : nil
    var lastTenth = -1
    var silentSince: Double?
    while true {
      if stop.isRaised { throw ClusterError.failed("stopped before sweep \(sweep) finished") }
      let report: SweepReport?
      if let service {
        report = service.report(sweep: sweep)
      } else {
        var request = Rl2_V1_SweepReportRequest()
        request.sweepID = sweep
        do {
          let reply = try client!.request(.sweepReportRequest(request), timeout: 10)
          silentSince = nil
          if case .sweepReport(let message) = reply.body {
            report = SweepReport(message)
          } else {
            report = nil
          }
        } catch {
          // The coordinator may be restarting from its state file: keep asking for a while.
          if error.isRefusal { throw error }
          let since = silentSince ?? monotonicSeconds()
          silentSince = since
          guard monotonicSeconds() - since < coordinatorPatience else { throw error }
          log("sweep \(sweep): \(error); asking again")
          continue
        }
      }
      if let report {
        let tenth = 10 * report.completed / max(1, report.total)
        // An in-process coordinator logs the sweep's progress itself.
        if tenth > lastTenth, service == nil {
          lastTenth = tenth
          log("sweep \(sweep): \(report.completed)/\(report.total) configurations evaluated")
        }
        if report.isDone { return report }
      }
      Thread.sleep(forTimeInterval: 0.2)
    }
  }
}
