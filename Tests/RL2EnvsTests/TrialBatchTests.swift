import RL2Envs
import RL2Math
import RL2Nets
import XCTest

/// Trials stepped in lockstep: each a pure function of its stream, independent of its neighbours.
final class TrialBatchTests: XCTestCase {
  let mdps = RandomMDPDistribution(stateCount: 4, actionCount: 3, horizon: 5)
  let streams = (0..<4).map { RandomStream(seed: 10).stream(UInt64($0)) }

  /// What a trial showed and paid at every step, playing actions from `actionStreams[i]`.
  struct Record: Equatable {
    var inputs: [[Double]] = []
    var rewards: [Double] = []
    var episodeEnded: [Bool] = []
  }

  func play<D: TaskDistribution>(
    _ batch: inout TrialBatch<D>, actionStreams: [RandomStream]
  ) -> [Record] {
    var actionStreams = actionStreams
    var records = [Record](repeating: Record(), count: batch.count)
    var rewards: [Double] = []
    var ended: [Bool] = []
    var inputs = [Double](repeating: 0, count: batch.count * batch.encoder.width)
    while !batch.isFinished {
      inputs.withUnsafeMutableBufferPointer { batch.encodeInputs(into: $0.baseAddress!) }
      let actions = actionStreams.indices.map {
        actionStreams[$0].integer(below: batch.distribution.actionCount)
      }
      batch.step(actions: actions, rewards: &rewards, episodeEnded: &ended)
      for i in records.indices {
        let width = batch.encoder.width
        records[i].inputs.append(Array(inputs[(i * width)..<((i + 1) * width)]))
        records[i].rewards.append(rewards[i])
        records[i].episodeEnded.append(ended[i])
      }
    }
    return records
  }

  func testEachTrialMatchesASingleTrialBatchOnItsStream() {
    let actionStreams = streams.map { $0.stream("actions") }
    var batch = TrialBatch(distribution: mdps, episodes: 3, streams: streams)
    let records = play(&batch, actionStreams: actionStreams)
    for i in streams.indices {
      var single = TrialBatch(distribution: mdps, episodes: 3, streams: [streams[i]])
      XCTAssertEqual(single.trials[0].task, batch.trials[i].task, "task of trial \(i)")
      let alone = play(&single, actionStreams: [actionStreams[i]])
      XCTAssertEqual(alone[0], records[i], "trial \(i) alone and in a batch of \(streams.count)")
      XCTAssertEqual(
        single.trials[0].episodeReturns, batch.trials[i].episodeReturns, "returns of trial \(i)")
    }
  }

  func testTrialIsAPureFunctionOfItsStream() {
    let bandits = BernoulliBanditDistribution(arms: 5)
    let actionStreams = [RandomStream(seed: 11)]
    for stream in streams {
      var first = TrialBatch(distribution: mdps, episodes: 2, streams: [stream])
      var second = TrialBatch(distribution: mdps, episodes: 2, streams: [stream])
      XCTAssertEqual(first.trials[0].task, second.trials[0].task, "MDP from stream \(stream.key)")
      XCTAssertEqual(
        play(&first, actionStreams: actionStreams), play(&second, actionStreams: actionStreams),
        "states and rewards of an MDP trial replayed from stream \(stream.key)")
      var banditFirst = TrialBatch(distribution: bandits, episodes: 20, streams: [stream])
      var banditSecond = TrialBatch(distribution: bandits, episodes: 20, streams: [stream])
      XCTAssertEqual(
        play(&banditFirst, actionStreams: actionStreams),
        play(&banditSecond, actionStreams: actionStreams),
        "rewards of a bandit trial replayed from stream \(stream.key)")
    }
    let tasks = TrialBatch(distribution: mdps, episodes: 1, streams: streams).trials.map(\.task)
    let bandit = TrialBatch(distribution: bandits, episodes: 1, streams: streams).trials
      .map(\.task)
    for i in streams.indices {
      for j in streams.indices where j > i {
        XCTAssertNotEqual(tasks[i], tasks[j], "MDPs from streams \(i) and \(j)")
        XCTAssertNotEqual(bandit[i], bandit[j], "bandits from streams \(i) and \(j)")
      }
    }
  }

