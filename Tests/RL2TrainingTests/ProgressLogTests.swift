import Foundation
import XCTest

@testable import RL2Training

/// `progress.csv` on resume: rows after the checkpoint and a row cut short go, rows written by
/// an older build with fewer columns stay, padded to the new header.
final class ProgressLogTests: XCTestCase {
  func makeURL() throws -> URL {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("rl2-progress-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
    return folder.appendingPathComponent("progress.csv")
  }

  func rows(_ url: URL) throws -> [[Substring]] {
    try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
      .map { $0.split(separator: ",", omittingEmptySubsequences: false) }
  }

  func testResumeKeepsCompleteRowsUpToTheCheckpointAndPadsOldRows() throws {
    let url = try makeURL()
    do {
      let log = try ProgressLog(
        url: url, episodes: 2, extraColumns: ["a"], keepingIterationsUpTo: 0)
      for iteration in 1...4 {
        try log.append(["iteration": Double(iteration), "a": 7], episodeReturns: [1, 2])
      }
    }
    // The disk filled up in the middle of the fifth row.
    let handle = try FileHandle(forWritingTo: url)
    try handle.seekToEnd()
    try handle.write(contentsOf: Data("5,5,12".utf8))
    try handle.close()

    let log = try ProgressLog(
      url: url, episodes: 2, extraColumns: ["a", "b"], keepingIterationsUpTo: 3)
    try log.append(["iteration": 4, "a": 8, "b": 9], episodeReturns: [3, 4])
    let table = try rows(url)
    XCTAssertEqual(table[0].last, "b", "the new header")
    XCTAssertEqual(table.dropFirst().map { $0[0] }, ["1", "2", "3", "4"])
    XCTAssertTrue(
      table.allSatisfy { $0.count == table[0].count }, "every row as wide as the header")
    XCTAssertEqual(
      table[1].suffix(2), ["7", ""], "an old row keeps its value, the new column empty")
    XCTAssertEqual(table[4].suffix(2), ["8", "9"])
  }
}
