import Foundation
import RL2Math

/// Everything needed to continue a run exactly where it stopped.
public struct Checkpoint: Codable, Sendable {
  public static let formatVersion = 1

  public var formatVersion = Checkpoint.formatVersion
  public var configuration: TrainingConfiguration
  /// Completed policy iterations.
  public var iteration: Int
  /// Monotonic version of the policy weights (one per accepted or attempted update).
  public var weightsVersion: Int
  public var environmentSteps: Int
  public var elapsedSeconds: Double
  public var policy: FloatVector
  public var value: FloatVector
  public var valueAdam: Adam
  public var policyAdam: Adam
  public var returnMean: Double
  public var returnScale: Double
  /// The run's root stream; every iteration's randomness is a child of it.
  public var random: RandomStream
}

/// A `[Float]` stored as raw little-endian bytes (base64 in JSON): compact and bit-exact.
public struct FloatVector: Codable, Sendable, Equatable {
  public var values: [Float]

  public init(_ values: [Float]) { self.values = values }

  public init(from decoder: Decoder) throws {
    let data = try decoder.singleValueContainer().decode(Data.self)
    guard data.count % 4 == 0 else {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: decoder.codingPath,
          debugDescription: "\(data.count) bytes is not a whole number of Float32 values"))
    }
    values = stride(from: 0, to: data.count, by: 4).map { offset in
      var bits: UInt32 = 0
      for k in 0..<4 { bits |= UInt32(data[data.startIndex + offset + k]) << (8 * k) }
      return Float(bitPattern: bits)
    }
  }

  public func encode(to encoder: Encoder) throws {
    var data = Data(capacity: values.count * 4)
    for value in values {
      let bits = value.bitPattern
      for k in 0..<4 { data.append(UInt8(truncatingIfNeeded: bits >> (8 * k))) }
    }
    var container = encoder.singleValueContainer()
    try container.encode(data)
  }
}

/// The `checkpoints/` folder of a run: atomic writes, newest-first reads, bounded history.
public struct CheckpointStore: Sendable {
  public let directory: URL
  public let kept: Int

  public init(directory: URL, kept: Int) {
    self.directory = directory
    self.kept = kept
  }

  static let prefix = "iteration-"
  static let suffix = ".checkpoint.json"

  func url(iteration: Int) -> URL {
    directory.appendingPathComponent(
      Self.prefix + String(format: "%07d", iteration) + Self.suffix)
  }

  /// Checkpoint files, oldest first.
  public func files() -> [URL] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { $0.hasPrefix(Self.prefix) && $0.hasSuffix(Self.suffix) }.sorted()
      .map { directory.appendingPathComponent($0) }
  }

  /// Writes `checkpoint` atomically (temporary file, fsync, rename, fsync of the folder), then
  /// removes all but the newest `kept`. A failure leaves the previous checkpoints intact.
  public func save(_ checkpoint: Checkpoint) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let data = try JSONEncoder().encode(checkpoint)
    let target = url(iteration: checkpoint.iteration)
    do {
      try AtomicFile.write(data, to: target)
    } catch {
      throw CheckpointError.unwritable(
        target.path, AtomicFile.reason(error), previous: files().last?.path)
    }
    for old in files().dropLast(kept) { try? FileManager.default.removeItem(at: old) }
  }

  /// The newest checkpoint, or nil when there is none.
  public func loadNewest() throws -> Checkpoint? {
    guard let newest = files().last else { return nil }
    return try Self.load(newest)
  }

  /// Reads one checkpoint file, with an error that names the file and the problem.
  public static func load(_ url: URL) throws -> Checkpoint {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw CheckpointError.unreadable(url.path, error.localizedDescription)
    }
    let checkpoint: Checkpoint
    do {
      checkpoint = try JSONDecoder().decode(Checkpoint.self, from: data)
    } catch {
      throw CheckpointError.malformed(url.path, "\(error)")
    }
    guard checkpoint.formatVersion == Checkpoint.formatVersion else {
      throw CheckpointError.malformed(
        url.path,
        "format version \(checkpoint.formatVersion), this build reads \(Checkpoint.formatVersion)")
    }
    return checkpoint
  }
}

public enum CheckpointError: Error, CustomStringConvertible {
  case unreadable(String, String)
  case malformed(String, String)
  case mismatch(String)
  /// Writing a checkpoint failed (disk full, read-only folder, …); `previous` is the newest
  /// checkpoint left, intact.
  case unwritable(String, String, previous: String?)

  public var description: String {
    switch self {
    case .unwritable(let path, let reason, let previous):
      "cannot write checkpoint \(path): \(reason); "
        + (previous.map { "the previous checkpoint \($0) is intact" }
          ?? "no earlier checkpoint exists")
        + " — fix the run directory (free space, permissions) and continue with --resume"
    case .unreadable(let path, let reason): "cannot read checkpoint \(path): \(reason)"
    case .malformed(let path, let reason): "checkpoint \(path) is not usable: \(reason)"
    case .mismatch(let reason): reason
    }
  }
}

/// Durable replacement of a file: a crash leaves either the old or the new contents.
public enum AtomicFile {
  /// The operating system's words for why a file operation failed ("No space left on
  /// device"), found under Foundation's wrapping; the error itself when it has none.
  public static func reason(_ error: Error) -> String {
    var current: NSError? = error as NSError
    while let error = current {
      if error.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(error.code)))
      }
      current = error.userInfo[NSUnderlyingErrorKey] as? NSError
    }
    if let described = (error as NSError).userInfo[NSLocalizedDescriptionKey] as? String {
      return described
    }
    return "\(error)"
  }

  public static func write(_ data: Data, to url: URL) throws {
    let temporary = url.deletingLastPathComponent()
      .appendingPathComponent(
        ".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
      throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary.path])
    }
    do {
      let handle = try FileHandle(forWritingTo: temporary)
      defer { try? handle.close() }
      try handle.write(contentsOf: data)
      try handle.synchronize()
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw error
    }
    guard rename(temporary.path, url.path) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temporary)
      throw CocoaError(
        .fileWriteUnknown,
        userInfo: [NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: reason])
    }
    let folder = open(url.deletingLastPathComponent().path, O_RDONLY)
    if folder >= 0 {
      fsync(folder)
      close(folder)
    }
  }
}

extension CheckpointStore {
  /// The newest checkpoint of every task setting found anywhere under `folder` (the highest
  /// iteration per setting name), for the RL² columns of the tables.
  public static func newestPerSetting(under folder: URL) throws -> [String: URL] {
    guard
      let walker = FileManager.default.enumerator(
        at: folder, includingPropertiesForKeys: nil)
    else { throw CheckpointError.mismatch("cannot read the folder \(folder.path)") }
    var newest: [String: (iteration: Int, url: URL)] = [:]
    for case let url as URL in walker where url.lastPathComponent.hasSuffix(".checkpoint.json") {
      guard let checkpoint = try? load(url) else { continue }
      let setting = checkpoint.configuration.task.name
      if checkpoint.iteration > newest[setting]?.iteration ?? -1 {
        newest[setting] = (checkpoint.iteration, url)
      }
    }
    return newest.mapValues(\.url)
  }
}
