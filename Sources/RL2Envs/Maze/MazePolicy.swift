import RL2Math

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What a maze agent is given before each step: φ(s_t, a_{t−1}, r_{t−1}, d_{t−1}) with s_t the
/// first-person view, plus the true pose for scripted agents (a learned policy must ignore it).
public struct MazeAgentInput {
  /// The view, H·W·3 values (HWC) in [−1, 1]; valid only during the call it is passed to.
  public var observation: UnsafeBufferPointer<Float>
  /// a_{t−1}; nil at the trial's first step.
  public var previousAction: Int?
  /// r_{t−1}; 0 at the trial's first step.
  public var previousReward: Double
  /// d_{t−1}: the previous step ended an episode.
  public var previousStepEndedEpisode: Bool
  /// Privileged information: where the agent really is.
  public var pose: MazePose
}

/// Anything that picks maze actions (0 turn left, 1 turn right, 2 forward, 3 backward): a scripted
/// agent, or a trained network driven through its recurrent state.
///
///     var policy = MazeExplorer(task: task)
///     let action = policy.action(for: input)
public protocol MazePolicy {
  mutating func action(for input: MazeAgentInput) -> Int
}

/// Uniformly random actions from its own stream.
public struct MazeRandomPolicy: MazePolicy {
  private var random: RandomStream

  public init(random: RandomStream) { self.random = random }

  public mutating func action(for input: MazeAgentInput) -> Int {
    Int(random.uniform() * Double(MazeTask.actionCount))
  }
}

/// A scripted agent that knows the maze and the target: it follows the breadth-first shortest
/// path, cell by cell, aiming at the centre of the next cell on the path. It moves forward when
/// the aim lies within half a turn of its heading and turns towards the aim otherwise.
///
/// The straight line to the next centre crosses the doorway at offset |o|·½/(a + ½) from the
/// passage axis, where o is the agent's offset from that axis and a its distance to the doorway.
/// When that exceeds `doorwayMargin` less than the clearance ½ − radius, the agent aims at the
/// centre of its own cell instead, which moves it away from the doorway's edge until the
/// straight line fits.
///
/// Not a learner: it shows what a good agent's trajectory looks like and that every target is
/// reachable well within the horizon.
public struct MazeExplorer: MazePolicy {
  /// How far inside the doorway's clearance the straight line must cross, leaving room for the
  /// heading being up to half a turn off the aim.
  public static let doorwayMargin = 0.1

  public let task: MazeTask
  /// Moves from each cell (row-major) to the target.
  private let distancesToTarget: [Int]

  public init(task: MazeTask) {
    self.task = task
    self.distancesToTarget = task.layout.distances(from: task.target)
  }

  public mutating func action(for input: MazeAgentInput) -> Int { action(at: input.pose) }

  /// The action taken at `pose`.
  public func action(at pose: MazePose) -> Int {
    let (aimX, aimY) = aim(from: pose)
    let bearing = atan2(aimY - pose.y, aimX - pose.x)
    var difference = MazeTask.normalized(bearing - pose.heading)
    if difference > .pi { difference -= 2 * .pi }
    if abs(difference) <= task.physics.turnAngle / 2 { return MazeTask.moveForward }
    return difference < 0 ? MazeTask.turnLeft : MazeTask.turnRight
  }

  /// The point the agent heads for: the next cell's centre, or its own cell's centre while the
  /// straight line to the next one would graze the doorway's edge.
  private func aim(from pose: MazePose) -> (x: Double, y: Double) {
    let layout = task.layout
    let cell = pose.cell
    let centre = (x: Double(cell.column) + 0.5, y: Double(cell.row) + 0.5)
    let distance = distancesToTarget[layout.index(of: cell)]
    guard
      let direction = MazeDirection.allCases.first(where: {
        layout.isOpen(cell, $0) && distancesToTarget[layout.index(of: cell.moved($0))] < distance
      })
    else { return centre }
    let isHorizontal = direction.rowStep == 0
    let offset = isHorizontal ? abs(pose.y - centre.y) : abs(pose.x - centre.x)
    let along = isHorizontal ? pose.x - centre.x : pose.y - centre.y
    let toDoorway = 0.5 - along * Double(isHorizontal ? direction.columnStep : direction.rowStep)
    let crossing = offset * 0.5 / (toDoorway + 0.5)
    if crossing > 0.5 - task.physics.agentRadius - Self.doorwayMargin { return centre }
    return (centre.x + Double(direction.columnStep), centre.y + Double(direction.rowStep))
  }
}
