import Foundation

/// `runs/<name>/`: `config.json`, `progress.csv`, `checkpoints/`, `eval/`.
public struct RunDirectory: Sendable {
  public let url: URL

  public init(url: URL) { self.url = url }

  public var configurationURL: URL { url.appendingPathComponent("config.json") }
  public var progressURL: URL { url.appendingPathComponent("progress.csv") }
  public var evaluationDirectory: URL { url.appendingPathComponent("eval") }
  /// `evaluations.csv`: the test-set evaluations made during training (`--eval-interval`).
  public var evaluationsURL: URL { url.appendingPathComponent("evaluations.csv") }
  /// `fork.json`: the checkpoint a forked run started from and the settings it changed.
  public var forkURL: URL { url.appendingPathComponent("fork.json") }

  public func checkpoints(kept: Int) -> CheckpointStore {
    CheckpointStore(directory: url.appendingPathComponent("checkpoints"), kept: kept)
  }

  /// Creates the folder and writes `config.json`, with an error naming the path on failure.
  public func prepare(configuration: TrainingConfiguration) throws {
    do {
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try AtomicFile.write(try encoder.encode(configuration), to: configurationURL)
    } catch {
      throw RunDirectoryError.unwritable(url.path, AtomicFile.reason(error))
    }
  }

  public func saveEvaluation(_ result: EvaluationResult, name: String) throws {
    try FileManager.default.createDirectory(
      at: evaluationDirectory, withIntermediateDirectories: true)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try AtomicFile.write(
      try encoder.encode(result), to: evaluationDirectory.appendingPathComponent("\(name).json"))
  }
}

extension RunDirectory {
  /// `weights-version`: the newest weights version an iteration has used (and, in a distributed
  /// run, broadcast). A learner that crashed after its last checkpoint has sent versions the
  /// checkpoint does not know; resuming continues above this number, so versions stay
  /// monotonic across restarts.
  public var publishedVersionURL: URL { url.appendingPathComponent("weights-version") }

  public func recordPublishedVersion(_ version: Int) throws {
    do {
      try AtomicFile.write(Data("\(version)\n".utf8), to: publishedVersionURL)
    } catch {
      throw RunDirectoryError.unwritable(publishedVersionURL.path, AtomicFile.reason(error))
    }
  }

  /// The recorded version; nil when none was recorded or the file is unreadable.
  public var lastPublishedVersion: Int? {
    (try? String(contentsOf: publishedVersionURL, encoding: .utf8)).flatMap {
      Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
    }
  }

  /// Whether a run has already written here (progress or checkpoints).
  public var holdsARun: Bool {
    FileManager.default.fileExists(atPath: progressURL.path)
      || !checkpoints(kept: 1).files().isEmpty
  }

  /// Takes the run's lock file (`run.lock`, an advisory `flock`) for the life of the returned
  /// object, so two processes never train into the same folder.
  public func lock() throws -> RunLock {
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return try RunLock(url: url.appendingPathComponent("run.lock"))
  }
}

/// A new run's starting point taken from another run's checkpoint (`rl2 train --fork`).
public struct RunFork: Sendable {
  public var url: URL
  public var checkpoint: Checkpoint

  public init(url: URL) throws {
    self.url = url
    checkpoint = try CheckpointStore.load(url)
  }
}

/// What `fork.json` holds.
public struct ForkRecord: Codable, Sendable, Equatable {
  /// The checkpoint file the run started from.
  public var checkpoint: String
  public var iteration: Int
  public var environmentSteps: Int
  /// "key: run R, asked A" for each setting the fork changed.
  public var changes: [String]
}

/// An exclusive advisory lock on a file, released when the object goes away.
public final class RunLock {
  let descriptor: Int32

  init(url: URL) throws {
    descriptor = open(url.path, O_RDWR | O_CREAT, 0o644)
    guard descriptor >= 0 else {
      throw RunDirectoryError.unwritable(url.path, String(cString: strerror(errno)))
    }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      close(descriptor)
      throw RunDirectoryError.inUse(url.deletingLastPathComponent().path)
    }
  }

  deinit {
    flock(descriptor, LOCK_UN)
    close(descriptor)
  }
}

public enum RunDirectoryError: Error, CustomStringConvertible {
  case unwritable(String, String)
  case inUse(String)
  case occupied(String)

  public var description: String {
    switch self {
    case .unwritable(let path, let reason):
      "cannot write \(path): \(reason); fix the run directory (free space, permissions) and "
        + "continue with --resume, or choose another --run-dir"
    case .inUse(let path):
      "another process is training in \(path); wait for it or choose another --run-dir"
    case .occupied(let path):
      "\(path) already holds a run; add --resume to continue it or choose another --run-dir"
    }
  }
}
