import Foundation
import XCTest

/// The distributed runtime as users run it: `rl2 learner` and `rl2 actor` processes over
/// loopback TCP, with actors killed and started late.
final class ClusterProcessTests: XCTestCase {
  static let tinyRun = [
    "--env", "bandit", "--arms", "3", "--episodes", "4", "--batch-steps", "400", "--hidden", "6",
    "--eval-instances", "10", "--checkpoint-interval", "20", "--threads", "1",
    "--actor-timeout", "1.5", "--heartbeat-interval", "0.2",
  ]

  func makeRunDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "rl2-cluster-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url.appendingPathComponent("run")
  }

  /// Starts a learner on free loopback ports and returns it with its control endpoint.
  func startLearner(iterations: Int, runDirectory: URL) throws -> (RunningProcess, String) {
    let learner = try RunningProcess(
      [
        "learner", "--endpoint", "tcp://127.0.0.1:0", "--iterations", String(iterations),
        "--run-dir", runDirectory.path,
      ] + Self.tinyRun)
    addTeardownBlock { learner.kill() }
    let line = try learner.waitForLine(containing: "learner listening: control ")
    let endpoint = try XCTUnwrap(
      line.split(separator: " ").first { $0.hasPrefix("tcp://") }.map { String($0.dropLast()) })
    return (learner, endpoint)
  }

  func startActor(_ endpoint: String, id: String) throws -> RunningProcess {
    let actor = try RunningProcess([
      "actor", "--learner", endpoint, "--trials", "5", "--actor-id", id,
    ])
    addTeardownBlock { actor.kill() }
    return actor
  }

  func testDefaultTrainStartsTwoActorsAndFinishes() throws {
    let runDirectory = try makeRunDirectory()
    let train = try RunningProcess(
      ["train", "--iterations", "3", "--no-baselines", "--run-dir", runDirectory.path]
        + Self.tinyRun)
    addTeardownBlock { train.kill() }
    XCTAssertEqual(train.waitForExit(timeout: 120), 0, train.output)
    XCTAssertTrue(train.output.contains("started 2 actor processes"), train.output)
    XCTAssertTrue(train.output.contains("evaluation on 10 test instances"), train.output)
    let rows = try progressRows(runDirectory)
    XCTAssertEqual(rows.count, 3)
    XCTAssertEqual(rows.last?["live_actors"], "2", "\(rows)")
    for i in 0..<2 {
      let log = try String(
        contentsOf: runDirectory.appendingPathComponent("actors/actor-\(i).log"), encoding: .utf8)
      XCTAssertTrue(log.contains("the learner shut down"), log)
    }
  }

  /// The iteration number of a progress line `iter K/N …`.
  func iterationNumber(_ line: String) -> Int? {
    line.split(separator: " ").dropFirst().first.flatMap { Int($0.prefix { $0 != "/" }) }
  }

  func testAKilledActorDoesNotStopTheRun() throws {
    let runDirectory = try makeRunDirectory()
    let (learner, endpoint) = try startLearner(iterations: 100_000, runDirectory: runDirectory)
    let victim = try startActor(endpoint, id: "victim")
    let survivors = try (0..<2).map { try startActor(endpoint, id: "survivor-\($0)") }
    _ = try learner.waitForLine(containing: "iter 3/")
    victim.kill()
    _ = try learner.waitForLine(containing: "actor victim lost")
    let atLoss = learner.output.split(separator: "\n").last { $0.hasPrefix("iter ") }
    let lossIteration = try XCTUnwrap(atLoss.flatMap { iterationNumber(String($0)) })
    _ = try learner.waitForLine(containing: "iter \(lossIteration + 5)/")
    learner.interrupt()
    XCTAssertEqual(learner.waitForExit(timeout: 60), 0, learner.output)
    XCTAssertTrue(learner.output.contains("stopped after iteration"), learner.output)
    for survivor in survivors { XCTAssertEqual(survivor.waitForExit(timeout: 30), 0) }
    XCTAssertEqual(try progressRows(runDirectory).last?["live_actors"], "2")
  }

  func testALateActorGetsTheCurrentWeightsAndContributes() throws {
    let runDirectory = try makeRunDirectory()
    let (learner, endpoint) = try startLearner(iterations: 100_000, runDirectory: runDirectory)
    let early = try startActor(endpoint, id: "early")
    _ = try learner.waitForLine(containing: "iter 5/")
    let late = try startActor(endpoint, id: "late")
    let joined = try learner.waitForLine(containing: "actor late ")
    let version = try XCTUnwrap(Int(joined.split(separator: " ").last ?? ""), joined)
    XCTAssertGreaterThanOrEqual(version, 5, "the late actor did not get the current weights")
    _ = try learner.waitForLine(containing: "iter \(version + 5)/")
    learner.interrupt()
    XCTAssertEqual(learner.waitForExit(timeout: 60), 0, learner.output)
    XCTAssertEqual(early.waitForExit(timeout: 30), 0)
    XCTAssertEqual(late.waitForExit(timeout: 30), 0, late.output)
    let sent = try XCTUnwrap(
      late.output.split(separator: "\n").last { $0.contains("actor done:") }, late.output)
    XCTAssertFalse(sent.contains("done: 0 batches"), String(sent))
    XCTAssertEqual(try progressRows(runDirectory).last?["live_actors"], "2")
  }

  /// An actor started before its learner keeps saying hello until the learner is there.
  func testAnActorStartedBeforeTheLearnerConnectsWhenItComes() throws {
    let runDirectory = try makeRunDirectory()
    let port = try freePortTriple()
    let endpoint = "tcp://127.0.0.1:\(port)"
    let actor = try startActor(endpoint, id: "eager")
    Thread.sleep(forTimeInterval: 1.5)
    let learner = try RunningProcess(
      ["learner", "--endpoint", endpoint, "--iterations", "3", "--run-dir", runDirectory.path]
        + Self.tinyRun)
    addTeardownBlock { learner.kill() }
    XCTAssertEqual(learner.waitForExit(timeout: 120), 0, learner.output)
    XCTAssertTrue(learner.output.contains("actor eager"), learner.output)
    XCTAssertTrue(learner.output.contains("iter 3/3"), learner.output)
    XCTAssertEqual(actor.waitForExit(timeout: 30), 0, actor.output)
  }

  /// A port p with p, p + 1 and p + 2 free on loopback (the learner's three sockets).
  func freePortTriple() throws -> Int {
    for _ in 0..<50 {
      let port = Int.random(in: 20_000...60_000)
      if (0..<3).allSatisfy({ isFree(port + $0) }) { return port }
    }
    throw RunningProcess.Timeout(description: "no three consecutive free ports found")
  }

  func isFree(_ port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }

  func progressRows(_ runDirectory: URL) throws -> [[String: String]] {
    let text = try String(
      contentsOf: runDirectory.appendingPathComponent("progress.csv"), encoding: .utf8)
    let lines = text.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    guard let header = lines.first else { return [] }
    return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
  }
}

