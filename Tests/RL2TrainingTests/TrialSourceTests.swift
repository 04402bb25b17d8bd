import Foundation
import RL2Envs
import RL2Math
import RL2Nets
import XCTest

@testable import RL2Training

/// A source that records what the learner asked for, around the local sampler.
struct RecordingTrialSource: TrialSource {
  var inner: LocalTrialSource<BernoulliBanditDistribution>
  var requests: [(iteration: Int, weightsVersion: Int)] = []

  mutating func trials(
    iteration: Int, weightsVersion: Int, parameters: Parameters<Float>
  ) throws -> Trajectories {
    requests.append((iteration, weightsVersion))
    return inner.trials(
      iteration: iteration, weightsVersion: weightsVersion, parameters: parameters)
  }
}

final class TrialSourceTests: XCTestCase {
  /// The trainer takes its trials from the source it is given, asking once per iteration with the
  /// current weights version, and learns exactly as with its own sampler.
  func makeRunDirectory() throws -> RunDirectory {
    let url = try Fixtures.makeTemporaryDirectory()
    addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return RunDirectory(url: url)
  }

  func testTrainerDrawsEachIterationFromItsSource() throws {
    var configuration = TrainingConfiguration(task: TaskSetting(kind: .bandit, episodes: 3))
    configuration.task.arms = 3
    configuration.hidden = 4
    configuration.batchSteps = 30
    configuration.iterations = 3
    configuration.evaluationInstances = 0
    let distribution = BernoulliBanditDistribution(arms: 3)
    let policy = RecurrentNetwork<Float>.policy(
      inputCount: distribution.makeEncoder().width, hiddenCount: 4, actionCount: 3)
    let local = LocalTrialSource(
      distribution: distribution, policy: policy, episodes: 3, encoder: distribution.makeEncoder(),
      trialsPerIteration: configuration.trialsPerIteration,
      random: RandomStream(seed: configuration.seed))
    let recording = RecordingTrialSource(inner: local)
    var withSource = try Trainer(
      configuration: configuration, distribution: distribution,
      run: try makeRunDirectory(), resume: false, source: recording)
    _ = try withSource.train(report: { _ in })
    let requests = (withSource.source as? RecordingTrialSource)?.requests ?? []
    XCTAssertEqual(requests.map(\.iteration), [0, 1, 2])
    XCTAssertEqual(requests.map(\.weightsVersion), [0, 1, 2])

    var plain = try Trainer(
      configuration: configuration, distribution: distribution,
      run: try makeRunDirectory(), resume: false)
    _ = try plain.train(report: { _ in })
    XCTAssertEqual(Array(withSource.policyParameters.values), Array(plain.policyParameters.values))
  }
}
