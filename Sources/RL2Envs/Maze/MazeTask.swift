import RL2Math

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// N cells per side; positions are in cell units (a cell is 1 × 1; the paper's authors used 96 map
// units). x grows to the east (x ∈ [0, N), column ⌊x⌋) and y to the south (y ∈ [0, N), row ⌊y⌋).

/// Where the agent stands and which way it looks. The heading θ (radians, in [0, 2π)) points along
/// (cos θ, sin θ): 0 east, π/2 south. Because y grows southwards, turning left decreases θ.
public struct MazePose: Codable, Sendable, Equatable {
  public var x: Double
  public var y: Double
  public var heading: Double

  public init(x: Double, y: Double, heading: Double) {
    self.x = x
    self.y = y
    self.heading = heading
  }

  /// The cell the agent's centre is in.
  public var cell: MazeCell { MazeCell(row: Int(y.rounded(.down)), column: Int(x.rounded(.down))) }
}

/// What one step of a `MazeTask` produced.
public struct MazeStepOutcome: Sendable, Equatable {
  public var pose: MazePose
  public var reward: Double
  /// The target was reached: the episode ends here.
  public var terminal: Bool
  /// The agent touched a wall during this step (counted once per step).
  public var hitWall: Bool
}

/// How the agent moves. With the defaults an agent that knows the way (`MazeExplorer`) needs 39
/// steps on average to reach a 5×5 target from a random start (50 test configurations; longest
/// 116), close to the paper's 39–52 for trained agents: a cell takes 2½ moves, a right-angle
/// turn 3 turns.
public struct MazePhysics: Codable, Sendable, Equatable {
  /// Radians per turn action: 30°.
  public var turnAngle = Double.pi / 6
  /// Cell units per move action, forward and backward alike.
  public var moveDistance = 0.4
  /// The agent is a disc of this radius; it keeps at least this distance from every wall.
  public var agentRadius = 0.2

  public init() {}
}

/// One maze configuration made playable (RL², section 4.3): a first-person agent that turns and
/// moves in continuous space inside a perfect maze, until its centre enters the target cell.
///
/// Actions: 0 turn left, 1 turn right, 2 move forward, 3 move backward. Rewards per step:
/// r = −0.04 − 0.001·[wall hit] + 1·[target reached]; reaching the target ends the episode.
/// Movement is split into substeps of at most a quarter of the radius; each substep moves along x,
/// then along y, and drops the component that would bring the disc closer than its radius to a
/// wall, so the agent slides along walls and can never pass through one.
///
///     let task = MazeTask(configuration: MazeConfigurationSet.training(size: 5).configuration(id: 0))
///     var random = RandomStream(seed: 2).stream("start")
///     var pose = task.startPose(random: &random)
///     let outcome = task.step(from: pose, action: MazeTask.moveForward)
///     pose = outcome.pose
public struct MazeTask: Sendable, Equatable {
  public static let turnLeft = 0
  public static let turnRight = 1
  public static let moveForward = 2
  public static let moveBackward = 3
  public static let actionCount = 4

  public static let stepReward = -0.04
  public static let wallHitReward = -0.001
  public static let targetReward = 1.0

  public let layout: MazeLayout
  public let target: MazeCell
  public let physics: MazePhysics
  /// Steps per episode: 250 for 5×5 and 4× as many for 9×9 (`paperHorizon(size:)`).
  public let horizon: Int
  /// Per grid corner (row-major over the (N+1)×(N+1) corners), whether a wall ends or passes
  /// there, so the disc must keep its radius from it.
  private let isPost: [Bool]

  public init(
    layout: MazeLayout, target: MazeCell, physics: MazePhysics = MazePhysics(),
    horizon: Int? = nil
  ) {
    precondition(layout.contains(target), "target \(target) is outside the maze")
    precondition(
      physics.agentRadius > 0 && physics.agentRadius < 0.5,
      "the agent's radius must lie in (0, 0.5) cells, got \(physics.agentRadius)")
    precondition(physics.moveDistance > 0, "the move distance must be positive")
    self.layout = layout
    self.target = target
    self.physics = physics
    self.horizon = horizon ?? Self.paperHorizon(size: layout.size)
    precondition(self.horizon >= 1, "the horizon must be at least 1 step, got \(self.horizon)")
    self.isPost = Self.posts(of: layout)
  }

  public init(configuration: MazeConfiguration, physics: MazePhysics = MazePhysics()) {
    self.init(
      layout: configuration.makeLayout(), target: configuration.targetCell, physics: physics)
  }

