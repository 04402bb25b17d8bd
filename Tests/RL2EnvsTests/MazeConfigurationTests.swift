import Foundation
import RL2Envs
import RL2Math
import XCTest

/// Training and test configurations: deterministic, looked up by id alone, and disjoint.
final class MazeConfigurationTests: XCTestCase {
  func testTrainingAndTestSetsAreDisjoint() {
    struct Pair: Hashable {
      let maze: MazeLayout
      let target: MazeCell
    }
    func pairs(_ set: MazeConfigurationSet) -> Set<Pair> {
      Set(set.configurations.map { Pair(maze: $0.makeLayout(), target: $0.targetCell) })
    }
    let training = pairs(.training(size: 5))
    let test = pairs(.test(size: 5))
    XCTAssertGreaterThan(training.count, 990, "training pairs nearly all distinct")
    XCTAssertGreaterThan(test.count, 990, "test pairs nearly all distinct")
    XCTAssertTrue(training.isDisjoint(with: test), "no (maze, target) pair in both 5×5 sets")
    XCTAssertTrue(
      pairs(.training(size: 9, count: 100)).isDisjoint(with: pairs(.test(size: 9, count: 100))),
      "9×9 sets disjoint")
  }

  func testConfigurationsAreDeterministicAndIndependentOfCount() {
    let small = MazeConfigurationSet.training(size: 5, count: 10)
    let full = MazeConfigurationSet.training(size: 5)
    XCTAssertEqual(full.count, 1000)
    XCTAssertEqual(small.configuration(id: 7), full.configuration(id: 7))
    XCTAssertEqual(full.configuration(id: 999).id, 999)
    XCTAssertNotEqual(
      MazeConfigurationSet.training(size: 5, seed: 1).configuration(id: 0),
      MazeConfigurationSet.training(size: 5, seed: 2).configuration(id: 0), "seed matters")
    let configuration = full.configuration(id: 3)
    XCTAssertEqual(configuration.size, 5)
    XCTAssertEqual(configuration.makeLayout(), configuration.makeLayout())
    XCTAssertEqual(
      MazeConfigurationSet.side(of: configuration.makeLayout(), target: configuration.targetCell),
      .training)
  }

  func testConfigurationRoundTripsThroughJSON() throws {
    let configuration = MazeConfigurationSet.test(size: 9).configuration(id: 42)
    let data = try JSONEncoder().encode(configuration)
    XCTAssertEqual(try JSONDecoder().decode(MazeConfiguration.self, from: data), configuration)
  }
}
