import RL2Envs
import RL2Math
import XCTest

/// The first-person raycaster against poses whose picture is known: wall heights from the
/// projection, face shading, the red target and its occlusion, the value range.
final class MazeRendererTests: XCTestCase {
  /// The snake of `MazeTaskTests`: (0, 0) is a dead end open to the east, row 0 a corridor.
  let layout = MazeTaskTests.snake
  let (east, north, west) = (0.0, 3 * Double.pi / 2, Double.pi)

  /// Rows in `column` showing the same colour as the middle row (the wall straight ahead).
  func wallRows(_ view: [Float], _ renderer: MazeRenderer, column: Int) -> Int {
    let middle = renderer.height / 2
    func colour(_ row: Int) -> [Float] {
      let offset = (row * renderer.width + column) * 3
      return Array(view[offset..<(offset + 3)])
    }
    return (0..<renderer.height).filter { colour($0) == colour(middle) }.count
  }

  func pixel(_ view: [Float], _ renderer: MazeRenderer, row: Int, column: Int) -> [Float] {
    let offset = (row * renderer.width + column) * 3
    return Array(view[offset..<(offset + 3)])
  }

  func testWallHeightsFollowTheProjection() {
    let renderer = MazeRenderer(layout: layout, target: MazeCell(row: 2, column: 2))
    XCTAssertEqual(renderer.focalLength, 20, accuracy: 1e-12, "F = (W/2)/tan(45°)")
    let deadEnd = renderer.render(MazePose(x: 0.8, y: 0.5, heading: west))
    let corridor = renderer.render(MazePose(x: 0.5, y: 0.5, heading: east))
    for column in [19, 20] {
      let near = wallRows(deadEnd, renderer, column: column)
      XCTAssertEqual(Double(near), renderer.focalLength / 0.8, accuracy: 1, "wall 0.8 ahead")
      let far = wallRows(corridor, renderer, column: column)
      XCTAssertEqual(Double(far), renderer.focalLength / 2.5, accuracy: 1, "boundary 2.5 ahead")
    }
    let close = renderer.render(MazePose(x: 0.3, y: 0.5, heading: west))
    XCTAssertEqual(wallRows(close, renderer, column: 20), 30, "a wall 0.3 ahead fills the column")
  }

  func testFacesLookingEastOrWestAreLighterThanNorthOrSouth() {
    let renderer = MazeRenderer(layout: layout, target: MazeCell(row: 2, column: 2))
    let view = renderer.render(MazePose(x: 0.5, y: 0.5, heading: 5 * .pi / 4))
    let westWall = pixel(view, renderer, row: 15, column: 5)
    let northWall = pixel(view, renderer, row: 15, column: 34)
    XCTAssertNotEqual(westWall, northWall, "same distance, different faces")
    XCTAssertGreaterThan(westWall[0], northWall[0] + 0.2, "east/west faces are lighter")
    XCTAssertNotEqual(
      pixel(view, renderer, row: 0, column: 20), pixel(view, renderer, row: 29, column: 20),
      "ceiling and floor differ")
  }

  func testTargetAheadIsRedAndHiddenBehindWalls() {
    let renderer = MazeRenderer(layout: layout, target: MazeCell(row: 0, column: 2))
    let view = renderer.render(MazePose(x: 0.5, y: 0.5, heading: east))
    let ahead = pixel(view, renderer, row: 15, column: 20)
    XCTAssertGreaterThan(ahead[0] - ahead[1], 0.8, "red straight ahead, got \(ahead)")
    XCTAssertGreaterThan(ahead[0] - ahead[2], 0.8, "red straight ahead, got \(ahead)")
    XCTAssertEqual(
      Double(wallRows(view, renderer, column: 20)), renderer.focalLength / 1.75, accuracy: 1,
      "pillar face 1.75 ahead")

    let hidden = MazeRenderer(layout: layout, target: MazeCell(row: 0, column: 1))
    let blocked = hidden.render(MazePose(x: 1.5, y: 1.5, heading: north))
    for column in 0..<hidden.width {
      let colour = pixel(blocked, hidden, row: 15, column: column)
      XCTAssertLessThan(colour[0] - colour[1], 0.3, "column \(column): pillar seen through a wall")
    }
  }

  func testValuesLieInMinusOneToOne() {
    let task = MazeTask(configuration: MazeConfigurationSet.training(size: 9).configuration(id: 5))
    let renderer = MazeRenderer(task: task, width: 16, height: 12)
    var random = RandomStream(seed: 80)
    for _ in 0..<100 {
      let view = renderer.render(task.startPose(random: &random))
      XCTAssertEqual(view.count, 16 * 12 * 3)
      XCTAssertTrue(view.allSatisfy { $0 >= -1 && $0 <= 1 }, "values outside [−1, 1]")
    }
    let image = renderer.rgbImage(of: renderer.render(task.startPose(random: &random)), scale: 3)
    XCTAssertEqual(image.count, 48 * 36 * 3)
  }
}
