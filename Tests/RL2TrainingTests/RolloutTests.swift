import RL2Envs
import RL2Math
import RL2Nets
import XCTest

@testable import RL2Training

// Legend: T steps, B trials, I input width (φ), A actions; rows are time-major (t·B + b).

/// The rollout follows the trial contract, agrees with the whole-trial network the learner
/// differentiates, and is a pure function of each trial's stream.
final class RolloutTests: XCTestCase {
  let episodes = 3

  func corridorRollout(
    trials: Int, seed: UInt64 = 51, firstStepFlag: Double = 1, streams: [RandomStream]? = nil
  ) -> (RecurrentNetwork<Float>, Parameters<Float>, Trajectories) {
    let (policy, parameters, encoder) = Fixtures.policy(
      for: Fixtures.corridors, hidden: 5, seed: seed, firstStepFlag: firstStepFlag)
    let trajectories = Rollout.run(
      policy: policy, parameters: parameters, distribution: Fixtures.corridors,
      episodes: episodes, streams: streams ?? Fixtures.streams(seed: seed, count: trials),
      encoder: encoder)
    return (policy, parameters, trajectories)
  }

  /// The step-by-step GRU of the rollout (which carries its state across episode boundaries)
  /// and the batched whole-trial forward pass give the same log π(aₜ).
  func testBehaviourLogProbabilitiesMatchTheBatchedForwardPass() {
    let (policy, parameters, trajectories) = corridorRollout(trials: 6)
    let logits = Reference.logits(policy, parameters, trajectories)
    let logProbabilities = Categorical.logProbability(of: trajectories.actions, logits: logits)
    let live = trajectories.live.indices.filter { trajectories.live[$0] }
    assertElementsClose(
      live.map { trajectories.behaviourLogProbabilities[$0] }, live.map { logProbabilities[$0] },
      tolerance: 1e-5, scale: 1, "behaviour log π(aₜ) against the batched forward pass")
    XCTAssertLessThan(live.count, trajectories.live.count, "some trial should end early")
  }

  func testInputsFollowTheTrialContract() {
    for flag in [1.0, 0.0] {
      let (_, _, t) = corridorRollout(trials: 6, firstStepFlag: flag)
      let (T, B, I) = (t.stepCount, t.trialCount, t.inputs.shape[2])
      let (S, A) = (Fixtures.corridors.stateCount, Fixtures.corridors.actionCount)
      XCTAssertEqual([T, B, I], [episodes * Fixtures.corridors.horizon, 6, S + A + 2], "shape")
      for b in 0..<B {
        var (episodeIndex, episodeReturn) = (0, 0.0)
        for step in 0..<T {
          let i = step * B + b
          let input = (0..<I).map { Double(t.inputs[step, b, $0]) }
          let name = "flag \(flag), trial \(b), step \(step)"
          guard t.live[i] else {
            XCTAssertEqual(input, [Double](repeating: 0, count: I), "φ after the trial, \(name)")
            XCTAssertFalse(t.episodeEnded[i], "episode end after the trial, \(name)")
            XCTAssertEqual(t.rewards[i], 0, "reward after the trial, \(name)")
            continue
          }
          XCTAssertTrue(step == 0 || t.live[i - B], "live steps form a prefix, \(name)")
          let state = Array(input[0..<S])
          let action = Array(input[S..<(S + A)])
          XCTAssertEqual(state.reduce(0, +), 1, "one-hot state, \(name)")
          if step == 0 {
            XCTAssertEqual(action, [0, 0], "no previous action at the first step, \(name)")
            XCTAssertEqual(input[S + A], 0, "previous reward at the first step, \(name)")
            XCTAssertEqual(input[S + A + 1], flag, "flag at the first step, \(name)")
          } else {
            let previous = i - B
            XCTAssertEqual(action[t.actions[previous]], 1, "one-hot previous action, \(name)")
            XCTAssertEqual(action.reduce(0, +), 1, "one-hot previous action, \(name)")
            XCTAssertEqual(input[S + A], Double(t.rewards[previous]), "previous reward, \(name)")
            XCTAssertEqual(
              input[S + A + 1], t.episodeEnded[previous] ? 1 : 0, "previous flag, \(name)")
          }
          if step == 0 || t.episodeEnded[i - B] {
            XCTAssertEqual(state[0], 1, "an episode starts in cell 0, \(name)")
          }
          episodeReturn += Double(t.rewards[i])
          if t.episodeEnded[i] {
            XCTAssertEqual(
              t.episodeReturns[b][episodeIndex], episodeReturn, "return of episode \(episodeIndex)")
            (episodeIndex, episodeReturn) = (episodeIndex + 1, 0)
          }
        }
        XCTAssertEqual(episodeIndex, episodes, "episodes ended in trial \(b)")
      }
    }
  }

