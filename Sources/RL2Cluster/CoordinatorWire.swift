import Foundation
import RL2Envs
import RL2Nets
import RL2Wire

// Between the coordinator's Swift types and their wire messages.

extension Rl2_V1_Lease {
  /// The evaluation request's answer when every id is leased or recorded: ask again later.
  static var noWork: Rl2_V1_Lease {
    var lease = Rl2_V1_Lease()
    lease.purpose = .evaluation
    return lease
  }

  init(_ lease: LeaseBook.Lease, sweep: LeaseBook.Sweep?, timeout: Double) {
    self.init()
    leaseID = lease.id
    purpose = lease.purpose == .training ? .training : .evaluation
    sweepID = lease.sweepID
    configurationIds = lease.configurationIDs.map { UInt64($0) }
    if let sweep {
      episodesPerTrial = UInt32(sweep.episodesPerTrial)
      weightsVersion = sweep.weightsVersion
      horizon = UInt32(sweep.horizon)
      expiresInMs = UInt32(min(timeout * 1000, Double(UInt32.max)))
    }
  }
}

extension ConfigurationOutcome {
  /// The outcome a result message describes; the lease book checks it against its lease.
  init(validating result: Rl2_V1_ConfigurationResult) throws(LeaseBook.Refusal) {
    guard result.configurationID <= UInt64(Int32.max) else {
      throw LeaseBook.Refusal(.invalid, "configuration id \(result.configurationID) out of range")
    }
    self.init(
      configurationID: Int(result.configurationID),
      episodeLengths: result.episodeLengths.map { Int($0) }, successes: result.successes,
      episodeReturns: result.episodeReturns)
  }
}

extension Rl2_V1_ConfigurationResult {
  public init(_ outcome: ConfigurationOutcome) {
    self.init()
    configurationID = UInt64(outcome.configurationID)
    episodeLengths = outcome.episodeLengths.map { UInt32(clamping: $0) }
    successes = outcome.successes
    episodeReturns = outcome.episodeReturns
  }
}

extension Rl2_V1_SweepReport {
  init(_ report: SweepReport) {
    self.init()
    sweepID = report.sweepID
    weightsVersion = report.weightsVersion
    episodesPerTrial = UInt32(report.episodesPerTrial)
    completed = UInt32(report.completed)
    total = UInt32(report.total)
    done = report.isDone
    duplicates = UInt32(report.duplicates)
    episodes = report.metrics.episodes.map { episode in
      var metrics = Rl2_V1_EpisodeMetrics()
      metrics.configurations = UInt32(episode.configurations)
      metrics.successes = UInt32(episode.successes)
      metrics.successRate = episode.successRate
      metrics.meanSuccessfulLength = episode.meanSuccessfulLength
      metrics.successfulLengthStandardError = episode.successfulLengthStandardError
      return metrics
    }
    improvedShare = report.metrics.improvedShare ?? 0
    improvedBasis = UInt32(report.metrics.improvedBasis)
  }
}

extension SweepReport {
  /// The report a coordinator sent (its steps per second are not on the wire).
  public init(_ message: Rl2_V1_SweepReport) {
    let episodes = message.episodes.map { episode in
      MazeEvaluationMetrics.Episode(
        configurations: Int(episode.configurations), successes: Int(episode.successes),
        successRate: episode.successRate, meanSuccessfulLength: episode.meanSuccessfulLength,
        successfulLengthStandardError: episode.successfulLengthStandardError)
    }
    let metrics = MazeEvaluationMetrics(
      configurations: Int(message.completed), episodes: episodes,
      improvedShare: message.improvedBasis == 0 ? nil : message.improvedShare,
      improvedBasis: Int(message.improvedBasis))
    self.init(
      sweepID: message.sweepID, weightsVersion: message.weightsVersion,
      episodesPerTrial: Int(message.episodesPerTrial), completed: Int(message.completed),
      total: Int(message.total), isDone: message.done, duplicates: Int(message.duplicates),
      stepsPerSecond: 0, metrics: metrics)
  }

  /// `episode 1: success 0.97, length 48.1 ± 1.2; … improved 0.61 of 802`.
  public var summary: String {
    var parts = metrics.episodes.enumerated().map { k, episode in
      String(
        format: "episode %d: success %.3f, length %.1f ± %.1f", k + 1, episode.successRate,
        episode.meanSuccessfulLength, episode.successfulLengthStandardError)
    }
    if let share = metrics.improvedShare {
      parts.append(String(format: "improved %.3f of %d", share, metrics.improvedBasis))
    }
    return parts.joined(separator: "; ")
  }
}

extension CoordinatorService {
  /// What `rl2 status` shows: actors and their leases, the current sweep, throughput.
  func status() -> Rl2_V1_Status {
    condition.withLock {
      var status = Rl2_V1_Status()
      status.role = "coordinator"
      let now = monotonicSeconds()
      status.actors = actors.entries.values.sorted { $0.index < $1.index }.map { entry in
        var actor = Rl2_V1_ActorStatus()
        actor.actorID = entry.actorID
        actor.incarnation = entry.incarnation
        actor.hostname = entry.hostname
        actor.stepsPerSecond = entry.stepsPerSecond
        actor.millisecondsSinceHeartbeat = UInt32(max(0, (now - entry.lastHeard) * 1000))
        actor.leasesHeld = UInt32(book.leasesHeld(by: entry.actorID))
        return actor
      }
      status.leasesOutstanding = UInt32(book.openLeases.count)
      if let sweep = book.currentSweep {
        status.sweepID = sweep.id
        status.weightsVersion = sweep.weightsVersion
        status.sweepCompleted = UInt32(sweep.completed)
        status.sweepTotal = UInt32(sweep.total)
        status.stepsPerSecond = sweep.stepsPerSecond
        status.environmentSteps = UInt64(book.sweeps.reduce(0) { $0 + $1.environmentSteps })
      }
      status.batchesRejected = UInt64(counters.rejected)
      return status
    }
  }
}
