import RL2Envs
import RL2Math
import RL2Nets
import XCTest

@testable import RL2Training

// Legend: T steps, B trials, b selected trials, I input width; rows are time-major (t·B + b).

/// Sub-batches of whole trials, as the minibatch updates and the value fit take them.
final class TrajectoriesTests: XCTestCase {
  let streams = Fixtures.streams(seed: 61, count: 5)

  func rollout(_ streams: [RandomStream]) -> Trajectories {
    let (policy, parameters, encoder) = Fixtures.policy(
      for: Fixtures.corridors, hidden: 4, seed: 61)
    return Rollout.run(
      policy: policy, parameters: parameters, distribution: Fixtures.corridors, episodes: 3,
      streams: streams, encoder: encoder)
  }

  func testSelectingRowsPicksTheTrialsOfEveryStepInTimeMajorOrder() {
    let t = Trajectories(stepCount: 4, trialCount: 5, inputWidth: 2, actionCount: 2, episodes: 1)
    let rows = t.selectingRows(Array(0..<20), trials: 1..<3)
    XCTAssertEqual(rows, [1, 2, 6, 7, 11, 12, 16, 17], "rows of trials 1 and 2 of 5")
    XCTAssertEqual(t.selectingRows(Array(0..<20), trials: 0..<5), Array(0..<20), "all trials")
    XCTAssertEqual(t.selectingRows(Array(0..<20), trials: 4..<5), [4, 9, 14, 19], "last trial")
  }

  /// Concatenating the pieces of a batch (as the learner joins the actors' batches) gives the
  /// batch back, field by field.
  func testConcatenatingSelectedPiecesRebuildsTheBatch() {
    let whole = rollout(streams)
    let pieces = [0..<2, 2..<3, 3..<5].map { whole.selecting(trials: $0) }
    let joined = Trajectories.concatenating(pieces)
    XCTAssertEqual(joined.trialCount, whole.trialCount)
    XCTAssertEqual(joined.inputs.shape, whole.inputs.shape)
    XCTAssertEqual(joined.inputs.scalars, whole.inputs.scalars, "inputs")
    XCTAssertEqual(joined.actions, whole.actions, "actions")
    XCTAssertEqual(joined.rewards, whole.rewards, "rewards")
    XCTAssertEqual(joined.episodeEnded, whole.episodeEnded, "episode ends")
    XCTAssertEqual(joined.live, whole.live, "live")
    XCTAssertEqual(
      joined.behaviourLogProbabilities, whole.behaviourLogProbabilities, "behaviour log π")
    XCTAssertEqual(joined.episodeReturns, whole.episodeReturns, "episode returns")
    XCTAssertEqual(joined.optimalReturns, whole.optimalReturns, "optimal returns")
  }

  func testSelectingTrialsTakesTheirRows() {
    let whole = rollout(streams)
    let (T, B, I) = (whole.stepCount, whole.trialCount, whole.inputs.shape[2])
    let trials = 1..<4
    let subset = whole.selecting(trials: trials)
    XCTAssertEqual(subset.trialCount, trials.count, "trial count")
    XCTAssertEqual(subset.stepCount, T, "step count")
    XCTAssertEqual(subset.inputs.shape, [T, trials.count, I], "input shape")
    for t in 0..<T {
      for (j, b) in trials.enumerated() {
        let (row, source) = (t * trials.count + j, t * B + b)
        let name = "step \(t), trial \(b)"
        XCTAssertEqual(
          (0..<I).map { subset.inputs[t, j, $0] }, (0..<I).map { whole.inputs[t, b, $0] },
          "φ, \(name)")
        XCTAssertEqual(subset.actions[row], whole.actions[source], "action, \(name)")
        XCTAssertEqual(subset.rewards[row], whole.rewards[source], "reward, \(name)")
        XCTAssertEqual(subset.live[row], whole.live[source], "live, \(name)")
        XCTAssertEqual(subset.episodeEnded[row], whole.episodeEnded[source], "end, \(name)")
        XCTAssertEqual(
          subset.behaviourLogProbabilities[row].bitPattern,
          whole.behaviourLogProbabilities[source].bitPattern, "log π_b, \(name)")
      }
    }
    XCTAssertEqual(subset.episodeReturns, Array(whole.episodeReturns[trials]), "episode returns")
    XCTAssertEqual(subset.optimalReturns, Array(whole.optimalReturns[trials]), "optimal returns")
  }

  func testSelectingTrialsEqualsRunningTheirStreamsAlone() {
    let subset = rollout(streams).selecting(trials: 2..<5)
    let alone = rollout(Array(streams[2..<5]))
    XCTAssertEqual(subset.inputs, alone.inputs, "inputs")
    XCTAssertEqual(subset.actions, alone.actions, "actions")
    XCTAssertEqual(subset.live, alone.live, "live")
    XCTAssertEqual(subset.episodeReturns, alone.episodeReturns, "episode returns")
    assertElementsClose(
      subset.behaviourLogProbabilities, alone.behaviourLogProbabilities, tolerance: 1e-6, scale: 1,
      "behaviour log-probabilities")
  }

  func testSummariesOfEpisodeReturns() {
    var t = Trajectories(stepCount: 2, trialCount: 3, inputWidth: 1, actionCount: 2, episodes: 2)
    t.episodeReturns = [[1, 0], [0, 1], [1, 1]]
    t.live = [true, true, false, true, false, false]
    XCTAssertEqual(t.trialReturns, [1, 1, 2], "trial returns")
    XCTAssertEqual(t.meanEpisodeReturns, [2.0 / 3, 2.0 / 3], "mean return per episode index")
    XCTAssertEqual(t.liveStepCount, 3, "live steps")
  }
}
