import RL2Envs
import RL2Math
import RL2Nets
import XCTest

/// The trial contract for mazes: placeholder φ at the first step, the flag at every later
/// episode start, fresh start poses, episodes ending on the target or at the horizon.
final class MazeTrialTests: XCTestCase {
  let layout = VisionInputLayout()

  func makeTask(horizon: Int? = nil) -> MazeTask {
    let configuration = MazeConfigurationSet.training(size: 5).configuration(id: 3)
    let base = MazeTask(configuration: configuration)
    return MazeTask(layout: base.layout, target: base.target, horizon: horizon)
  }

  func encoded(_ trial: MazeTrial) -> [Float] {
    var row = [Float](repeating: 9, count: layout.rowWidth)
    row.withUnsafeMutableBufferPointer { trial.encodeInput(layout: layout, into: $0.baseAddress!) }
    return row
  }

  func testFirstStepPlaceholderAndTheFlagAtEachLaterEpisodeStart() {
    let task = makeTask(horizon: 3)
    var trial = MazeTrial(
      task: task, episodes: 2, random: RandomStream(seed: 1), firstStepFlag: 1)
    let first = encoded(trial)
    XCTAssertEqual(Array(first[layout.actionOffset..<layout.rewardOffset]), [0, 0, 0, 0])
    XCTAssertEqual(first[layout.rewardOffset], 0)
    XCTAssertEqual(first[layout.flagOffset], 1)
    XCTAssertTrue(first[0..<layout.imageCount].allSatisfy { (-1...1).contains($0) })
    trial.step(MazeTask.turnLeft)
    let second = encoded(trial)
    XCTAssertEqual(Array(second[layout.actionOffset..<layout.rewardOffset]), [1, 0, 0, 0])
    XCTAssertEqual(second[layout.rewardOffset], Float(MazeTask.stepReward), accuracy: 1e-7)
    XCTAssertEqual(second[layout.flagOffset], 0)
    trial.step(MazeTask.turnRight)
    let (_, ended) = trial.step(MazeTask.turnRight)
    XCTAssertTrue(ended, "the horizon of 3 steps ends episode 1")
    XCTAssertEqual(trial.episodeIndex, 1)
    let third = encoded(trial)
    XCTAssertEqual(Array(third[layout.actionOffset..<layout.rewardOffset]), [0, 1, 0, 0])
    XCTAssertEqual(third[layout.flagOffset], 1, "d = 1 at the first step of episode 2")
    for _ in 0..<3 { trial.step(MazeTask.turnLeft) }
    XCTAssertTrue(trial.isFinished)
    XCTAssertEqual(trial.episodeLengths, [3, 3])
    XCTAssertEqual(trial.successes, [false, false])
    XCTAssertEqual(trial.episodeReturns[0], 3 * MazeTask.stepReward, accuracy: 1e-12)
  }

  func testReachingTheTargetEndsTheEpisodeAndTheNextStartsFresh() {
    let task = makeTask()
    var trial = MazeTrial(
      task: task, episodes: 3, random: RandomStream(seed: 2), recordsPoses: true)
    let explorer = MazeExplorer(task: task)
    while !trial.isFinished { trial.step(explorer.action(at: trial.pose)) }
    XCTAssertEqual(trial.successes, [true, true, true])
    for episode in 0..<3 {
      XCTAssertLessThan(trial.episodeLengths[episode], task.horizon)
      XCTAssertEqual(trial.episodePoses[episode].count, trial.episodeLengths[episode] + 1)
      XCTAssertEqual(trial.episodePoses[episode].last?.cell, task.target)
      XCTAssertNotEqual(trial.episodePoses[episode].first?.cell, task.target)
    }
    XCTAssertNotEqual(trial.episodePoses[0].first, trial.episodePoses[1].first)
    let outcome = trial.outcome(configurationID: 3)
    XCTAssertEqual(outcome.episodeLengths, trial.episodeLengths)
    XCTAssertEqual(outcome.successes, [true, true, true])
  }

  func testTheSameStreamReplaysTheTrial() {
    let task = makeTask()
    var a = MazeTrial(task: task, episodes: 2, random: RandomStream(seed: 7))
    var b = MazeTrial(task: task, episodes: 2, random: RandomStream(seed: 7))
    var actions = RandomStream(seed: 8)
    while !a.isFinished {
      let action = Int(actions.uniform() * 4)
      XCTAssertEqual(encoded(a), encoded(b))
      XCTAssertEqual(a.step(action).reward, b.step(action).reward)
    }
    XCTAssertTrue(b.isFinished)
  }
}
