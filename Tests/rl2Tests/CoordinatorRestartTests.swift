import Foundation
import XCTest

/// A coordinator SIGKILLed half-way through a sweep and started again on the same endpoint
/// from its state file: the sweep still evaluates every test configuration exactly once, with
/// exactly the figures of the one-process evaluation, and no recorded result is lost.
extension MazeCommandTests {
  func testACoordinatorRestartedFromItsStateFileFinishesTheSweepOnce() throws {
    let directory = try makeTemporaryDirectory()
    let (checkpoint, evaluation, expected) = try sweepFixture(in: directory)

    let state = directory.appendingPathComponent("coordinator.state.json").path
    func startCoordinator(_ endpoint: String) throws -> RunningProcess {
      let coordinator = try RunningProcess([
        "coordinator", "--endpoint", endpoint, "--test-configurations", "160", "--lease-size",
        "2", "--lease-timeout", "3", "--actor-timeout", "2", "--state-file", state,
      ])
      addTeardownBlock { coordinator.kill() }
      return coordinator
    }
    let first = try startCoordinator("tcp://127.0.0.1:0")
    let endpoint = try listeningEndpoint(of: first)
    _ = try startEvaluationWorkers(["w1", "w2"], endpoint, checkpoint)
    let sweep = try RunningProcess(["eval", "--coordinator", endpoint] + evaluation)
    addTeardownBlock { sweep.kill() }
    _ = try first.waitForLine(containing: "sweep 1: 48/160", timeout: 120)
    first.kill()
    XCTAssertNotNil(first.waitForExit(timeout: 10))
    Thread.sleep(forTimeInterval: 1)

    let second = try startCoordinator(endpoint)
    let restored = try second.waitForLine(containing: "restored 1 sweeps", timeout: 30)
    let recordedBefore = Int(restored.split(separator: " ")[3]) ?? -1
    XCTAssertGreaterThanOrEqual(recordedBefore, 48, restored)
    XCTAssertEqual(sweep.waitForExit(timeout: 180), 0, sweep.output + second.output)
    try assertSweepFigures(of: sweep, equal: expected)
    XCTAssertTrue(second.output.contains("sweep 1: 160/160"), second.output)
  }
}
