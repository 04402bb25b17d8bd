import Foundation
import RL2Envs
import RL2Math
import RL2Nets
import RL2Training
import RL2Wire

/// A worker of the coordinator's evaluation sweeps: it asks for leases of test configuration
/// ids, plays each id with a maze checkpoint's policy, and sends the outcomes back, until it is
/// stopped. Test configuration c is played with the stream `EvaluationSet.stream(seed:
/// instance: c)`, exactly as `rl2 eval` plays it in one process, so a sweep spread over any
/// number of workers — some of them dying half-way — gives the same figures.
///
///     let worker = try MazeEvaluationWorker(checkpoint: url, coordinator: endpoint, …)
///     try worker.run(stop: stop)
public final class MazeEvaluationWorker {
  public let client: CoordinatorClient
  public let configuration: TrainingConfiguration
  public let seed: UInt64
  let network: VisionNetwork<Float>
  let parameters: Parameters<Float>
  let log: @Sendable (String) -> Void
  /// Configurations played so far.
  public private(set) var played = 0

  public init(
    checkpoint url: URL, coordinator: Endpoint, actorID: String, seed: UInt64,
    mazeSize: Int? = nil, security: ClientSecurity? = nil,
    log: @escaping @Sendable (String) -> Void
  ) throws {
    let checkpoint = try CheckpointStore.load(url)
    var configuration = checkpoint.configuration
    if let mazeSize { configuration.task.mazeSize = mazeSize }
    self.configuration = configuration
    guard configuration.task.kind == .maze else {
      throw ClusterError.failed(
        "\(url.path) is a \(configuration.task.kind.rawValue) run; sweeps evaluate maze policies")
    }
    (network, parameters) = try MazeAgent.loadPolicy(checkpoint, configuration: configuration)
    client = try CoordinatorClient(coordinator: coordinator, actorID: actorID, security: security)
    self.seed = seed
    self.log = log
  }

  /// Leases and plays until `stop` is raised; waits (heartbeating) while no sweep has work,
  /// and reconnects when the coordinator goes away. A result the coordinator did not
  /// acknowledge is sent again first (a coordinator restarted from its state file still knows
  /// the lease and records each configuration once), until it is acknowledged or refused.
  public func run(stop: StopSignal, leaseSize: Int = 4) throws {
    var unsent: (leaseID: UInt64, outcomes: [ConfigurationOutcome])?
    while !stop.isRaised {
      do {
        if client.welcome == nil { try client.connect(timeout: 5) }
        if let pending = unsent {
          try deliver(pending.outcomes, lease: pending.leaseID)
          unsent = nil
        }
        let lease = try client.requestLease(.evaluation, configurations: leaseSize)
        guard !lease.configurationIds.isEmpty else {
          client.heartbeatIfDue()
          Thread.sleep(forTimeInterval: 0.2)
          continue
        }
        let outcomes = play(lease)
        unsent = (lease.leaseID, outcomes)
        try deliver(outcomes, lease: lease.leaseID)
        unsent = nil
      } catch let error as ClusterError where error.isRefusal {
        if let pending = unsent {
          log("coordinator refused the result of lease \(pending.leaseID): \(error); dropping it")
          unsent = nil
        } else {
          log("coordinator: \(error); retrying")
          Thread.sleep(forTimeInterval: 0.5)
        }
      } catch {
        log(
          "coordinator: \(error); retrying"
            + (unsent.map { " (the result of lease \($0.leaseID) is kept for resending)" } ?? ""))
        Thread.sleep(forTimeInterval: 0.5)
      }
    }
  }

  private func deliver(_ outcomes: [ConfigurationOutcome], lease leaseID: UInt64) throws {
    let recording = try client.send(outcomes, for: leaseID)
    played += outcomes.count
    if recording.duplicates > 0 {
      log("lease \(leaseID): \(recording.duplicates) results were duplicates")
    }
  }

  /// The outcomes of the lease's test configurations.
  func play(_ lease: Rl2_V1_Lease) -> [ConfigurationOutcome] {
    var setting = configuration.task
    setting.episodes = Int(lease.episodesPerTrial)
    let set = MazeConfigurationSet.test(size: setting.mazeSize, count: setting.mazeConfigurations)
    let ids = lease.configurationIds.map { Int($0) }
    let result = MazeRollout.run(
      network: network, parameters: parameters,
      configurations: ids.map { set.configuration(id: $0 % set.count) },
      episodes: setting.episodes,
      horizon: lease.horizon > 0 ? Int(lease.horizon) : setting.mazeEpisodeHorizon,
      streams: ids.map { EvaluationSet.stream(seed: seed, instance: $0) },
      firstStepFlag: Float(configuration.firstStepFlag))
    return zip(ids, result.outcomes).map { id, outcome in
      var outcome = outcome
      outcome.configurationID = id
      return outcome
    }
  }
}
