import RL2Envs
import RL2Math
import XCTest

/// The BFS-following scripted agent: every target reachable, in about the paper's episode lengths
/// (39–52 steps for trained agents on 5×5; the explorer knows the way and takes about 39).
final class MazeExplorerTests: XCTestCase {
  func testExplorerReachesEveryTargetWithinTheHorizon() {
    var random = RandomStream(seed: 70)
    var lengths: [Int] = []
    for id in 0..<50 {
      let task = MazeTask(configuration: MazeConfigurationSet.test(size: 5).configuration(id: id))
      let explorer = MazeExplorer(task: task)
      var pose = task.startPose(random: &random)
      var length = 0
      var reached = false
      while !reached && length < task.horizon {
        let outcome = task.step(from: pose, action: explorer.action(at: pose))
        (pose, reached) = (outcome.pose, outcome.terminal)
        length += 1
      }
      XCTAssertTrue(reached, "configuration \(id): target not reached in \(task.horizon) steps")
      lengths.append(length)
    }
    let mean = Double(lengths.reduce(0, +)) / Double(lengths.count)
    XCTAssertTrue((25...55).contains(mean), "mean episode length \(mean), max \(lengths.max()!)")
  }
}
