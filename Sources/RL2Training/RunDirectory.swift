import Foundation

/// `runs/<name>/`: `config.json`, `progress.csv`, `checkpoints/`, `eval/`.
public struct RunDirectory: Sendable {
  public let url: URL

  public init(url: URL) { self.url = url }

  public var configurationURL: URL { url.appendingPathComponent("config.json") }
  public var progressURL: URL { url.appendingPathComponent("progress.csv") }
  public var evaluationDirectory: URL { url.appendingPathComponent("eval") }

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
      throw RunDirectoryError.unwritable(url.path, error.localizedDescription)
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

public enum RunDirectoryError: Error, CustomStringConvertible {
  case unwritable(String, String)

  public var description: String {
    switch self {
    case .unwritable(let path, let reason):
      "cannot write the run directory \(path): \(reason); choose another --run-dir"
    }
  }
}
