import Foundation
import XCTest

/// Faults injected into running processes.
extension ClusterProcessTests {
  /// A learner SIGKILLed mid-run and started again with `--resume` on the same port: its actors
  /// reconnect on their own, training finishes with every iteration logged once, and weights
  /// versions never repeat.
  func testALearnerKilledMidRunResumesAndItsActorsReconnect() throws {
    let cluster = self
    let runDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "rl2-restart-\(UUID().uuidString)")
    addTeardownBlock { try? FileManager.default.removeItem(at: runDirectory) }
    let port = try cluster.freePortTriple()
    let endpoint = "tcp://127.0.0.1:\(port)"
    let arguments =
      ["learner", "--endpoint", endpoint, "--iterations", "12", "--run-dir", runDirectory.path]
      + ClusterProcessTests.tinyRun.map { $0 == "20" ? "3" : $0 }
    let first = try RunningProcess(arguments)
    addTeardownBlock { first.kill() }
    let actors = try ["a", "b"].map { id in
      try RunningProcess(["actor", "--learner", endpoint, "--trials", "5", "--actor-id", id])
    }
    addTeardownBlock { for actor in actors { actor.kill() } }
    _ = try first.waitForLine(containing: "iter 5/12", timeout: 120)
    first.kill()
    XCTAssertNotNil(first.waitForExit(timeout: 10), "the learner was killed")
    let second = try RunningProcess(arguments + ["--resume"])
    addTeardownBlock { second.kill() }
    XCTAssertEqual(second.waitForExit(timeout: 180), 0, second.output)
    XCTAssertTrue(second.output.contains("iter 12/12"), second.output)
    for actor in actors {
      XCTAssertEqual(actor.waitForExit(timeout: 30), 0, actor.output)
      XCTAssertTrue(actor.output.contains("the learner shut down"), actor.output)
    }
    let rows = try cluster.progressRows(runDirectory)
    XCTAssertEqual(rows.map { $0["iteration"] ?? "" }, (1...12).map(String.init))
    let versions = rows.compactMap { Int($0["weights_version"] ?? "") }
    XCTAssertEqual(versions.count, 12)
    XCTAssertEqual(versions, versions.sorted(), "versions increase")
    XCTAssertEqual(Set(versions).count, 12, "no version is used twice: \(versions)")
    XCTAssertGreaterThan(
      versions.last ?? 0, 12, "versions the crashed learner had used were skipped")
  }
}

extension ClusterProcessTests {
  /// An actor that hangs (SIGSTOP) is dropped by liveness; training finishes on the other one,
  /// and the hung actor, continued afterwards, finds the learner gone and exits.
  func testAHungActorIsDroppedAndTrainingFinishesWithoutIt() throws {
    let runDirectory = try makeRunDirectory()
    let (learner, endpoint) = try startLearner(iterations: 60, runDirectory: runDirectory)
    let hung = try startActor(endpoint, id: "hung")
    let healthy = try startActor(endpoint, id: "healthy")
    _ = try learner.waitForLine(containing: "iter 2/60", timeout: 120)
    kill(hung.process.processIdentifier, SIGSTOP)
    _ = try learner.waitForLine(containing: "actor hung lost", timeout: 60)
    XCTAssertEqual(learner.waitForExit(timeout: 180), 0, learner.output)
    XCTAssertTrue(learner.output.contains("actor hung"), learner.output)
    XCTAssertTrue(
      learner.output.split(separator: "\n").contains { $0.contains("hung") && $0.contains("lost") },
      learner.output)
    XCTAssertTrue(learner.output.contains("iter 60/60"), learner.output)
    XCTAssertEqual(try progressRows(runDirectory).last?["live_actors"], "1")
    XCTAssertEqual(healthy.waitForExit(timeout: 30), 0, healthy.output)
    kill(hung.process.processIdentifier, SIGCONT)
    hung.kill()
  }
}
