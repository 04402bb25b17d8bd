import RL2Math

/// One maze task of the vision experiments (RL², section 4.3): a maze, given by the seed of its
/// generator, and the cell the target sits in for a whole trial.
public struct MazeConfiguration: Codable, Sendable, Equatable {
  /// Position in its `MazeConfigurationSet` (0-based).
  public var id: Int
  /// N: the maze has N×N cells.
  public var size: Int
  /// Seeds the `RandomStream` that generates the maze (`makeLayout()`).
  public var mazeSeed: UInt64
  public var targetCell: MazeCell

  public init(id: Int, size: Int, mazeSeed: UInt64, targetCell: MazeCell) {
    self.id = id
    self.size = size
    self.mazeSeed = mazeSeed
    self.targetCell = targetCell
  }

  /// The maze of this configuration: the same every time.
  public func makeLayout() -> MazeLayout {
    var random = RandomStream(seed: mazeSeed)
    return MazeLayout(size: size, random: &random)
  }
}

/// Which of the two configuration families a set draws from.
public enum MazeSplit: String, Codable, Sendable, CaseIterable {
  /// Configurations trained on ("train" on the command line).
  case training = "train"
  /// Held-out configurations for evaluation ("test").
  case test
}

/// The paper's 1000 training and 1000 separate test configurations of one maze size.
///
/// Configuration i is a function of (seed, split, size, i) alone, so a coordinator can hand out ids
/// and every process rebuilds the same configuration without generating the others:
///
///     let training = MazeConfigurationSet.training(size: 5)
///     let task = MazeTask(configuration: training.configuration(id: 17))
///
/// Disjoint by construction: every (maze, target) pair has a fixed side, the lowest bit of a hash
/// of its opening masks and target cell (0 training, 1 test). Id i draws candidates from the child
/// streams `stream("maze-train" or "maze-test").stream(N).stream(i).stream(attempt)`, attempt
/// 0, 1, …, and keeps the first whose pair falls on its own side (two attempts on average). A pair
/// can therefore never occur in both sets, whatever their counts.
public struct MazeConfigurationSet: Sendable, Equatable {
  /// The default seed of the reported sets (the paper's arXiv date, as `EvaluationSet`).
  public static let defaultSeed: UInt64 = EvaluationSet.defaultSeed
  /// Configurations per set in the paper.
  public static let paperCount = 1000

  public let split: MazeSplit
  public let size: Int
  public let count: Int
  public let seed: UInt64

  public init(split: MazeSplit, size: Int, count: Int = paperCount, seed: UInt64 = defaultSeed) {
    precondition(size >= 2, "a maze needs at least 2×2 cells, got size \(size)")
    precondition(count >= 1, "a configuration set needs at least one configuration, got \(count)")
    self.split = split
    self.size = size
    self.count = count
    self.seed = seed
  }

  public static func training(
    size: Int, count: Int = paperCount, seed: UInt64 = defaultSeed
  ) -> MazeConfigurationSet {
    MazeConfigurationSet(split: .training, size: size, count: count, seed: seed)
  }

  public static func test(
    size: Int, count: Int = paperCount, seed: UInt64 = defaultSeed
  ) -> MazeConfigurationSet {
    MazeConfigurationSet(split: .test, size: size, count: count, seed: seed)
  }

  /// Configuration `id` of this set (precondition: 0 ≤ id < count).
  public func configuration(id: Int) -> MazeConfiguration {
    precondition(
      id >= 0 && id < count, "configuration id \(id) not in 0..<\(count) of the \(split) set")
    let root = RandomStream(seed: seed).stream("maze-" + split.rawValue)
      .stream(UInt64(size)).stream(UInt64(id))
    var attempt: UInt64 = 0
    while true {
      var random = root.stream(attempt)
      let mazeSeed = random.next()
      let target = Int(random.uniform() * Double(size * size))
      let candidate = MazeConfiguration(
        id: id, size: size, mazeSeed: mazeSeed,
        targetCell: MazeCell(row: target / size, column: target % size))
      if Self.side(of: candidate.makeLayout(), target: candidate.targetCell) == split {
        return candidate
      }
      attempt += 1
    }
  }

  /// All configurations, in id order.
  public var configurations: [MazeConfiguration] {
    (0..<count).map { configuration(id: $0) }
  }

  /// The set a (maze, target) pair belongs to: the lowest bit of a 64-bit FNV-1a hash of the
  /// opening masks and the target's index, after a multiply–xorshift finalizer so that every
  /// input bit reaches it.
  public static func side(of layout: MazeLayout, target: MazeCell) -> MazeSplit {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    let targetIndex = UInt32(layout.index(of: target))
    let targetBytes = (0..<4).map { UInt8(truncatingIfNeeded: targetIndex >> (8 * $0)) }
    for byte in layout.openings + targetBytes {
      hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
    }
    hash = (hash ^ (hash >> 33)) &* 0xFF51_AFD7_ED55_8CCD
    hash = (hash ^ (hash >> 33)) &* 0xC4CE_B9FE_1A85_EC53
    hash ^= hash >> 33
    return hash & 1 == 0 ? .training : .test
  }
}
