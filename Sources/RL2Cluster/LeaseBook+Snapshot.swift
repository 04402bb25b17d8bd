import Foundation
import RL2Envs
import RL2Math

/// What a coordinator keeps on disk so that a restart loses no recorded result: every sweep
/// with its results and queue, the evaluation leases (so results from holders that outlived
/// the old process still count, exactly once), the lease counter and the training stream.
/// Times are kept as ages at the moment of the snapshot, since monotonic clocks of two
/// processes share no origin; open leases get a fresh deadline on restore, so a holder that is
/// gone lets its ids be re-issued one lease timeout later.
extension LeaseBook {
  public struct Snapshot: Codable, Sendable, Equatable {
    public static let formatVersion = 1

    public struct SavedSweep: Codable, Sendable, Equatable {
      var id: UInt64
      var weightsVersion: UInt64
      var episodesPerTrial: Int
      var horizon: Int
      var total: Int
      var startedAgo: Double
      var lastResultAgo: Double?
      var outcomes: [ConfigurationOutcome]
      var duplicates: Int
      var environmentSteps: Int
      var nextFresh: Int
      var returned: [Int]
    }

    public struct SavedLease: Codable, Sendable, Equatable {
      var id: UInt64
      var sweepID: UInt64
      var configurationIDs: [Int]
      var holder: String
      var reissuedCount: Int
      var isOpen: Bool
    }

    public var formatVersion = Self.formatVersion
    var trainingCount: Int
    var testCount: Int
    var sweeps: [SavedSweep]
    var leases: [SavedLease]
    var nextLeaseID: UInt64
    var trainingLeasesGranted: Int
    var refusedResults: Int
    var random: RandomStream

    /// Results recorded over all sweeps.
    public var recordedResults: Int { sweeps.reduce(0) { $0 + $1.outcomes.count } }
    public var sweepCount: Int { sweeps.count }
    public var openLeaseCount: Int { leases.count { $0.isOpen } }
  }

  public func snapshot(now: Double) -> Snapshot {
    Snapshot(
      trainingCount: configuration.trainingCount, testCount: configuration.testCount,
      sweeps: sweeps.map { sweep in
        Snapshot.SavedSweep(
          id: sweep.id, weightsVersion: sweep.weightsVersion,
          episodesPerTrial: sweep.episodesPerTrial, horizon: sweep.horizon, total: sweep.total,
          startedAgo: now - sweep.startedAt, lastResultAgo: sweep.lastResultAt.map { now - $0 },
          outcomes: sweep.outcomes.keys.sorted().map { sweep.outcomes[$0]! },
          duplicates: sweep.duplicates, environmentSteps: sweep.environmentSteps,
          nextFresh: sweep.nextFresh, returned: sweep.returned)
      },
      leases: evaluationLeases.keys.sorted().map { id in
        let lease = evaluationLeases[id]!
        return Snapshot.SavedLease(
          id: id, sweepID: lease.sweepID, configurationIDs: lease.configurationIDs,
          holder: lease.holder, reissuedCount: lease.reissuedCount,
          isOpen: openLeaseIDs.contains(id))
      },
      nextLeaseID: nextLeaseID, trainingLeasesGranted: trainingLeasesGranted,
      refusedResults: refusedResults, random: random)
  }

  /// The book `snapshot` describes, under `configuration` (whose counts must match it).
  public init(_ configuration: Configuration, restoring snapshot: Snapshot, now: Double)
    throws(ClusterError)
  {
    guard snapshot.formatVersion == Snapshot.formatVersion else {
      throw .failed(
        "state format version \(snapshot.formatVersion); this build reads "
          + "\(Snapshot.formatVersion)")
    }
    guard
      snapshot.trainingCount == configuration.trainingCount,
      snapshot.testCount == configuration.testCount
    else {
      throw .failed(
        "the state was written by a coordinator with \(snapshot.trainingCount) training and "
          + "\(snapshot.testCount) test configurations; this one has "
          + "\(configuration.trainingCount) and \(configuration.testCount)")
    }
    self.init(configuration)
    for (index, saved) in snapshot.sweeps.enumerated() {
      guard saved.id == UInt64(index + 1), (1...configuration.testCount).contains(saved.total),
        saved.outcomes.allSatisfy({ (0..<saved.total).contains($0.configurationID) })
      else { throw .failed("sweep \(saved.id) of the state is inconsistent") }
      var sweep = Sweep(
        id: saved.id, weightsVersion: saved.weightsVersion,
        episodesPerTrial: saved.episodesPerTrial, horizon: saved.horizon, total: saved.total,
        startedAt: now - saved.startedAgo)
      for outcome in saved.outcomes { sweep.outcomes[outcome.configurationID] = outcome }
      sweep.duplicates = saved.duplicates
      sweep.environmentSteps = saved.environmentSteps
      sweep.lastResultAt = saved.lastResultAgo.map { now - $0 }
      sweep.nextFresh = saved.nextFresh
      sweep.returned = saved.returned
      sweeps.append(sweep)
    }
    for saved in snapshot.leases {
      guard saved.sweepID >= 1, saved.sweepID <= sweeps.count, saved.id < snapshot.nextLeaseID
      else { throw .failed("lease \(saved.id) of the state names an unknown sweep") }
      evaluationLeases[saved.id] = Lease(
        id: saved.id, purpose: .evaluation, sweepID: saved.sweepID,
        configurationIDs: saved.configurationIDs, holder: saved.holder,
        deadline: now + configuration.leaseTimeout, reissuedCount: saved.reissuedCount)
      if saved.isOpen { openLeaseIDs.insert(saved.id) }
    }
    nextLeaseID = snapshot.nextLeaseID
    trainingLeasesGranted = snapshot.trainingLeasesGranted
    refusedResults = snapshot.refusedResults
    random = snapshot.random
  }
}

extension ConfigurationOutcome: Codable {
  enum CodingKeys: String, CodingKey {
    case configurationID = "id"
    case episodeLengths = "lengths"
    case successes
    case episodeReturns = "returns"
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      configurationID: try c.decode(Int.self, forKey: .configurationID),
      episodeLengths: try c.decode([Int].self, forKey: .episodeLengths),
      successes: try c.decode([Bool].self, forKey: .successes),
      episodeReturns: try c.decode([Double].self, forKey: .episodeReturns))
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(configurationID, forKey: .configurationID)
    try c.encode(episodeLengths, forKey: .episodeLengths)
    try c.encode(successes, forKey: .successes)
    try c.encode(episodeReturns, forKey: .episodeReturns)
  }
}
