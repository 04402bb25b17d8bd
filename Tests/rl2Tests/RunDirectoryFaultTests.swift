import Foundation
import XCTest

/// A run directory that fills up, or turns read-only, while training: the run stops with one
/// clear message naming the file and the cause, the checkpoint before it is intact and loads,
/// and `--resume` after the fault is fixed continues with each iteration logged once.
/// Needs root (a small tmpfs is mounted for the test); skipped otherwise.
final class RunDirectoryFaultTests: XCTestCase {
  static let training = [
    "train", "--env", "bandit", "--arms", "5", "--episodes", "10", "--batch-steps", "1000",
    "--hidden", "8", "--actors", "0", "--checkpoint-interval", "1", "--eval-instances", "0",
    "--threads", "1", "--iterations", "30",
  ]

  func mountSmallFilesystem() throws -> URL {
    guard getuid() == 0 else { throw XCTSkip("mounting a tmpfs needs root") }
    let mountPoint = FileManager.default.temporaryDirectory
      .appendingPathComponent("rl2-smallfs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
    guard shell("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mountPoint.path) == 0 else {
      try? FileManager.default.removeItem(at: mountPoint)
      throw XCTSkip("cannot mount a tmpfs here")
    }
    addTeardownBlock {
      _ = self.shell("umount", "-l", mountPoint.path)
      try? FileManager.default.removeItem(at: mountPoint)
    }
    return mountPoint
  }

  @discardableResult
  func shell(_ arguments: String...) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
  }

  /// Fills the filesystem at `folder` with one file.
  func fill(_ folder: URL) -> URL {
    let filler = folder.appendingPathComponent("filler")
    FileManager.default.createFile(atPath: filler.path, contents: nil)
    let handle = try! FileHandle(forWritingTo: filler)
    let block = Data(count: 1 << 16)
    while (try? handle.write(contentsOf: block)) != nil {}
    try? handle.close()
    return filler
  }

  func checkpointFiles(_ run: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(
      atPath: run.appendingPathComponent("checkpoints").path
    ).sorted()
  }

  func testAFullDiskStopsTheRunCleanlyAndResumeContinuesIt() throws {
    let folder = try mountSmallFilesystem()
    let run = folder.appendingPathComponent("run")
    let training = try RunningProcess(Self.training + ["--run-dir", run.path])
    addTeardownBlock { training.kill() }
    _ = try training.waitForLine(containing: "iter 3/30", timeout: 60)
    let filler = fill(folder)
    let status = training.waitForExit(timeout: 60)
    XCTAssertNotNil(status, "the run did not stop")
    XCTAssertNotEqual(status, 0, training.output)
    let message = try XCTUnwrap(
      training.output.split(separator: "\n").first { $0.hasPrefix("Error:") }, training.output)
    XCTAssertTrue(message.contains("No space left on device"), String(message))
    XCTAssertTrue(message.contains("--resume"), String(message))
    let files = try checkpointFiles(run)
    XCTAssertFalse(files.contains { $0.hasSuffix(".tmp") }, "temporary files left: \(files)")
    let newest = try XCTUnwrap(files.last)
    if message.contains("cannot write checkpoint") {
      XCTAssertTrue(message.contains("\(newest) is intact"), String(message))
    }
    // The newest checkpoint loads and plays.
    let eval = try CommandLineTests.run([
      "eval", "--checkpoint", run.appendingPathComponent("checkpoints/\(newest)").path,
      "--instances", "10", "--threads", "1",
    ])
    XCTAssertEqual(eval.status, 0, eval.standardError)

    try FileManager.default.removeItem(at: filler)
    let resumed = try CommandLineTests.run(Self.training + ["--run-dir", run.path, "--resume"])
    XCTAssertEqual(resumed.status, 0, resumed.standardError)
    XCTAssertTrue(resumed.standardOutput.contains("iter 30/30"), resumed.standardOutput)
    let rows = try String(
      contentsOf: run.appendingPathComponent("progress.csv"), encoding: .utf8
    ).split(separator: "\n").dropFirst()
    XCTAssertEqual(rows.map { Int($0.prefix { $0 != "," }) ?? -1 }, Array(1...30))
  }

  /// (A filesystem cannot turn read-only under a process writing to it — the remount is
  /// refused while files are open for writing — so this fault is met when a run resumes.)
  func testAReadOnlyRunDirectoryIsRefusedWithItsReasonAndLeftAsItWas() throws {
    let folder = try mountSmallFilesystem()
    let run = folder.appendingPathComponent("run")
    let first = try CommandLineTests.run(
      Self.training.dropLast() + ["3", "--run-dir", run.path])
    XCTAssertEqual(first.status, 0, first.standardError)
    let before = try checkpointFiles(run)
    XCTAssertEqual(shell("mount", "-o", "remount,ro", folder.path), 0, "remount read-only")
    let refused = try CommandLineTests.run(Self.training + ["--run-dir", run.path, "--resume"])
    XCTAssertNotEqual(refused.status, 0)
    XCTAssertTrue(
      refused.standardError.contains("Read-only file system"), refused.standardError)
    XCTAssertEqual(shell("mount", "-o", "remount,rw", folder.path), 0, "remount read-write")
    XCTAssertEqual(try checkpointFiles(run), before, "checkpoints after the refused resume")
    let resumed = try CommandLineTests.run(Self.training + ["--run-dir", run.path, "--resume"])
    XCTAssertEqual(resumed.status, 0, resumed.standardError)
    XCTAssertTrue(resumed.standardOutput.contains("iter 30/30"), resumed.standardOutput)
  }
}
