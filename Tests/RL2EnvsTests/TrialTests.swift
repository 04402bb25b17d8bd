import RL2Envs
import RL2Math
import RL2Nets
import XCTest

/// The trial contract of DESIGN.md: φ(s_t, a_{t−1}, r_{t−1}, d_{t−1}) with a placeholder at the
/// trial's first step, d = 1 at the first step of every later episode, n episodes per trial.
final class TrialTests: XCTestCase {
  // S states, A actions, H horizon, n episodes.
  let (S, A, H, n) = (3, 2, 4, 3)

  func makeMDPTrial(seed: UInt64) -> Trial<TabularMDP> {
    var random = RandomStream(seed: seed)
    let task = RandomMDPDistribution(stateCount: S, actionCount: A, horizon: H)
      .sampleTask(random: &random)
    return Trial(task: task, episodes: n, random: random.stream("dynamics"))
  }

  func testFirstStepInputIsThePlaceholder() {
    let mdps = RandomMDPDistribution(stateCount: S, actionCount: A, horizon: H)
    let bandits = BernoulliBanditDistribution(arms: 4)
    for flag in [1.0, 0.0] {
      // [one-hot state 0 | no action | reward 0 | flag]
      let mdpEncoder = mdps.makeEncoder(firstStepFlag: flag)
      XCTAssertEqual(
        encodedRow(makeMDPTrial(seed: 1), mdpEncoder), [1, 0, 0, 0, 0, 0, flag],
        "MDP φ at the trial's first step, firstStepFlag \(flag)")
      // Bandits have no state part: [no action | reward 0 | flag].
      var random = RandomStream(seed: 2)
      let bandit = Trial(task: bandits.sampleTask(random: &random), episodes: 5, random: random)
      XCTAssertEqual(
        encodedRow(bandit, bandits.makeEncoder(firstStepFlag: flag)), [0, 0, 0, 0, 0, flag],
        "bandit φ at the trial's first step, firstStepFlag \(flag)")
    }
    XCTAssertNil(makeMDPTrial(seed: 1).previous, "previous at the trial's first step")
  }

  func testEveryStepSeesThePreviousActionRewardAndEpisodeEnd() {
    let encoder = TrialInputEncoder(stateCount: S, actionCount: A)
    var trial = makeMDPTrial(seed: 3)
    var actionRandom = RandomStream(seed: 4)
    var last: (action: Int, reward: Double, ended: Bool)? = nil
    for t in 0..<(n * H) {
      XCTAssertEqual(trial.episodeIndex, t / H, "episodeIndex at step \(t)")
      XCTAssertEqual(trial.stepInEpisode, t % H, "stepInEpisode at step \(t)")
      if t % H == 0 { XCTAssertEqual(trial.state, 0, "state at the start of episode \(t / H)") }
      let row = encodedRow(trial, encoder)
      var expected = [Double](repeating: 0, count: encoder.width)
      expected[trial.state] = 1
      if let last {
        expected[S + last.action] = 1
        expected[S + A] = last.reward
        expected[S + A + 1] = last.ended ? 1 : 0
        XCTAssertEqual(last.ended, t % H == 0, "d before step \(t) (episode boundary)")
      } else {
        expected[S + A + 1] = encoder.firstStepFlag
      }
      XCTAssertEqual(row, expected, "φ at step \(t)")
      let action = actionRandom.integer(below: A)
      let (reward, ended) = trial.step(action)
      XCTAssertEqual(ended, (t + 1) % H == 0, "episodeEnded returned by step \(t)")
      last = (action, reward, ended)
    }
    XCTAssertTrue(trial.isFinished, "finished after episodes × horizon = \(n * H) steps")
  }

  func testPreviousStateInputShowsTheWholeTransition() {
    let mdps = RandomMDPDistribution(stateCount: S, actionCount: A, horizon: H)
    let encoder = mdps.makeEncoder(previousState: true)
    let plain = mdps.makeEncoder()
    XCTAssertEqual(encoder.width, plain.width + S)
    XCTAssertEqual(
      BernoulliBanditDistribution(arms: 4).makeEncoder(previousState: true).width, 6,
      "a bandit has one state: no previous-state part")
    var trial = makeMDPTrial(seed: 5)
    var actionRandom = RandomStream(seed: 6)
    var previousState: Int? = nil
    for t in 0..<(n * H) {
      let row = encodedRow(trial, encoder)
      // [s_t | s_{t−1} | a_{t−1} | r_{t−1} | d_{t−1}]: the plain φ with s_{t−1} after s_t.
      var expected = encodedRow(trial, plain)
      var previousPart = [Double](repeating: 0, count: S)
      if let previousState { previousPart[previousState] = 1 }
      expected.insert(contentsOf: previousPart, at: S)
      XCTAssertEqual(row, expected, "φ at step \(t)")
      XCTAssertEqual(trial.previousState, previousState, "s_{t−1} at step \(t)")
      previousState = trial.state
      trial.step(actionRandom.integer(below: A))
    }
  }

  func testPreviousPairInputFilesTheRewardUnderItsPair() {
    XCTAssertEqual(
      BernoulliBanditDistribution(arms: 4).makeEncoder(previousPair: true).width, 6,
      "a bandit has one state: no pair part")
    for previousState in [false, true] {
      checkPairPart(withPreviousState: previousState)
    }
  }

