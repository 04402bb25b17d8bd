import Foundation
import RL2Math
import RL2Wire

/// Seeded bad inputs made from valid envelopes, the way a broken or hostile peer would send
/// them: random bytes, truncations, bit flips, extensions, splices, other protocol versions,
/// and fields that declare far more bytes than follow.
struct WireMutator {
  enum Kind: String, CaseIterable {
    case randomBytes = "random bytes"
    case truncated
    case bitFlipped = "bit-flipped"
    case extended, spliced
    case wrongVersion = "wrong protocol version"
    case hugeLength = "huge declared length"
    case intact
  }

  var random: RandomStream
  let seeds: [Data]

  init(seed: UInt64, seeds: [Rl2_V1_Envelope]) {
    random = RandomStream(seed: seed)
    self.seeds = seeds.map(\.encoded)
  }

  /// The envelope of every body kind, each with a little content, plus `extra`.
  static func everyBodyKind(plus extra: [Rl2_V1_Envelope.OneOf_Body] = []) -> [Rl2_V1_Envelope] {
    let bodies: [Rl2_V1_Envelope.OneOf_Body] = [
      .hello(.with { $0.actorID = "someone" }), .welcome(.with { $0.actorIndex = 3 }),
      .weights(.with { $0.version = 2 }), .trialBatch(.with { $0.trialCount = 1 }),
      .heartbeat(.with { $0.actorID = "someone" }), .drain(.init()),
      .shutdown(.with { $0.reason = "x" }), .reject(.with { $0.reason = "no" }),
      .collectionClosed(.with { $0.weightsVersion = 1 }),
      .leaseRequest(.with { $0.configurations = 2 }), .lease(.with { $0.leaseID = 1 }),
      .leaseResult(.with { $0.leaseID = 1 }), .statusRequest(.init()), .status(.init()),
      .resultsRecorded(.init()), .startSweep(.with { $0.episodesPerTrial = 2 }),
      .sweepStarted(.init()), .sweepReportRequest(.with { $0.sweepID = 1 }),
      .sweepReport(.init()),
    ]
    return (bodies + extra).map { Rl2_V1_Envelope($0) }
  }

  mutating func next() -> (Data, Kind) {
    let kind = Kind.allCases[pick(Kind.allCases.count)]
    var bytes = seeds[pick(seeds.count)]
    switch kind {
    case .randomBytes: bytes = randomBytes(pick(512))
    case .truncated: bytes = bytes.prefix(pick(bytes.count))
    case .bitFlipped:
      for _ in 0...pick(8) where !bytes.isEmpty {
        let i = bytes.startIndex + pick(bytes.count)
        bytes[i] ^= 1 << UInt8(pick(8))
      }
    case .extended: bytes.append(randomBytes(1 + pick(64)))
    case .spliced:
      let other = seeds[pick(seeds.count)]
      bytes = bytes.prefix(pick(bytes.count + 1)) + other.suffix(pick(other.count + 1))
    case .wrongVersion:
      var envelope = (try? Rl2_V1_Envelope(serializedBytes: bytes)) ?? Rl2_V1_Envelope()
      repeat {
        envelope.protocolVersion = UInt32(truncatingIfNeeded: random.next())
      } while envelope.protocolVersion == Rl2_V1_Envelope.currentProtocolVersion
      bytes = envelope.encoded
    case .hugeLength:
      // A top-level length-delimited field (wire type 2) claiming 1 MiB to 4 EiB, a few of
      // whose bytes follow.
      let field = UInt64(1 + pick(40)) << 3 | 2
      bytes += varint(field) + varint(UInt64(1 << 20) << UInt64(pick(43))) + randomBytes(pick(16))
    case .intact: break
    }
    return (bytes, kind)
  }

  private mutating func pick(_ count: Int) -> Int {
    count <= 0 ? 0 : Int(random.next() % UInt64(count))
  }

  private mutating func randomBytes(_ count: Int) -> Data {
    Data((0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) })
  }

  private func varint(_ value: UInt64) -> Data {
    var (value, bytes) = (value, Data())
    while value >= 0x80 {
      bytes.append(UInt8(value & 0x7F) | 0x80)
      value >>= 7
    }
    bytes.append(UInt8(value))
    return bytes
  }
}

/// Resident memory of this process, from /proc/self/statm (0 where it does not exist).
func residentBytes() -> Int {
  guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else {
    return 0
  }
  let pages = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
  return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
