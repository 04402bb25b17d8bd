import Foundation
import RL2Training
import XCTest

@testable import RL2Cluster

/// A learner and actors in one process, over loopback TCP: the same code paths as separate
/// processes, with the trainer's loop on top.
final class ActorLearnerTests: XCTestCase {
  func testActorsFeedATrainingRunToTheEndAndAreShutDown() throws {
    let fixture = try ClusterFixture()
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("rl2-cluster-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let actors = try (0..<2).map { i in
      var configuration = ActorConfiguration(learner: fixture.service.control, actorID: "a\(i)")
      configuration.trialsPerBatch = 4
      return try ActorService(configuration, log: { _ in })
    }
    let summaries = Locked<[ActorSummary]>([])
    let finished = DispatchGroup()
    for actor in actors {
      finished.enter()
      Thread.detachNewThread {
        if let summary = try? actor.run(stop: StopSignal()) {
          summaries.mutate { $0.append(summary) }
        }
        finished.leave()
      }
    }
    let source = RemoteTrialSource(
      service: fixture.service, trialsPerIteration: fixture.configuration.trialsPerIteration,
      maxPolicyLag: 0, stop: StopSignal(), log: { _ in })
    let summary = try Training.train(
      configuration: fixture.configuration, runDirectory: directory, resume: false,
      source: source, report: { _ in })
    XCTAssertEqual(summary.iterations, 2)
    XCTAssertEqual(source.iterationMetrics["live_actors"], 2)
    fixture.close()
    XCTAssertEqual(finished.wait(timeout: .now() + 20), .success, "actors did not stop")
    XCTAssertEqual(summaries.value.count, 2)
    for actorSummary in summaries.value {
      XCTAssertTrue(actorSummary.reason.contains("shut down"), actorSummary.reason)
    }
    let progress = try String(
      contentsOf: directory.appendingPathComponent("progress.csv"), encoding: .utf8)
    XCTAssertEqual(progress.split(separator: "\n").count, 3, progress)
  }

  func testAStopWhileWaitingForTrialsCheckpointsAndReturns() throws {
    let fixture = try ClusterFixture()
    defer { fixture.close() }
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("rl2-cluster-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let stop = StopSignal()
    DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { stop.raise() }
    let source = RemoteTrialSource(
      service: fixture.service, trialsPerIteration: 16, maxPolicyLag: 0, stop: stop,
      log: { _ in })
    let summary = try Training.train(
      configuration: fixture.configuration, runDirectory: directory, resume: false, stop: stop,
      source: source, report: { _ in })
    XCTAssertEqual(summary.iterations, 0)
    XCTAssertNil(summary.evaluation)
    let checkpoints = try FileManager.default.contentsOfDirectory(
      atPath: directory.appendingPathComponent("checkpoints").path)
    XCTAssertFalse(checkpoints.isEmpty, "no checkpoint after the stop")
  }
}

/// A value shared with other threads under a lock.
final class Locked<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: Value
  init(_ value: Value) { stored = value }
  var value: Value { lock.withLock { stored } }
  func mutate(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
