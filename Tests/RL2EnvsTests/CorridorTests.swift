import RL2Envs
import RL2Math
import XCTest

/// The corridor test double: deterministic, terminal at the goal, forward action drawn per task.
final class CorridorTests: XCTestCase {
  func testForwardReachesTheGoalAndBackStopsAtTheWall() {
    var random = RandomStream(seed: 30)
    for forward in [0, 1] {
      let corridor = Corridor(length: 4, horizon: 6, forwardAction: forward)
      XCTAssertEqual(corridor.initialState(random: &random), 0)
      XCTAssertEqual(
        corridor.step(state: 0, action: 1 - forward, random: &random),
        StepOutcome(reward: 0, nextState: 0), "back at the wall")
      XCTAssertEqual(
        corridor.step(state: 1, action: forward, random: &random),
        StepOutcome(reward: 0, nextState: 2), "forward inside the corridor")
      XCTAssertEqual(
        corridor.step(state: 2, action: forward, random: &random),
        StepOutcome(reward: 1, nextState: 3, terminal: true), "forward into the goal")
      XCTAssertEqual(
        corridor.step(state: 2, action: 1 - forward, random: &random),
        StepOutcome(reward: 0, nextState: 1), "back from cell 2")
      XCTAssertEqual(corridor.optimalEpisodeReturn, 1)
    }
    XCTAssertEqual(
      Corridor(length: 4, horizon: 2, forwardAction: 0).optimalEpisodeReturn, 0,
      "goal out of reach within the horizon")
  }

  func testDistributionDrawsBothForwardActions() {
    let distribution = CorridorDistribution(length: 5, horizon: 8)
    var random = RandomStream(seed: 31)
    let forward = (0..<2000).map { _ in distribution.sampleTask(random: &random).forwardAction }
    XCTAssertEqual(Set(forward), [0, 1], "forward actions drawn")
    let share = Double(forward.filter { $0 == 1 }.count) / 2000
    assertWithinFourStandardErrors(
      share, 0.5, standardError: (0.25 / 2000).squareRoot(), "share of forward action 1")
  }
}
