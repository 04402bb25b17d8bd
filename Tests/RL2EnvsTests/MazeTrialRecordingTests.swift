import RL2Envs
import RL2Math
import XCTest

/// Recorded trials and the top-down map drawn from them.
final class MazeTrialRecordingTests: XCTestCase {
  func testRecordingKeepsPosesFramesAndTheTrialContract() {
    let task = MazeTask(configuration: MazeConfigurationSet.training(size: 5).configuration(id: 1))
    var explorer = MazeExplorer(task: task)
    let recording = MazeTrialRecording.play(
      task: task, episodes: 3, policy: &explorer, random: RandomStream(seed: 90),
      recordingFramesAt: [0, 5])
    XCTAssertEqual(recording.episodes.count, 3)
    for episode in recording.episodes {
      XCTAssertTrue(episode.reachedTarget)
      XCTAssertEqual(episode.poses.last?.cell, task.target)
      XCTAssertEqual(episode.frames.map(\.step), [0, 5])
      XCTAssertEqual(
        episode.totalReward, 1 + -0.04 * Double(episode.length) - 0.001 * Double(episode.wallHits),
        accuracy: 1e-9)
    }
    XCTAssertNotEqual(
      recording.episodes[0].poses[0], recording.episodes[1].poses[0], "fresh start per episode")

    var inputs: [(action: Int?, reward: Double, ended: Bool)] = []
    var spy = InputSpy {
      inputs.append(($0.previousAction, $0.previousReward, $0.previousStepEndedEpisode))
    }
    let short = MazeTask(layout: task.layout, target: task.target, horizon: 2)
    _ = MazeTrialRecording.play(
      task: short, episodes: 2, policy: &spy, random: RandomStream(seed: 91))
    XCTAssertEqual(inputs.count, 4)
    XCTAssertNil(inputs[0].action, "no previous action at the trial's first step")
    XCTAssertEqual(inputs.map(\.ended), [false, false, true, false], "d = 1 after the horizon")
    XCTAssertEqual(inputs[2].action, MazeTask.turnLeft)
    XCTAssertEqual(inputs[2].reward, -0.04)
  }

  func testMapShowsWallsTargetAndTrajectories() {
    let task = MazeTask(layout: MazeTaskTests.snake, target: MazeCell(row: 2, column: 2))
    var map = MazeMapImage(layout: task.layout, target: task.target, pixelsPerCell: 10)
    XCTAssertEqual(map.width, 32)
    XCTAssertEqual(map.pixel(x: 1, y: 15).red, 20, "western boundary wall")
    XCTAssertEqual(map.pixel(x: 15, y: 11).red, 20, "wall between (0, 1) and (1, 1)")
    XCTAssertEqual(map.pixel(x: 11, y: 5).red, 250, "no wall between (0, 0) and (0, 1)")
    XCTAssertEqual(map.pixel(x: 26, y: 26).red, 230, "target cell")
    let colour = MazeMapImage.episodeColour(1)
    map.drawTrajectory(
      [MazePose(x: 0.5, y: 0.5, heading: 0), MazePose(x: 2.5, y: 0.5, heading: 0)], colour: colour)
    XCTAssertEqual(map.pixel(x: 16, y: 6).green, colour.green, "the path along row 0")
    XCTAssertEqual(map.pixel(x: 6, y: 6).blue, colour.blue, "start marker")
  }
}

/// Turns left at every step and reports each input it is given.
private struct InputSpy: MazePolicy {
  let record: (MazeAgentInput) -> Void

  mutating func action(for input: MazeAgentInput) -> Int {
    record(input)
    return MazeTask.turnLeft
  }
}
