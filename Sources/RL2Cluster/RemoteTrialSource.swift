import Foundation
import RL2Math
import RL2Nets
import RL2Training

/// Trials from actor processes: publishes the weights of the version to train, then takes
/// validated batches off the learner service until the iteration has its trials. In the
/// synchronous setting (lag 0) only batches of that version count; older ones are late.
public final class RemoteTrialSource: TrialSource {
  public let service: LearnerService
  public let trialsPerIteration: Int
  public let maxPolicyLag: Int
  let stop: StopSignal
  let log: @Sendable (String) -> Void
  public private(set) var iterationMetrics: [String: Double] = [:]
  /// Environment steps of the trials this learner process has used (for `Status`).
  public private(set) var environmentSteps = 0

  public init(
    service: LearnerService, trialsPerIteration: Int, maxPolicyLag: Int, stop: StopSignal,
    log: @escaping @Sendable (String) -> Void
  ) {
    self.service = service
    self.trialsPerIteration = trialsPerIteration
    self.maxPolicyLag = maxPolicyLag
    self.stop = stop
    self.log = log
  }

  public func trials(
    iteration: Int, weightsVersion: Int, parameters: Parameters<Float>
  ) throws -> Trajectories {
    let version = UInt64(weightsVersion)
    service.publish(version: version, values: parameters.values)
    var parts: [Trajectories] = []
    var collected = 0
    var lastNotice = monotonicSeconds()
    while collected < trialsPerIteration {
      if stop.isRaised { throw TrialCollectionInterrupted() }
      guard let (batch, origin) = service.nextBatch(timeout: 0.2) else {
        if monotonicSeconds() - lastNotice > 10 {
          lastNotice = monotonicSeconds()
          log(
            "waiting for trials of weights version \(version): \(collected)/\(trialsPerIteration)"
              + ", \(service.liveActors.count) live actors")
        }
        continue
      }
      guard origin.weightsVersion + UInt64(maxPolicyLag) >= version else {
        service.countLate()
        continue
      }
      parts.append(batch)
      collected += batch.trialCount
    }
    if maxPolicyLag == 0 { service.closeCollection(version: version) }
    environmentSteps += parts.reduce(0) { $0 + $1.liveStepCount }
    service.noteProgress(iteration: iteration + 1, environmentSteps: environmentSteps)
    record(service.takeCounters())
    return .concatenating(parts)
  }

  private func record(_ counters: LearnerService.Counters) {
    let actors = service.liveActors
    let count = Double(max(1, actors.count))
    iterationMetrics = [
      "live_actors": Double(actors.count),
      "late_batches": Double(counters.late),
      "dropped_batches": Double(counters.dropped),
      "rejected_batches": Double(counters.rejected),
      "broadcast_bytes": Double(counters.broadcastBytes),
      "actor_steps_per_second": actors.reduce(0) { $0 + $1.stepsPerSecond } / count,
      "broadcast_latency_ms": actors.reduce(0) { $0 + $1.weightsLatencyMilliseconds } / count,
    ]
  }
}
