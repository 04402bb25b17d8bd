import Foundation

/// Index tables kept in memory for the process and on disk in a caller's directory, one file
/// per table:
///
///     gittins-finite-n500-g1029.bin
///     gittins-discounted-0.99-m499-N2653-g259.bin
///
/// A file is a 72-byte little-endian header — the magic "RL2GITT1", the format version, the
/// kind (0 finite horizon, 1 discounted), n or m, γ's bits, N, G, the index count, the
/// calibration error and an FNV-1a checksum of the payload — followed by the indices as
/// Float32. A file that cannot be read, or whose header or checksum does not match the table
/// asked for, is rebuilt and overwritten (atomically: written aside, then renamed), never used.
extension GittinsIndexTable {
  /// The table of `kind`: from this process's memory, else from `cacheDirectory`, else built
  /// (and then written to `cacheDirectory` when one is given). Concurrent callers asking for
  /// the same table wait for one build.
  public static func make(
    _ kind: Kind, gridIntervals: Int? = nil, cacheDirectory: URL?
  ) -> GittinsIndexTable {
    let gridIntervals = gridIntervals ?? defaultGridIntervals(for: kind)
    return memory.table(for: MemoryKey(kind: kind, gridIntervals: gridIntervals)) {
      loadOrBuild(
        kind, gridIntervals: gridIntervals,
        file: cacheDirectory?.appendingPathComponent(fileName(kind, gridIntervals: gridIntervals)))
    }
  }

  /// The table in `file` if it is valid, else a new one, written to `file`.
  static func loadOrBuild(_ kind: Kind, gridIntervals: Int, file: URL?) -> GittinsIndexTable {
    if let file, let table = try? load(kind, gridIntervals: gridIntervals, from: file) {
      return table
    }
    let table = build(kind, gridIntervals: gridIntervals)
    if let file {
      do {
        try table.write(to: file)
      } catch {
        // Not fatal: the table is in memory, and the next process builds it again.
        FileHandle.standardError.write(
          Data("warning: could not write the Gittins cache file \(file.path): \(error)\n".utf8))
      }
    }
    return table
  }

  /// `$XDG_CACHE_HOME/rl2/gittins`, or `~/.cache/rl2/gittins`: a place for `make`'s files that
  /// outlives runs (the tables depend on nothing but their kind and grid).
  public static var defaultCacheDirectory: URL {
    let environment = ProcessInfo.processInfo.environment
    let base =
      environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
      ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
    return base.appendingPathComponent("rl2").appendingPathComponent("gittins")
  }

  static func fileName(_ kind: Kind, gridIntervals: Int) -> String {
    switch kind {
    case .finiteHorizon(let pulls):
      "gittins-finite-n\(pulls)-g\(gridIntervals).bin"
    case .discounted(let gamma, let observations, let truncation):
      "gittins-discounted-\(gamma)-m\(observations)-N\(truncation)-g\(gridIntervals).bin"
    }
  }

  /// Writes the header and payload to `file` atomically, creating its directory.
  func write(to file: URL) throws {
    try FileManager.default.createDirectory(
      at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    var data = Data(capacity: CacheHeader.size + 4 * values.count)
    CacheHeader(table: self).append(to: &data)
    values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { data.append(contentsOf: $0) }
    try data.write(to: file, options: .atomic)
  }

  /// The table in `file`, or an error naming what did not match `kind` and `gridIntervals`.
  static func load(_ kind: Kind, gridIntervals: Int, from file: URL) throws -> GittinsIndexTable {
    let data = try Data(contentsOf: file, options: .mappedIfSafe)
    let count = count(of: kind)
    guard data.count == CacheHeader.size + 4 * count else {
      throw CacheError.mismatch(
        file, "\(data.count) bytes, expected \(CacheHeader.size + 4 * count)")
    }
    let header = try CacheHeader(data, file: file)
    let expected = CacheHeader(kind: kind, gridIntervals: gridIntervals, count: count)
    guard header.describesSameTable(as: expected) else {
      throw CacheError.mismatch(file, "header \(header), expected \(expected)")
    }
    let values = data.withUnsafeBytes { raw in
      (0..<count).map { i in
        Float(
          bitPattern: UInt32(
            littleEndian: raw.loadUnaligned(
              fromByteOffset: CacheHeader.size + 4 * i, as: UInt32.self)))
      }
    }
    guard CacheHeader.checksum(values) == header.checksum else {
      throw CacheError.mismatch(file, "payload checksum differs from the header's")
    }
    return GittinsIndexTable(
      kind: kind, gridIntervals: gridIntervals, calibrationError: header.calibrationError,
      values: values)
  }

  struct MemoryKey: Hashable {
    let kind: Kind
    let gridIntervals: Int
  }

  /// Tables built or loaded by this process (a few hundred MB at most: the n = 500
  /// finite-horizon table is 84 MB).
  static let memory = TableMemory()
}

enum CacheError: Error, CustomStringConvertible {
  case mismatch(URL, String)