  /// 250 steps up to 5×5 cells, 1000 above (the paper's 5×5 and 9×9 settings).
  public static func paperHorizon(size: Int) -> Int { size <= 5 ? 250 : 1000 }

  /// A fresh start: a uniformly chosen cell other than the target, a uniform position in it at
  /// least the agent's radius from its sides, and a uniform heading.
  public func startPose(random: inout RandomStream) -> MazePose {
    let size = layout.size
    var index = Int(random.uniform() * Double(layout.cellCount - 1))
    if index >= layout.index(of: target) { index += 1 }
    let margin = physics.agentRadius
    let x = Double(index % size) + margin + random.uniform() * (1 - 2 * margin)
    let y = Double(index / size) + margin + random.uniform() * (1 - 2 * margin)
    return MazePose(x: x, y: y, heading: random.uniform() * 2 * .pi)
  }

  /// The deterministic effect of `action` taken at `pose`.
  public func step(from pose: MazePose, action: Int) -> MazeStepOutcome {
    precondition(
      action >= 0 && action < Self.actionCount, "action \(action) not in 0..<\(Self.actionCount)")
    var next = pose
    var hitWall = false
    var reached = false
    switch action {
    case Self.turnLeft: next.heading = Self.normalized(pose.heading - physics.turnAngle)
    case Self.turnRight: next.heading = Self.normalized(pose.heading + physics.turnAngle)
    default:
      let sign: Double = action == Self.moveForward ? 1 : -1
      let substeps = (physics.moveDistance / (physics.agentRadius / 4)).rounded(.up)
      let dx = sign * physics.moveDistance * cos(pose.heading) / substeps
      let dy = sign * physics.moveDistance * sin(pose.heading) / substeps
      for _ in 0..<Int(substeps) where !reached {
        if isClear(x: next.x + dx, y: next.y) { next.x += dx } else { hitWall = true }
        if isClear(x: next.x, y: next.y + dy) { next.y += dy } else { hitWall = true }
        reached = next.cell == target
      }
    }
    let reward =
      Self.stepReward + (hitWall ? Self.wallHitReward : 0) + (reached ? Self.targetReward : 0)
    return MazeStepOutcome(pose: next, reward: reward, terminal: reached, hitWall: hitWall)
  }

  /// Whether a disc at (x, y) keeps its radius from the sides of its cell that are walls and
  /// from the cell's corners where a wall ends. Nothing else is in reach: the radius is below half
  /// a cell, and a wall that leaves a corner outwards is nearest to the disc at that corner.
  private func isClear(x: Double, y: Double) -> Bool {
    let size = layout.size
    guard x > 0 && y > 0 && x < Double(size) && y < Double(size) else { return false }
    let column = Int(x), row = Int(y)
    let (u, v) = (x - Double(column), y - Double(row))
    let radius = physics.agentRadius
    let openings = layout.openings[row * size + column]
    let closed = { (direction: MazeDirection) in openings & direction.bit == 0 }
    if (closed(.west) && u < radius) || (closed(.east) && 1 - u < radius)
      || (closed(.north) && v < radius) || (closed(.south) && 1 - v < radius)
    {
      return false
    }
    for (cornerRow, cornerColumn) in [
      (row, column), (row, column + 1), (row + 1, column),
      (row + 1, column + 1),
    ]
    where isPost[cornerRow * (size + 1) + cornerColumn] {
      let (du, dv) = (x - Double(cornerColumn), y - Double(cornerRow))
      if du * du + dv * dv < radius * radius { return false }
    }
    return true
  }

  /// A corner is a post when any of the up to four wall segments meeting there is closed; every
  /// corner on the outer boundary is one.
  private static func posts(of layout: MazeLayout) -> [Bool] {
    let size = layout.size
    func isWall(_ cell: MazeCell, _ direction: MazeDirection) -> Bool {
      layout.contains(cell) && layout.contains(cell.moved(direction))
        ? !layout.isOpen(cell, direction) : true
    }
    var posts = [Bool](repeating: false, count: (size + 1) * (size + 1))
    for row in 0...size {
      for column in 0...size {
        let northWest = MazeCell(row: row - 1, column: column - 1)
        let southEast = MazeCell(row: row, column: column)
        posts[row * (size + 1) + column] =
          isWall(northWest, .east) || isWall(northWest, .south) || isWall(southEast, .west)
          || isWall(southEast, .north)
      }
    }
    return posts
  }

  /// The angle in [0, 2π).
  static func normalized(_ angle: Double) -> Double {
    let turns = (angle / (2 * .pi)).rounded(.down)
    let reduced = angle - turns * 2 * .pi
    return reduced < 2 * .pi ? reduced : 0
  }
}
