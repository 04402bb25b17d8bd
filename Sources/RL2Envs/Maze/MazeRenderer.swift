#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// W image width and H image height in pixels, N cells per maze side. Observations are HWC:
// value (row·W + column)·3 + channel, row 0 the top of the image, channels R, G, B in [−1, 1].

/// The agent's first-person view (RL², section 4.3: 40×30 RGB, values rescaled to [−1, 1]).
///
/// A raycaster: one ray per image column, traced through the cell grid by a DDA walk (Amanatides &
/// Woo 1987) that stops at the first closed side of a cell; in the target cell the ray is also
/// clipped against the red pillar, so walls in front of the pillar hide it and the pillar hides
/// the walls behind it. Column c's ray is d = f + o_c·r with f the heading, r its right-hand
/// normal and o_c = (c + ½ − W/2)/F, where F = (W/2)/tan(fov/2) is the focal length in pixels;
/// the DDA parameter t along d is then the perpendicular distance, so walls do not bow. A wall of
/// height 1 seen from eye height ½ at distance t covers the rows whose centres lie in
/// [H/2 − F·½/t, H/2 + F·½/t).
///
/// Shading: faces looking east or west are lighter than faces looking north or south, so corners
/// show; every colour is multiplied by 1/(1 + 0.35·t), so depth shows; the ceiling and floor take
/// the same attenuation at the distance where each row meets them.
///
///     let renderer = MazeRenderer(task: task)
///     var observation = [Float](repeating: 0, count: renderer.valueCount)
///     observation.withUnsafeMutableBufferPointer { renderer.render(pose, into: $0.baseAddress!) }
public struct MazeRenderer: Sendable {
  /// 90° horizontally, Doom's default (the paper's mazes ran in ViZDoom): F = 20 pixels at W = 40.
  public static let defaultFieldOfView = Double.pi / 2
  /// Half the side of the target pillar, a square column centred in the target cell.
  public static let pillarHalfWidth = 0.25

  public let width: Int
  public let height: Int
  /// Horizontal field of view in radians.
  public let fieldOfView: Double
  /// F, in pixels.
  public let focalLength: Double
  private let size: Int
  private let openings: [UInt8]
  private let targetIndex: Int
  private let pillar: (minX: Double, maxX: Double, minY: Double, maxY: Double)
  /// o_c per column.
  private let columnOffsets: [Double]
  /// Ceiling and floor, already shaded and rescaled: H rows × 3 channels.
  private let background: [Float]

  static let ceilingColour: (Float, Float, Float) = (0.55, 0.68, 0.85)
  static let floorColour: (Float, Float, Float) = (0.42, 0.33, 0.22)

  /// What a ray stopped at: a wall or pillar face whose normal points east or west (it lies on a
  /// line x = constant and was reached moving along x), or north or south.
  enum Surface {
    case wallFacingEastOrWest, wallFacingNorthOrSouth, pillarFacingEastOrWest,
      pillarFacingNorthOrSouth

    /// R, G, B in [0, 1].
    var colour: (Float, Float, Float) {
      switch self {
      case .wallFacingEastOrWest: (0.82, 0.78, 0.68)
      case .wallFacingNorthOrSouth: (0.55, 0.52, 0.45)
      case .pillarFacingEastOrWest: (0.95, 0.08, 0.06)
      case .pillarFacingNorthOrSouth: (0.68, 0.04, 0.03)
      }
    }
  }

  public init(
    layout: MazeLayout, target: MazeCell, width: Int = 40, height: Int = 30,
    fieldOfView: Double = defaultFieldOfView
  ) {
    precondition(width >= 1 && height >= 1, "an image needs at least 1×1 pixels")
    precondition(
      fieldOfView > 0 && fieldOfView < .pi,
      "the field of view must lie in (0, π), got \(fieldOfView)")
    self.width = width
    self.height = height
    self.fieldOfView = fieldOfView
    self.focalLength = Double(width) / 2 / tan(fieldOfView / 2)
    self.size = layout.size
    self.openings = layout.openings
    self.targetIndex = layout.index(of: target)
    let (centreX, centreY) = (Double(target.column) + 0.5, Double(target.row) + 0.5)
    let half = Self.pillarHalfWidth
    self.pillar = (centreX - half, centreX + half, centreY - half, centreY + half)
    let focal = focalLength
    self.columnOffsets = (0..<width).map { (Double($0) + 0.5 - Double(width) / 2) / focal }
    self.background = (0..<height).flatMap { row in
      let fromHorizon = Double(row) + 0.5 - Double(height) / 2
      let colour = fromHorizon < 0 ? Self.ceilingColour : Self.floorColour
      let shade = Self.attenuation(distance: 0.5 * focal / abs(fromHorizon))
      return [colour.0, colour.1, colour.2].map { 2 * $0 * shade - 1 }
    }
  }

  public init(
    task: MazeTask, width: Int = 40, height: Int = 30, fieldOfView: Double = defaultFieldOfView
  ) {
    self.init(
      layout: task.layout, target: task.target, width: width, height: height,
      fieldOfView: fieldOfView)
  }

  /// Values per observation: H·W·3.
  public var valueCount: Int { width * height * 3 }

