import Foundation
import RL2Math
import RL2Training
import RL2Wire
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
    let fallback = StopSignal()
    defer { fallback.raise() }
    // The weights the trainer starts from (its first draw from the "initialization" stream),
    // published early so that both actors are in before the short run can finish.
    var initialization = RandomStream(seed: fixture.configuration.seed).stream("initialization")
    let initial = fixture.sampler.makeParameters(random: &initialization)
    fixture.service.publish(version: 0, values: initial.values)
    for actor in actors {
      finished.enter()
      Thread.detachNewThread {
        if let summary = try? actor.run(stop: fallback) {
          summaries.mutate { $0.append(summary) }
        }
        finished.leave()
      }
    }
    eventually("both actors say hello") { fixture.service.liveActors.count == 2 }
    let source = RemoteTrialSource(
      service: fixture.service, trialsPerIteration: fixture.configuration.trialsPerIteration,
      maxPolicyLag: 0, stop: StopSignal(), log: { _ in })
    let summary = try Training.train(
      configuration: fixture.configuration, runDirectory: directory, resume: false,
      source: source, report: { _ in })
    XCTAssertEqual(summary.iterations, 2)
    XCTAssertEqual(source.iterationMetrics["live_actors"], 2)
    XCTAssertEqual(source.environmentSteps, summary.environmentSteps, "steps reported in Status")
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

/// Which batches an iteration may use: the current version only, or up to the lag bound.
final class PolicyLagTests: XCTestCase {
  func collect(maxPolicyLag: Int) throws -> (Trajectories, [String: Double]) {
    let fixture = try ClusterFixture(maxPolicyLag: maxPolicyLag)
    defer { fixture.close() }
    let source = RemoteTrialSource(
      service: fixture.service, trialsPerIteration: 4, maxPolicyLag: maxPolicyLag,
      stop: StopSignal(), log: { _ in })
    fixture.service.publish(version: 6, values: fixture.parameters.values)
    _ = try fixture.ask(try fixture.makeDealer(), fixture.hello())
    let push = try fixture.makePush()
    for version: UInt64 in [4, 5, 6, 6] {
      try push.send(bytes: Rl2_V1_Envelope(.trialBatch(fixture.batch(version: version))).encoded)
    }
    let trajectories = try source.trials(
      iteration: 0, weightsVersion: 6,
      parameters: fixture.parameters)
    return (trajectories, source.iterationMetrics)
  }

  func testTheSynchronousSettingUsesOnlyTheCurrentVersion() throws {
    let (trajectories, metrics) = try collect(maxPolicyLag: 0)
    XCTAssertEqual(trajectories.trialCount, 4, "the two batches of version 6")
    XCTAssertEqual(metrics["late_batches"], 2, "versions 4 and 5 are late")
  }

  func testABoundedLagAlsoUsesRecentVersions() throws {
    let (trajectories, metrics) = try collect(maxPolicyLag: 1)
    XCTAssertEqual(trajectories.trialCount, 4, "versions 5 and 6 until the iteration is full")
    XCTAssertEqual(metrics["late_batches"], 1, "version 4 is two versions old")
  }
}