  func testBanditInputsCarryThePreviousPullWithFlagOne() {
    let (_, _, t) = Fixtures.banditBatch(trials: 3, episodes: 4, hidden: 3, seed: 52)
    for b in 0..<3 {
      XCTAssertEqual((0..<5).map { t.inputs[0, b, $0] }, [0, 0, 0, 0, 1], "φ₀ of trial \(b)")
      for step in 1..<4 {
        var expected: [Float] = [0, 0, 0, t.rewards[(step - 1) * 3 + b], 1]
        expected[t.actions[(step - 1) * 3 + b]] = 1
        XCTAssertEqual((0..<5).map { t.inputs[step, b, $0] }, expected, "φ of trial \(b), \(step)")
      }
    }
  }

  func testIsDeterministicAndIndependentOfHowTrialsAreSplit() {
    let streams = Fixtures.streams(seed: 53, count: 5)
    let (_, _, together) = corridorRollout(trials: 5, seed: 53, streams: streams)
    let (_, _, again) = corridorRollout(trials: 5, seed: 53, streams: streams)
    assertSameTrials(again, together, "a second run with the same streams", exact: true)
    for i in 0..<5 {
      let (_, _, alone) = corridorRollout(trials: 1, seed: 53, streams: [streams[i]])
      assertSameTrials(
        together.selecting(trials: i..<(i + 1)), alone, "trial \(i) in a batch of 5 and alone",
        exact: false)
    }
  }

  /// Steps, inputs and returns equal; behaviour log-probabilities equal bit for bit when `exact`,
  /// else to 1e-6 (a GEMM over other rows may round differently).
  func assertSameTrials(
    _ actual: Trajectories, _ expected: Trajectories, _ name: String, exact: Bool,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertEqual(actual.inputs, expected.inputs, "\(name): inputs", file: file, line: line)
    XCTAssertEqual(actual.actions, expected.actions, "\(name): actions", file: file, line: line)
    XCTAssertEqual(actual.rewards, expected.rewards, "\(name): rewards", file: file, line: line)
    XCTAssertEqual(actual.live, expected.live, "\(name): live", file: file, line: line)
    XCTAssertEqual(
      actual.episodeEnded, expected.episodeEnded, "\(name): episode ends", file: file, line: line)
    XCTAssertEqual(
      actual.episodeReturns, expected.episodeReturns, "\(name): episode returns", file: file,
      line: line)
    XCTAssertEqual(
      actual.optimalReturns, expected.optimalReturns, "\(name): optimal returns", file: file,
      line: line)
    if exact {
      assertBitIdentical(
        actual.behaviourLogProbabilities, expected.behaviourLogProbabilities,
        "\(name): behaviour log-probabilities", file: file, line: line)
    } else {
      assertElementsClose(
        actual.behaviourLogProbabilities, expected.behaviourLogProbabilities, tolerance: 1e-6,
        scale: 1, "\(name): behaviour log-probabilities", file: file, line: line)
    }
  }
}
