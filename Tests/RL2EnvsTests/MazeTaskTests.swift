import RL2Envs
import RL2Math
import XCTest

/// Maze dynamics: walls are never crossed, rewards and termination follow the paper, start poses
/// are fresh and valid.
final class MazeTaskTests: XCTestCase {
  /// A 3×3 snake: east along row 0, down at column 2, west along row 1, down at column 0, east
  /// along row 2.
  static let snake: MazeLayout = {
    let (n, e, s, w) = (
      MazeDirection.north.bit, MazeDirection.east.bit, MazeDirection.south.bit,
      MazeDirection.west.bit
    )
    return MazeLayout(size: 3, openings: [e, e | w, w | s, e | s, e | w, w | n, e | n, e | w, w])
  }()

  func testRandomActionsNeverCrossAWall() {
    var random = RandomStream(seed: 60)
    for id in 0..<10 {
      let size = id < 8 ? 5 : 9
      let task = MazeTask(
        configuration: MazeConfigurationSet.training(size: size).configuration(id: id))
      let walls = Self.wallSegments(of: task.layout)
      var pose = task.startPose(random: &random)
      var hits = 0
      for step in 0..<400 {
        let draw = random.uniform()
        let action =
          draw < 0.6
          ? MazeTask.moveForward
          : draw < 0.7
            ? MazeTask.moveBackward
            : draw < 0.85 ? MazeTask.turnLeft : MazeTask.turnRight
        let outcome = task.step(from: pose, action: action)
        let (from, to) = (pose.cell, outcome.pose.cell)
        XCTAssertTrue(task.layout.contains(to), "left the maze at step \(step) of maze \(id)")
        XCTAssertLessThanOrEqual(from.manhattanDistance(to: to), 2, "one move, at most two cells")
        XCTAssertEqual(
          task.layout.shortestPathLength(from: from, to: to), from.manhattanDistance(to: to),
          "maze \(id) step \(step): \(from) → \(to) is not through open passages")
        let clearance = walls.map { $0.distance(to: outcome.pose) }.min()!
        XCTAssertGreaterThanOrEqual(
          clearance, task.physics.agentRadius - 1e-9,
          "maze \(id) step \(step): disc overlaps a wall")
        hits += outcome.hitWall ? 1 : 0
        pose = outcome.terminal ? task.startPose(random: &random) : outcome.pose
      }
      XCTAssertGreaterThan(hits, 0, "random moves hit walls in maze \(id)")
    }
  }

  func testRewardsWallHitsSlidingAndTermination() {
    let task = MazeTask(layout: Self.snake, target: MazeCell(row: 0, column: 2))
    let radius = task.physics.agentRadius
    let north = 3 * Double.pi / 2
    let turn = task.step(from: MazePose(x: 0.5, y: 0.5, heading: 0), action: MazeTask.turnLeft)
    XCTAssertEqual(turn.reward, -0.04)
    XCTAssertFalse(turn.terminal || turn.hitWall)
    XCTAssertEqual(turn.pose.heading, 2 * .pi - task.physics.turnAngle, accuracy: 1e-12)

    let free = task.step(from: MazePose(x: 0.5, y: 0.5, heading: 0), action: MazeTask.moveForward)
    XCTAssertEqual(free.pose.x, 0.5 + task.physics.moveDistance, accuracy: 1e-12)
    XCTAssertEqual(free.reward, -0.04)
    XCTAssertFalse(free.hitWall)

    let bump = task.step(
      from: MazePose(x: 0.5, y: 0.5, heading: north), action: MazeTask.moveForward)
    XCTAssertTrue(bump.hitWall)
    XCTAssertEqual(bump.reward, -0.041, accuracy: 1e-12)
    XCTAssertGreaterThanOrEqual(bump.pose.y, radius, "stopped at the northern wall")
    XCTAssertLessThan(bump.pose.y, radius + 0.06, "moved up to the wall, within one substep")

    let backward = task.step(
      from: MazePose(x: 0.5, y: 0.5, heading: 0), action: MazeTask.moveBackward)
    XCTAssertTrue(backward.hitWall, "backing into the western boundary")
    XCTAssertGreaterThanOrEqual(backward.pose.x, radius)

    let slide = task.step(
      from: MazePose(x: 0.5, y: 0.3, heading: 7 * .pi / 4), action: MazeTask.moveForward)
    XCTAssertTrue(slide.hitWall)
    XCTAssertEqual(slide.pose.x, 0.5 + task.physics.moveDistance / 2.squareRoot(), accuracy: 1e-9)
    XCTAssertLessThan(slide.pose.y, radius + 0.06, "slid along the northern wall")

    let goal = task.step(from: MazePose(x: 1.7, y: 0.5, heading: 0), action: MazeTask.moveForward)
    XCTAssertTrue(goal.terminal)
    XCTAssertEqual(goal.pose.cell, task.target)
    XCTAssertEqual(goal.reward, -0.04 + 1, accuracy: 1e-12)
    XCTAssertLessThan(goal.pose.x, 2.1, "the step ends where the centre enters the target cell")
  }

