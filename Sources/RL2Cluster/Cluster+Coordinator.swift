import Foundation
import RL2Training

extension Cluster {
  /// How `rl2 coordinator` runs: binds, logs what happens, and stops when `stop` is raised.
  public static func runCoordinator(
    configuration: CoordinatorService.Configuration, stop: StopSignal,
    log: @escaping @Sendable (String) -> Void
  ) throws {
    let coordinator = try CoordinatorService(configuration, log: log)
    let book = configuration.book
    log(
      "coordinator listening on \(coordinator.endpoint): \(book.trainingCount) training and "
        + "\(book.testCount) test configurations, leases of \(book.leaseSize) for "
        + "\(book.leaseTimeout) s")
    while !stop.isRaised { Thread.sleep(forTimeInterval: 0.1) }
    coordinator.shutdown(reason: "the coordinator was stopped")
    let counts = coordinator.counts
    log(
      "coordinator stopped: \(counts.trainingLeases) training and \(counts.evaluationLeases) "
        + "evaluation leases, \(counts.resultsRecorded) results recorded, \(counts.duplicates) "
        + "duplicates, \(counts.leasesExpired) leases expired, \(counts.rejected) rejected")
  }
}
