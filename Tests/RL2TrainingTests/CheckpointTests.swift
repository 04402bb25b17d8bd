import Foundation
import RL2Math
import XCTest

@testable import RL2Training

/// Checkpoint files: bit-exact vectors, bounded history, atomic writes, errors that name the file.
final class CheckpointTests: XCTestCase {
  var directory: URL!

  override func setUpWithError() throws {
    directory = try Fixtures.makeTemporaryDirectory()
  }

  override func tearDownWithError() throws {
    try FileManager.default.removeItem(at: directory)
  }

  struct Wrapped<Value: Codable>: Codable {
    var vector: Value
  }

  func testFloatVectorRoundTripIsBitExact() throws {
    let values: [Float] = [
      0, -0.0, 1, -1.5, .pi, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
      .leastNormalMagnitude.nextDown, 1e-40, .greatestFiniteMagnitude, .infinity, -.infinity,
      Float(bitPattern: 0x7FC0_1234), Float(bitPattern: 0xFFC0_0001),
      Float(bitPattern: 0x7F80_0001),
    ]
    let data = try JSONEncoder().encode(Wrapped(vector: FloatVector(values)))
    let decoded = try JSONDecoder().decode(Wrapped<FloatVector>.self, from: data).vector.values
    XCTAssertEqual(
      decoded.map(\.bitPattern), values.map(\.bitPattern), "bit patterns after a JSON round trip")
  }

  func testFloatVectorRejectsAPartialFloat() throws {
    let data = try JSONEncoder().encode(Wrapped(vector: Data([1, 2, 3, 4, 5])))
    XCTAssertThrowsError(try JSONDecoder().decode(Wrapped<FloatVector>.self, from: data)) { error in
      guard case DecodingError.dataCorrupted = error else {
        return XCTFail("expected DecodingError.dataCorrupted, got \(error)")
      }
    }
  }

  func makeCheckpoint(iteration: Int) -> Checkpoint {
    var configuration = TrainingConfiguration(task: TaskSetting(kind: .bandit, episodes: 4))
    configuration.hidden = 2
    return Checkpoint(
      configuration: configuration, iteration: iteration, weightsVersion: iteration,
      environmentSteps: 10 * iteration, elapsedSeconds: 1.5, policy: FloatVector([1, 2, 3]),
      value: FloatVector([-4]), valueAdam: Adam(parameterCount: 1, learningRate: 0.1),
      policyAdam: Adam(parameterCount: 3, learningRate: 0.2), returnMean: 0.5, returnScale: 2,
      random: RandomStream(seed: 81))
  }

  func testStoreKeepsOnlyTheNewestCheckpoints() throws {
    let store = CheckpointStore(directory: directory.appendingPathComponent("checkpoints"), kept: 2)
    XCTAssertNil(try store.loadNewest(), "newest checkpoint of an empty store")
    for iteration in [1, 2, 3, 9, 10] { try store.save(makeCheckpoint(iteration: iteration)) }
    XCTAssertEqual(
      store.files().map(\.lastPathComponent),
      ["iteration-0000009.checkpoint.json", "iteration-0000010.checkpoint.json"], "files kept")
    let newest = try XCTUnwrap(try store.loadNewest())
    XCTAssertEqual(newest.iteration, 10, "iteration of the newest checkpoint")
    XCTAssertEqual(newest.random, RandomStream(seed: 81), "random stream of the newest checkpoint")
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: store.directory.path)
      .filter { $0.hasSuffix(".tmp") }
    XCTAssertEqual(leftovers, [], "temporary files left in the store")
  }

  func testTruncatedCheckpointIsMalformedAndNamesThePath() throws {
    let store = CheckpointStore(directory: directory.appendingPathComponent("checkpoints"), kept: 3)
    try store.save(makeCheckpoint(iteration: 1))
    let url = try XCTUnwrap(store.files().last)
    let data = try Data(contentsOf: url)
    try data.prefix(data.count / 2).write(to: url)
    XCTAssertThrowsError(try CheckpointStore.load(url)) { error in
      guard case CheckpointError.malformed(let path, _) = error else {
        return XCTFail("expected CheckpointError.malformed, got \(error)")
      }
      XCTAssertEqual(path, url.path, "path named by the error")
      XCTAssertTrue("\(error)".contains(url.path), "description names the path: \(error)")
    }
  }

  func testMissingCheckpointIsUnreadable() {
    let url = directory.appendingPathComponent("absent.checkpoint.json")
    XCTAssertThrowsError(try CheckpointStore.load(url)) { error in
      guard case CheckpointError.unreadable(let path, _) = error else {
        return XCTFail("expected CheckpointError.unreadable, got \(error)")
      }
      XCTAssertEqual(path, url.path, "path named by the error")
    }
  }

  func testAtomicWriteIntoAMissingFolderThrowsAndLeavesNothing() throws {
    let target = directory.appendingPathComponent("missing/deeper/file.json")
    XCTAssertThrowsError(try AtomicFile.write(Data("{}".utf8), to: target), "write into no folder")
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: directory.path), [],
      "files left after the failed write")
  }

  func testAtomicWriteReplacesTheContents() throws {
    let target = directory.appendingPathComponent("file.json")
    try AtomicFile.write(Data("old".utf8), to: target)
    try AtomicFile.write(Data("new".utf8), to: target)
    XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "new", "contents")
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: directory.path), ["file.json"],
      "files in the folder")
  }
}
