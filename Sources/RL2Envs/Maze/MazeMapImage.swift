/// A top-down picture of a maze, as in the paper's Figure 6: walls in black, the target cell in
/// red, and each episode's trajectory as a coloured polyline from a square start marker.
///
///     var map = MazeMapImage(layout: task.layout, target: task.target)
///     for (episode, poses) in trajectories.enumerated() {
///       map.drawTrajectory(poses, colour: MazeMapImage.episodeColour(episode))
///     }
///     let png = PNG.encode(width: map.width, height: map.height, rgb: map.rgb)
///
/// The point (x, y) in cell units lies at pixel (1 + x·pixelsPerCell, 1 + y·pixelsPerCell), so a
/// maze of N cells is N·pixelsPerCell + 2 pixels wide and each wall is 2 pixels thick, centred on
/// its grid line.
public struct MazeMapImage: Sendable {
  public typealias Colour = (red: UInt8, green: UInt8, blue: UInt8)

  public let width: Int
  public let height: Int
  public let pixelsPerCell: Int
  /// 3 bytes per pixel, row by row from the top.
  public private(set) var rgb: [UInt8]

  static let background: Colour = (250, 250, 245)
  static let wall: Colour = (20, 20, 20)
  static let target: Colour = (230, 40, 30)

  /// Blue, green, orange, purple, cyan, brown: episode 1, 2, … (repeating after six).
  public static func episodeColour(_ episode: Int) -> Colour {
    let palette: [Colour] = [
      (30, 90, 220), (20, 160, 60), (240, 140, 0), (150, 50, 190), (0, 170, 190), (130, 80, 40),
    ]
    return palette[episode % palette.count]
  }

  public init(layout: MazeLayout, target: MazeCell, pixelsPerCell: Int = 24) {
    precondition(pixelsPerCell >= 4, "a map needs at least 4 pixels per cell, got \(pixelsPerCell)")
    self.pixelsPerCell = pixelsPerCell
    self.width = layout.size * pixelsPerCell + 2
    self.height = width
    self.rgb = [UInt8](repeating: 0, count: width * height * 3)
    fill(x: 0, y: 0, width: width, height: height, Self.background)
    fill(
      x: 1 + target.column * pixelsPerCell, y: 1 + target.row * pixelsPerCell,
      width: pixelsPerCell, height: pixelsPerCell, Self.target)
    let length = pixelsPerCell + 2
    for cell in layout.cells {
      let (left, top) = (cell.column * pixelsPerCell, cell.row * pixelsPerCell)
      let (right, bottom) = (left + pixelsPerCell, top + pixelsPerCell)
      if !layout.isOpen(cell, .north) { fill(x: left, y: top, width: length, height: 2) }
      if !layout.isOpen(cell, .south) { fill(x: left, y: bottom, width: length, height: 2) }
      if !layout.isOpen(cell, .west) { fill(x: left, y: top, width: 2, height: length) }
      if !layout.isOpen(cell, .east) { fill(x: right, y: top, width: 2, height: length) }
    }
  }

  /// Draws the agent's path through `poses` (2-pixel line) and a 6-pixel square at the first pose.
  public mutating func drawTrajectory(_ poses: [MazePose], colour: Colour) {
    guard let start = poses.first else { return }
    let scale = Double(pixelsPerCell)
    for (from, to) in zip(poses, poses.dropFirst()) {
      let (dx, dy) = ((to.x - from.x) * scale, (to.y - from.y) * scale)
      let samples = Int((2 * max(abs(dx), abs(dy))).rounded(.up))
      for sample in 0...samples {
        let fraction = samples == 0 ? 0 : Double(sample) / Double(samples)
        let (px, py) = (1 + from.x * scale + fraction * dx, 1 + from.y * scale + fraction * dy)
        fill(x: Int(px.rounded()) - 1, y: Int(py.rounded()) - 1, width: 2, height: 2, colour)
      }
    }
    let (startX, startY) = (1 + Int(start.x * scale), 1 + Int(start.y * scale))
    fill(x: startX - 4, y: startY - 4, width: 8, height: 8, Self.wall)
    fill(x: startX - 3, y: startY - 3, width: 6, height: 6, colour)
  }

  /// The colour at pixel (x, y).
  public func pixel(x: Int, y: Int) -> Colour {
    let offset = (y * width + x) * 3
    return (rgb[offset], rgb[offset + 1], rgb[offset + 2])
  }

  /// Paints a rectangle, clipped to the image.
  private mutating func fill(x: Int, y: Int, width: Int, height: Int, _ colour: Colour = wall) {
    let (firstRow, endRow) = (max(y, 0), min(y + height, self.height))
    let (firstColumn, endColumn) = (max(x, 0), min(x + width, self.width))
    guard firstRow < endRow && firstColumn < endColumn else { return }
    for row in firstRow..<endRow {
      for column in firstColumn..<endColumn {
        let offset = (row * self.width + column) * 3
        (rgb[offset], rgb[offset + 1], rgb[offset + 2]) = colour
      }
    }
  }
}