  var description: String {
    switch self {
    case .mismatch(let file, let reason):
      "Gittins cache file \(file.path) does not hold the table asked for (\(reason)); it is rebuilt"
    }
  }
}

/// The tables of this process, each made once: a caller asking for a table being made waits
/// for it (one lock for all tables; they are made rarely).
final class TableMemory: @unchecked Sendable {
  private var tables: [GittinsIndexTable.MemoryKey: GittinsIndexTable] = [:]
  private let lock = NSLock()

  func table(
    for key: GittinsIndexTable.MemoryKey, orMake make: () -> GittinsIndexTable
  ) -> GittinsIndexTable {
    lock.withLock {
      if let table = tables[key] { return table }
      let table = make()
      tables[key] = table
      return table
    }
  }
}

/// The 72-byte header of a cache file: eight little-endian 64-bit words after the magic.
struct CacheHeader: CustomStringConvertible {
  static let magic = Array("RL2GITT1".utf8)
  static let version: UInt64 = 1
  static let size = 72

  var kindCode: UInt64
  var size: UInt64
  var discountBits: UInt64
  var truncation: UInt64
  var gridIntervals: UInt64
  var count: UInt64
  var calibrationError: Double
  var checksum: UInt64

  init(kind: GittinsIndexTable.Kind, gridIntervals: Int, count: Int) {
    switch kind {
    case .finiteHorizon(let pulls):
      (kindCode, size, discountBits, truncation) = (0, UInt64(pulls), 0, 0)
    case .discounted(let gamma, let observations, let truncation):
      (kindCode, size, discountBits, self.truncation) =
        (1, UInt64(observations), gamma.bitPattern, UInt64(truncation))
    }
    self.gridIntervals = UInt64(gridIntervals)
    self.count = UInt64(count)
    calibrationError = 0
    checksum = 0
  }

  init(table: GittinsIndexTable) {
    self.init(kind: table.kind, gridIntervals: table.gridIntervals, count: table.values.count)
    calibrationError = table.calibrationError
    checksum = Self.checksum(table.values)
  }

  init(_ data: Data, file: URL) throws {
    let words = data.withUnsafeBytes { raw in
      (0..<8).map {
        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 + 8 * $0, as: UInt64.self))
      }
    }
    guard Array(data.prefix(8)) == Self.magic, words[0] >> 32 == Self.version else {
      throw CacheError.mismatch(file, "not a version \(Self.version) Gittins table")
    }
    kindCode = words[0] & 0xFFFF_FFFF
    (size, discountBits, truncation, gridIntervals, count) =
      (words[1], words[2], words[3], words[4], words[5])
    calibrationError = Double(bitPattern: words[6])
    checksum = words[7]
  }

  /// The magic, then version << 32 | kind, n or m, γ, N, G, count, error, checksum.
  func append(to data: inout Data) {
    data.append(contentsOf: Self.magic)
    for word in [
      Self.version << 32 | kindCode, size, discountBits, truncation, gridIntervals, count,
      calibrationError.bitPattern, checksum,
    ] {
      withUnsafeBytes(of: word.littleEndian) { data.append(contentsOf: $0) }
    }
  }

  func describesSameTable(as other: CacheHeader) -> Bool {
    (kindCode, size, discountBits, truncation, gridIntervals, count)
      == (
        other.kindCode, other.size, other.discountBits, other.truncation, other.gridIntervals,
        other.count
      )
  }

  /// FNV-1a over the indices' 32-bit patterns.
  static func checksum(_ values: [Float]) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for value in values { hash = (hash ^ UInt64(value.bitPattern)) &* 0x100_0000_01B3 }
    return hash
  }

  var description: String {
    "kind \(kindCode), size \(size), γ bits \(discountBits), N \(truncation), G \(gridIntervals), "
      + "\(count) indices"
  }
}