  /// The pair part follows φ (with or without s_{t−1}) over a whole trial, episode ends included.
  func checkPairPart(withPreviousState previousState: Bool) {
    let mdps = RandomMDPDistribution(stateCount: S, actionCount: A, horizon: H)
    let encoder = mdps.makeEncoder(previousState: previousState, previousPair: true)
    let withoutPair = mdps.makeEncoder(previousState: previousState)
    XCTAssertEqual(encoder.width, withoutPair.width + 2 * S * A)
    var trial = makeMDPTrial(seed: 7)
    var actionRandom = RandomStream(seed: 8)
    var last: (pair: Int, reward: Double)? = nil
    for t in 0..<(n * H) {
      // [φ | one-hot (s_{t−1}, a_{t−1}) | r_{t−1} at (s_{t−1}, a_{t−1})]
      var expected = encodedRow(trial, withoutPair)
      var pairPart = [Double](repeating: 0, count: 2 * S * A)
      if let last {
        pairPart[last.pair] = 1
        pairPart[S * A + last.pair] = last.reward
      }
      expected += pairPart
      XCTAssertEqual(
        encodedRow(trial, encoder), expected, "φ at step \(t), previous state \(previousState)")
      let (state, action) = (trial.state, actionRandom.integer(below: A))
      let (reward, _) = trial.step(action)
      last = (state * A + action, reward)
    }
  }

  func testEpisodeReturnsAddUpToTheTotalReturn() {
    var trial = makeMDPTrial(seed: 5)
    var actionRandom = RandomStream(seed: 6)
    var returns = [Double](repeating: 0, count: n)
    var steps = 0
    while !trial.isFinished {
      let episode = trial.episodeIndex
      returns[episode] += trial.step(actionRandom.integer(below: A)).reward
      steps += 1
      XCTAssertEqual(trial.isFinished, steps == n * H, "isFinished after \(steps) steps")
    }
    XCTAssertEqual(steps, n * H, "steps in a trial")
    XCTAssertEqual(trial.maximumLength, n * H, "maximumLength")
    XCTAssertEqual(trial.stepCount, n * H, "stepCount")
    XCTAssertEqual(trial.episodeIndex, n, "episodeIndex of a finished trial")
    XCTAssertEqual(trial.episodeReturns, returns, "per-episode returns")
    XCTAssertEqual(trial.episodeLengths, [Int](repeating: H, count: n), "episode lengths")
    assertClose(trial.totalReturn, returns.reduce(0, +), tolerance: 1e-12, "totalReturn")
    XCTAssertTrue(returns.allSatisfy { $0 != 0 }, "every episode earned a (Gaussian) reward")
  }

  func testReturnsOfEpisodesNotYetPlayedAreZero() {
    var trial = makeMDPTrial(seed: 7)
    XCTAssertEqual(trial.episodeReturns, [0, 0, 0], "returns before the first step")
    for _ in 0..<H { trial.step(0) }
    XCTAssertNotEqual(trial.episodeReturns[0], 0, "return of the episode played")
    XCTAssertEqual(Array(trial.episodeReturns[1...]), [0, 0], "returns of episodes not played")
  }

  func testBanditTrialOfNEpisodesHasNSteps() {
    var random = RandomStream(seed: 8)
    let bandit = BernoulliBanditDistribution(arms: 3).sampleTask(random: &random)
    let encoder = TrialInputEncoder(stateCount: 1, actionCount: 3)
    var trial = Trial(task: bandit, episodes: 7, random: random)
    var steps = 0
    while !trial.isFinished {
      if steps > 0 {
        XCTAssertEqual(encodedRow(trial, encoder)[4], 1, "d before pull \(steps)")
      }
      XCTAssertTrue(trial.step(steps % 3).episodeEnded, "pull \(steps) ends its episode")
      steps += 1
    }
    XCTAssertEqual(steps, 7, "pulls in a 7-episode bandit trial")
    XCTAssertEqual(trial.maximumLength, 7, "maximumLength")
    XCTAssertEqual(trial.totalReturn, trial.episodeReturns.reduce(0, +), "totalReturn")
  }

  func testTerminalStepEndsTheEpisodeEarly() {
    let corridor = Corridor(length: 3, horizon: 5, forwardAction: 1)
    let encoder = TrialInputEncoder(stateCount: 3, actionCount: 2)
    var trial = Trial(task: corridor, episodes: 2, random: RandomStream(seed: 9))
    // Episode 1: back (stays in 0), forward, forward into the goal.
    XCTAssertTrue(trial.step(0) == (0, false), "back from cell 0")
    XCTAssertTrue(trial.step(1) == (0, false), "forward to cell 1")
    XCTAssertTrue(trial.step(1) == (1, true), "forward into the goal ends the episode")
    XCTAssertEqual(trial.state, 0, "episode 2 starts in cell 0")
    XCTAssertEqual(encodedRow(trial, encoder), [1, 0, 0, 0, 1, 1, 1], "φ after the goal")
    // Episode 2: always back, so it runs to the horizon.
    for step in 0..<5 {
      XCTAssertEqual(trial.step(0).episodeEnded, step == 4, "episode 2, step \(step)")
    }
    XCTAssertTrue(trial.isFinished, "finished after two episodes")
    XCTAssertEqual(trial.episodeReturns, [1, 0], "episode returns")
    XCTAssertEqual(trial.episodeLengths, [3, 5], "episode lengths")
    XCTAssertEqual(trial.stepCount, 8, "steps taken")
    XCTAssertEqual(trial.maximumLength, 10, "maximumLength bounds the steps")
  }
}