  func testHorizonIs250For5By5AndFourTimesThatFor9By9() {
    XCTAssertEqual(
      MazeTask(
        configuration: .init(id: 0, size: 5, mazeSeed: 1, targetCell: .init(row: 0, column: 0))
      ).horizon, 250)
    XCTAssertEqual(
      MazeTask(
        configuration: .init(id: 0, size: 9, mazeSeed: 1, targetCell: .init(row: 0, column: 0))
      ).horizon, 1000)
    XCTAssertEqual(
      MazeTask(layout: Self.snake, target: .init(row: 0, column: 0), horizon: 7).horizon, 7)
  }

  func testStartPosesAreValidFreshAndReproducible() {
    let task = MazeTask(layout: Self.snake, target: MazeCell(row: 1, column: 1))
    var random = RandomStream(seed: 61)
    var replay = random
    var cells = Set<MazeCell>()
    for _ in 0..<500 {
      let pose = task.startPose(random: &random)
      XCTAssertEqual(pose, task.startPose(random: &replay))
      XCTAssertNotEqual(pose.cell, task.target, "never starts in the target cell")
      let (u, v) = (pose.x - Double(pose.cell.column), pose.y - Double(pose.cell.row))
      let radius = task.physics.agentRadius
      XCTAssertTrue(u >= radius && u <= 1 - radius && v >= radius && v <= 1 - radius)
      XCTAssertTrue(pose.heading >= 0 && pose.heading < 2 * .pi)
      cells.insert(pose.cell)
    }
    XCTAssertEqual(cells.count, 8, "every other cell is a start cell")
  }

  /// An axis-aligned wall segment, for an independent clearance check.
  struct Segment {
    let x0, y0, x1, y1: Double

    func distance(to pose: MazePose) -> Double {
      let x = min(max(pose.x, x0), x1)
      let y = min(max(pose.y, y0), y1)
      return ((pose.x - x) * (pose.x - x) + (pose.y - y) * (pose.y - y)).squareRoot()
    }
  }

  /// Every closed side: the northern and western side of each cell, plus the southern and eastern
  /// boundary.
  static func wallSegments(of layout: MazeLayout) -> [Segment] {
    var segments: [Segment] = []
    let size = Double(layout.size)
    for cell in layout.cells {
      let (x, y) = (Double(cell.column), Double(cell.row))
      if !layout.isOpen(cell, .north) { segments.append(Segment(x0: x, y0: y, x1: x + 1, y1: y)) }
      if !layout.isOpen(cell, .west) { segments.append(Segment(x0: x, y0: y, x1: x, y1: y + 1)) }
    }
    segments.append(Segment(x0: 0, y0: size, x1: size, y1: size))
    segments.append(Segment(x0: size, y0: 0, x1: size, y1: size))
    return segments
  }
}
