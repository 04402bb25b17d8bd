import RL2Training
import XCTest

@testable import RL2Cluster

final class SamplingLoopTests: XCTestCase {
  /// Maze trials carry a view per step: an actor batch of them stays within the message budget,
  /// while bandit and MDP batches keep the configured size.
  func testBatchesShrinkToFitOneMessage() {
    var maze = TrainingConfiguration(task: TaskSetting(kind: .maze, episodes: 2))
    maze.hidden = 16
    let mazeShapes = Training.shapes(of: maze)
    let fitting = SamplingLoop.trialsFitting(mazeShapes)
    XCTAssertEqual(mazeShapes.stepCount, 500)
    XCTAssertGreaterThanOrEqual(fitting, 1)
    XCTAssertLessThanOrEqual(
      fitting * mazeShapes.stepCount * (4 * mazeShapes.inputWidth + 16),
      SamplingLoop.batchByteBudget)
    XCTAssertLessThan(fitting, 128, "128 maze trials would not fit")
    var large = maze
    large.task.mazeSize = 9
    XCTAssertLessThan(SamplingLoop.trialsFitting(Training.shapes(of: large)), fitting)
    let bandit = Training.shapes(
      of: TrainingConfiguration(task: TaskSetting(kind: .bandit, episodes: 10)))
    XCTAssertGreaterThan(SamplingLoop.trialsFitting(bandit), 256)
  }
}