  func testEncodeInputsWritesOneRowPerTrial() {
    var batch = TrialBatch(distribution: mdps, episodes: 2, streams: Array(streams.prefix(3)))
    let width = batch.encoder.width
    XCTAssertEqual(width, 4 + 3 + 2, "I = S + A + 2")
    var rewards: [Double] = []
    var ended: [Bool] = []
    batch.step(actions: [0, 1, 2], rewards: &rewards, episodeEnded: &ended)
    var rows = [Float](repeating: .nan, count: 3 * width)
    rows.withUnsafeMutableBufferPointer { batch.encodeInputs(into: $0.baseAddress!) }
    for (i, trial) in batch.trials.enumerated() {
      let expected = encodedRow(trial, batch.encoder).map { Float($0) }
      XCTAssertEqual(Array(rows[(i * width)..<((i + 1) * width)]), expected, "row \(i) of [B, I]")
      XCTAssertEqual(rows[i * width + 4 + i], 1, "row \(i): one-hot of its previous action \(i)")
    }
  }

  func testLiveAndIsFinishedFollowTrialsThatEndEarly() {
    let corridors = CorridorDistribution(length: 3, horizon: 4)
    var batch = TrialBatch(distribution: corridors, episodes: 1, streams: Array(streams.prefix(3)))
    XCTAssertEqual(batch.maximumLength, 4, "maximumLength = episodes × horizon")
    // Trial 0 walks forward (goal after 2 steps); the others walk back until the horizon.
    let forward = batch.trials.map(\.task.forwardAction)
    let actions = [forward[0], 1 - forward[1], 1 - forward[2]]
    var rewards: [Double] = []
    var ended: [Bool] = []
    var rows = [Double](repeating: .nan, count: 3 * batch.encoder.width)
    for step in 0..<4 {
      XCTAssertFalse(batch.isFinished, "batch finished before step \(step)")
      batch.step(actions: actions, rewards: &rewards, episodeEnded: &ended)
      XCTAssertEqual(batch.live, [step < 1, step < 3, step < 3], "live after step \(step)")
      if step == 1 { XCTAssertTrue(rewards[0] == 1 && ended[0], "trial 0 reaches the goal") }
      if step > 1 {
        XCTAssertTrue(rewards[0] == 0 && !ended[0], "finished trial 0 at step \(step)")
      }
    }
    XCTAssertTrue(batch.isFinished, "every trial finished after the horizon")
    XCTAssertEqual(batch.live, [false, false, false], "live of a finished batch")
    XCTAssertEqual(batch.trials.map(\.episodeReturns), [[1], [0], [0]], "returns")
    // Two steps in, trial 0 has finished and the others are inside their episode.
    batch = TrialBatch(distribution: corridors, episodes: 1, streams: Array(streams.prefix(3)))
    for _ in 0..<2 { batch.step(actions: actions, rewards: &rewards, episodeEnded: &ended) }
    rows.withUnsafeMutableBufferPointer { batch.encodeInputs(into: $0.baseAddress!) }
    let width = batch.encoder.width
    XCTAssertEqual(
      Array(rows[0..<width]), [Double](repeating: 0, count: width), "row of a finished trial")
    XCTAssertEqual(rows[width + width - 1], 0, "flag of a live trial inside its episode")
  }

  func testEncoderAndNameFollowTheDistribution() {
    let bandits = BernoulliBanditDistribution(arms: 5)
    let encoder = bandits.makeEncoder()
    XCTAssertEqual(encoder, TrialInputEncoder(stateCount: 1, actionCount: 5, firstStepFlag: 1))
    XCTAssertEqual(encoder.width, 7, "bandit φ width k + 2")
    XCTAssertEqual(bandits.makeEncoder(firstStepFlag: 0).firstStepFlag, 0, "firstStepFlag")
    XCTAssertEqual(
      TrialBatch(distribution: bandits, episodes: 10, streams: streams).encoder, encoder,
      "the convenience initializer's encoder")
    XCTAssertEqual(bandits.name, "bandit-k5")
    XCTAssertEqual(RandomMDPDistribution().name, "mdp-s10-a5-h10")
    XCTAssertEqual(
      RandomMDPDistribution(rewardMeanPriorMean: 0, rewardMeanPriorStandardDeviation: 0.5).name,
      "mdp-s10-a5-h10-mu0-sd0.5")
    XCTAssertEqual(CorridorDistribution(length: 4, horizon: 8).name, "corridor-l4-h8")
    XCTAssertEqual(
      TrialBatch(distribution: RandomMDPDistribution(), episodes: 10, streams: streams)
        .maximumLength, 100, "maximumLength of MDP trials")
  }
}