  /// Writes the view from `pose` into `observation` (H·W·3 floats, HWC).
  public func render(_ pose: MazePose, into observation: UnsafeMutablePointer<Float>) {
    let (forwardX, forwardY) = (cos(pose.heading), sin(pose.heading))
    let halfHeight = Double(height) / 2
    for column in 0..<width {
      let offset = columnOffsets[column]
      let (distance, surface) = cast(
        x: pose.x, y: pose.y, directionX: forwardX - offset * forwardY,
        directionY: forwardY + offset * forwardX)
      let reach = 0.5 * focalLength / distance
      let firstRow = min(max(Int((halfHeight - reach - 0.5).rounded(.up)), 0), height)
      let endRow = min(max(Int((halfHeight + reach - 0.5).rounded(.up)), 0), height)
      let colour = surface.colour
      let shade = Self.attenuation(distance: distance)
      let (red, green, blue) = (
        2 * colour.0 * shade - 1, 2 * colour.1 * shade - 1,
        2 * colour.2 * shade - 1
      )
      background.withUnsafeBufferPointer { background in
        for row in 0..<height {
          let pixel = observation + (row * width + column) * 3
          if row >= firstRow && row < endRow {
            (pixel[0], pixel[1], pixel[2]) = (red, green, blue)
          } else {
            (pixel[0], pixel[1], pixel[2]) = (
              background[row * 3], background[row * 3 + 1], background[row * 3 + 2]
            )
          }
        }
      }
    }
  }

  /// The view from `pose` as a new array.
  public func render(_ pose: MazePose) -> [Float] {
    [Float](unsafeUninitializedCapacity: valueCount) { buffer, count in
      render(pose, into: buffer.baseAddress!)
      count = valueCount
    }
  }

  /// An observation of this renderer as 8-bit RGB, each pixel blown up to scale × scale (the
  /// image is W·scale × H·scale), for writing with `PNG.encode`.
  public func rgbImage(of observation: [Float], scale: Int = 1) -> [UInt8] {
    precondition(observation.count == valueCount, "an observation has \(valueCount) values")
    precondition(scale >= 1, "the scale must be at least 1, got \(scale)")
    let imageWidth = width * scale
    var image = [UInt8](repeating: 0, count: imageWidth * height * scale * 3)
    for row in 0..<(height * scale) {
      for column in 0..<imageWidth {
        let source = ((row / scale) * width + column / scale) * 3
        for channel in 0..<3 {
          let value = (observation[source + channel] + 1) / 2 * 255
          image[(row * imageWidth + column) * 3 + channel] = UInt8(
            min(max(value, 0), 255).rounded())
        }
      }
    }
    return image
  }

  /// The DDA walk from (x, y) along the direction: the parameter t of the first face hit (the
  /// perpendicular distance when the direction's forward component is 1) and what was hit.
  func cast(x: Double, y: Double, directionX: Double, directionY: Double) -> (Double, Surface) {
    var cellX = min(max(Int(x), 0), size - 1)
    var cellY = min(max(Int(y), 0), size - 1)
    let stepX = directionX > 0 ? 1 : -1
    let stepY = directionY > 0 ? 1 : -1
    let deltaX = 1 / abs(directionX)
    let deltaY = 1 / abs(directionY)
    var nextX = (directionX > 0 ? Double(cellX + 1) - x : x - Double(cellX)) * deltaX
    var nextY = (directionY > 0 ? Double(cellY + 1) - y : y - Double(cellY)) * deltaY
    let doorX = directionX > 0 ? MazeDirection.east.bit : MazeDirection.west.bit
    let doorY = directionY > 0 ? MazeDirection.south.bit : MazeDirection.north.bit
    return openings.withUnsafeBufferPointer { openings in
      while true {
        let index = cellY * size + cellX
        if index == targetIndex,
          let hit = castAtPillar(
            x: x, y: y, directionX: directionX, directionY: directionY, before: min(nextX, nextY))
        {
          return hit
        }
        if nextX < nextY {
          if openings[index] & doorX == 0 { return (nextX, .wallFacingEastOrWest) }
          cellX += stepX
          nextX += deltaX
        } else {
          if openings[index] & doorY == 0 { return (nextY, .wallFacingNorthOrSouth) }
          cellY += stepY
          nextY += deltaY
        }
      }
    }
  }

  /// Slab test of the ray against the pillar: the entry parameter if the ray enters it before
  /// `limit` (where it leaves the target cell). A camera inside the pillar sees it at once.
  private func castAtPillar(
    x: Double, y: Double, directionX: Double, directionY: Double, before limit: Double
  ) -> (Double, Surface)? {
    let (x0, x1) = ((pillar.minX - x) / directionX, (pillar.maxX - x) / directionX)
    let (y0, y1) = ((pillar.minY - y) / directionY, (pillar.maxY - y) / directionY)
    let (enterX, exitX) = (min(x0, x1), max(x0, x1))
    let (enterY, exitY) = (min(y0, y1), max(y0, y1))
    let enter = max(enterX, enterY)
    let exit = min(exitX, exitY)
    guard enter <= exit && exit > 0 && enter < limit else { return nil }
    return (max(enter, 1e-3), enterX > enterY ? .pillarFacingEastOrWest : .pillarFacingNorthOrSouth)
  }

  /// 1/(1 + 0.35·t): farther is darker.
  static func attenuation(distance: Double) -> Float {
    Float(1 / (1 + 0.35 * distance))
  }
}
