/// A seeded, splittable pseudo-random generator (xoshiro256** with SplitMix64 seeding).
///
/// Every stream carries a 64-bit key fixed at creation. `stream(_:)` derives a child stream
/// from the key and an index alone, never from how many numbers the parent has drawn, so a run
/// is reproducible from one `--seed` whatever the order in which actors and trials start:
///
///     let root = RandomStream(seed: 7)
///     var actor = root.stream("actor").stream(3)       // actor 3's stream
///     var trial = actor.stream(UInt64(trialID))       // one trial inside it
///     let p = trial.uniform()
///
/// Streams are value types; copying one replays the same numbers.
public struct RandomStream: RandomNumberGenerator, Codable, Equatable, Sendable {
  /// The identity of this stream; children are functions of it.
  public let key: UInt64
  // The xoshiro256** state; saved with a checkpoint through `Codable`.
  private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

  public init(seed: UInt64) {
    self.init(key: SplitMix64.mix(seed ^ 0x5851_F42D_4C95_7F2D))
  }

  private init(key: UInt64) {
    self.key = key
    var seeder = SplitMix64(state: key)
    var words = (0..<4).map { _ in seeder.next() }
    if words.allSatisfy({ $0 == 0 }) { words[0] = 1 }
    (s0, s1, s2, s3) = (words[0], words[1], words[2], words[3])
  }

  /// The child stream number `index`, independent of this stream's position.
  public func stream(_ index: UInt64) -> RandomStream {
    RandomStream(key: SplitMix64.mix(key &+ SplitMix64.mix(index &+ 0x9E37_79B9_7F4A_7C15)))
  }

  /// The child stream for a purpose, such as `"actor"` or `"evaluation"`.
  public func stream(_ label: String) -> RandomStream {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in label.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
    return stream(hash)
  }

  public mutating func next() -> UInt64 {
    let result = rotateLeft(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotateLeft(s3, 45)
    return result
  }

  /// Uniform on [0, 1) with 53 random bits.
  public mutating func uniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// Standard normal by the Box–Muller transform.
  public mutating func normal() -> Double {
    let u1 = 1 - uniform()
    let u2 = uniform()
    return (-2 * LibM.log(u1)).squareRoot() * LibM.cos(2 * .pi * u2)
  }

  /// Normal with the given mean and standard deviation.
  public mutating func normal(mean: Double, standardDeviation: Double) -> Double {
    mean + standardDeviation * normal()
  }

  /// An index drawn with the given (unnormalized, non-negative) weights.
  public mutating func index<S: TensorScalar>(weightedBy weights: UnsafeBufferPointer<S>) -> Int {
    var total: Double = 0
    for w in weights { total += Double(w) }
    var threshold = uniform() * total
    for (i, w) in weights.enumerated() {
      threshold -= Double(w)
      if threshold < 0 { return i }
    }
    return weights.lastIndex { $0 > 0 } ?? weights.count - 1
  }
}

@inline(__always)
private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
  (x << k) | (x >> (64 - k))
}

/// SplitMix64 (Steele, Lea & Flood 2014): seeds xoshiro and hashes stream keys.
struct SplitMix64 {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return Self.mix(state)
  }

  static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
