import RL2Envs
import RL2Math
import RL2Nets
import XCTest

@testable import RL2Training

final class MazeRolloutTests: XCTestCase {
  func makeNetwork() -> (VisionNetwork<Float>, Parameters<Float>) {
    var architecture = VisionNetwork<Float>.Architecture()
    (architecture.filters, architecture.actionEmbedding) = (4, 4)
    (architecture.fullyConnected, architecture.hidden) = (8, 8)
    let network = VisionNetwork<Float>(input: VisionInputLayout(), architecture: architecture)
    var random = RandomStream(seed: 3)
    return (network, network.makeParameters(random: &random))
  }

  func roll(threads: Int) -> MazeRollout.Result {
    let (network, parameters) = makeNetwork()
    let saved = BLAS.threadCount
    BLAS.threadCount = threads
    defer { BLAS.threadCount = saved }
    var setting = TaskSetting(kind: .maze, episodes: 2)
    setting.mazeSize = 3
    let streams = (0..<5).map { RandomStream(seed: 11).stream(UInt64($0)) }
    return MazeRollout.run(
      network: network, parameters: parameters,
      configurations: MazeTrialSource.configurations(for: streams, setting: setting),
      episodes: 2, horizon: 15, streams: streams, firstStepFlag: 1)
  }

  /// Trials are functions of their streams and the weights, however the workers split them.
  func testTrialsDoNotDependOnTheWorkerSplit() {
    let one = roll(threads: 1)
    let two = roll(threads: 2)
    XCTAssertEqual(one.trajectories.actions, two.trajectories.actions)
    XCTAssertEqual(one.trajectories.rewards, two.trajectories.rewards)
    XCTAssertEqual(one.trajectories.inputs, two.trajectories.inputs)
    XCTAssertEqual(one.outcomes, two.outcomes)
  }

  /// The outcomes read back from the steps equal those the trials recorded, and the behaviour
  /// log-probabilities equal the policy's own over whole trials.
  func testOutcomesAndLogProbabilitiesAreConsistentWithTheSteps() {
    let result = roll(threads: 1)
    let read = MazeEvaluation.outcomes(of: result.trajectories)
    XCTAssertEqual(read.map(\.episodeLengths), result.outcomes.map(\.episodeLengths))
    XCTAssertEqual(read.map(\.successes), result.outcomes.map(\.successes))
    for outcome in result.outcomes {
      XCTAssertTrue(outcome.episodeLengths.allSatisfy { (1...15).contains($0) })
    }
    let (network, parameters) = makeNetwork()
    let t = result.trajectories
    let (logits, _) = network.policyForward(t.inputs, live: t.live, parameters)
    let logProbabilities = Categorical.logProbability(
      of: t.actions, logits: logits.reshaped([t.stepCount * t.trialCount, 4]))
    for row in 0..<t.live.count where t.live[row] {
      XCTAssertEqual(
        logProbabilities[row], t.behaviourLogProbabilities[row], accuracy: 1e-4, "row \(row)")
    }
  }
}
