import Foundation
import XCTest

/// `rl2 render`: the files it promises, and one clear error for each bad flag.
final class RenderCommandTests: XCTestCase {
  func testRenderWritesTheMapAndFrames() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("rl2-render-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let result = try CommandLineTests.run([
      "render", "--maze-size", "5", "--maze-seed", "2", "--set", "test", "--episodes", "2",
      "--frames", "2", "--frame-interval", "3", "--frame-scale", "1", "--out", directory.path,
    ])
    XCTAssertEqual(result.status, 0, result.standardError)
    for name in [
      "map.png", "frame-e1-t000.png", "frame-e1-t003.png", "frame-e2-t000.png", "frame-e2-t003.png",
    ] {
      let bytes = try Data(contentsOf: directory.appendingPathComponent(name))
      XCTAssertEqual(Array(bytes.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "\(name) is a PNG")
    }
    XCTAssertTrue(result.standardOutput.contains("episode 2:"), result.standardOutput)
  }

  func testBadFlagsAreRefusedWithOneMessage() throws {
    for (arguments, message) in [
      (["--maze-size", "7", "--out", "x"], "--maze-size must be 5 or 9"),
      (["--maze-seed=-1", "--out", "x"], "--maze-seed must be a configuration id"),
      (["--maze-seed", "1000", "--out", "x"], "--maze-seed must be a configuration id"),
      (["--policy", "greedy", "--out", "x"], "greedy"),
      ([], "--out DIR is required"),
      (["--out", "/proc/rl2-render-test"], "cannot write the PNG files"),
    ] {
      let result = try CommandLineTests.run(["render"] + arguments)
      XCTAssertNotEqual(result.status, 0, "\(arguments) accepted")
      XCTAssertTrue(
        result.standardError.contains(message), "\(arguments): \(result.standardError)")
    }
  }
}