/// A child `rl2` process whose output (stdout and stderr together) is collected as it comes.
final class RunningProcess: @unchecked Sendable {
  let process = Process()
  private let lock = NSLock()
  private var collected = ""

  init(_ arguments: [String]) throws {
    process.executableURL = CommandLineTests.executable
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
      let data = handle.availableData
      guard let self, !data.isEmpty else { return }
      self.lock.withLock { self.collected += String(decoding: data, as: UTF8.self) }
    }
    try process.run()
  }

  var output: String { lock.withLock { collected } }

  /// The first output line containing `text`, failing after `timeout` seconds.
  func waitForLine(containing text: String, timeout: Double = 120) throws -> String {
    let deadline = Date(timeIntervalSinceNow: timeout)
    while Date() < deadline {
      if let line = output.split(separator: "\n").first(where: { $0.contains(text) }) {
        return String(line)
      }
      Thread.sleep(forTimeInterval: 0.02)
    }
    throw Timeout(description: "never printed \(text) within \(timeout) s:\n\(output)")
  }

  func waitForExit(timeout: Double) -> Int32? {
    let deadline = Date(timeIntervalSinceNow: timeout)
    while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    guard !process.isRunning else { return nil }
    Thread.sleep(forTimeInterval: 0.05)  // let the last output arrive
    return process.terminationStatus
  }

  struct Timeout: Error, CustomStringConvertible {
    let description: String
  }

  /// Ctrl-C: the graceful stop.
  func interrupt() { process.interrupt() }

  func kill() {
    if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
  }
}
