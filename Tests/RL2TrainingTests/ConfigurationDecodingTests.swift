import Foundation
import XCTest

@testable import RL2Training

final class ConfigurationDecodingTests: XCTestCase {
  /// A config.json from before `fisherSubsample` and the value settings existed still loads,
  /// with those settings at their defaults.
  func testMissingKeysTakeTheirDefaults() throws {
    let json = """
      {"task": {"kind": "mdp", "episodes": 25}, "hidden": 32, "trpo": {"maxKL": 0.02}}
      """
    let configuration = try JSONDecoder().decode(TrainingConfiguration.self, from: Data(json.utf8))
    XCTAssertEqual(configuration.task.kind, .mdp)
    XCTAssertEqual(configuration.task.episodes, 25)
    XCTAssertEqual(configuration.task.states, 10)
    XCTAssertEqual(configuration.hidden, 32)
    XCTAssertEqual(configuration.trpo.maxKL, 0.02)
    XCTAssertEqual(configuration.trpo.fisherSubsample, TRPO.Configuration().fisherSubsample)
    XCTAssertEqual(configuration.value, ValueBaseline.Configuration())
    XCTAssertFalse(configuration.previousStateInput, "runs before the option had the paper's φ")
    XCTAssertFalse(configuration.previousPairInput, "runs before the option had the paper's φ")
    XCTAssertEqual(
      configuration.batchSteps, TrainingConfiguration(task: configuration.task).batchSteps)
  }

  func testEncodingRoundTrips() throws {
    var configuration = TrainingConfiguration(task: TaskSetting(kind: .bandit, episodes: 100))
    configuration.algorithm = .firstOrder
    configuration.trpo.fisherSubsample = 0.5
    configuration.value.epochs = 3
    configuration.previousStateInput = true
    configuration.previousPairInput = true
    let data = try JSONEncoder().encode(configuration)
    XCTAssertEqual(try JSONDecoder().decode(TrainingConfiguration.self, from: data), configuration)
  }

  func testAMissingRequiredKeyIsAnError() {
    XCTAssertThrowsError(
      try JSONDecoder().decode(TrainingConfiguration.self, from: Data(#"{"hidden": 3}"#.utf8)))
  }
}

final class TaskSettingNameTests: XCTestCase {
  func testNamesParseBackIntoTheirSettings() throws {
    var bandit = TaskSetting(kind: .bandit, episodes: 500)
    bandit.arms = 50
    var mdp = TaskSetting(kind: .mdp, episodes: 25)
    mdp.states = 7
    for setting in [bandit, mdp] {
      XCTAssertEqual(try TaskSetting(name: setting.name), setting, setting.name)
    }
    for bad in ["bandit-k5", "mdp-s10-a5-n10", "maze-5", "bandit-kx-n10"] {
      XCTAssertThrowsError(try TaskSetting(name: bad), bad)
    }
  }
}
