import RL2Envs
import RL2Math
import XCTest

/// Generated mazes are perfect, reproducible from their stream, and BFS distances are right.
final class MazeLayoutTests: XCTestCase {
  func testGeneratedMazesAreSpanningTrees() {
    for size in [2, 5, 9] {
      for seed in 0..<20 {
        var random = RandomStream(seed: UInt64(seed))
        let maze = MazeLayout(size: size, random: &random)
        XCTAssertEqual(
          maze.passageCount, size * size - 1, "N² − 1 passages, size \(size) seed \(seed)")
        let distances = maze.distances(from: MazeCell(row: 0, column: 0))
        XCTAssertFalse(distances.contains(-1), "every cell reachable, size \(size) seed \(seed)")
        for cell in maze.cells {
          for direction in MazeDirection.allCases where maze.isOpen(cell, direction) {
            XCTAssertTrue(maze.contains(cell.moved(direction)), "boundary closed at \(cell)")
            XCTAssertTrue(maze.isOpen(cell.moved(direction), direction.opposite), "symmetric")
          }
        }
      }
    }
  }

  func testSameStreamSameMazeAndDifferentSeedsDiffer() {
    var first = RandomStream(seed: 11)
    var again = RandomStream(seed: 11)
    XCTAssertEqual(MazeLayout(size: 9, random: &first), MazeLayout(size: 9, random: &again))
    let mazes = Set(
      (0..<50).map { seed -> MazeLayout in
        var random = RandomStream(seed: UInt64(seed))
        return MazeLayout(size: 5, random: &random)
      })
    XCTAssertEqual(mazes.count, 50, "50 seeds give 50 different 5×5 mazes")
  }

  /// A hand-made 3×3 maze: a snake through rows 0, 1, 2 (east, down, west, down, east).
  func testShortestPathsAndNeighboursOfAHandMadeMaze() {
    let (n, e, s, w) = (
      MazeDirection.north.bit, MazeDirection.east.bit, MazeDirection.south.bit,
      MazeDirection.west.bit
    )
    let maze = MazeLayout(
      size: 3,
      openings: [e, e | w, w | s, e | s, e | w, w | n, e | n, e | w, w])
    XCTAssertEqual(maze.passageCount, 8)
    let corner = MazeCell(row: 0, column: 0)
    let far = MazeCell(row: 2, column: 2)
    XCTAssertEqual(maze.shortestPathLength(from: corner, to: far), 8)
    XCTAssertEqual(maze.shortestPathLength(from: far, to: far), 0)
    XCTAssertEqual(
      maze.neighbours(of: MazeCell(row: 1, column: 1)),
      [MazeCell(row: 1, column: 2), MazeCell(row: 1, column: 0)])
    XCTAssertFalse(maze.isOpen(corner, .south), "no passage (0, 0)–(1, 0)")
    XCTAssertEqual(
      maze.shortestPathLength(from: corner, to: MazeCell(row: 1, column: 0)), 5,
      "around through row 0 and back along row 1")
  }
}
