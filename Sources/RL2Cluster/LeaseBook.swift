import RL2Math

/// The coordinator's state: which configuration ids are leased to whom until when, the
/// evaluation sweeps and the results recorded for them. Pure — no sockets and no clock; `now`
/// (monotonic seconds) is passed in — so it is tested directly and could be snapshotted.
///
/// Configurations are only ids: training mazes `0..<trainingCount`, test mazes `0..<testCount`
/// (two separate sets). Training leases are drawn uniformly with replacement from the seeded
/// stream and not tracked (their trajectories go to the learner). An evaluation sweep plays
/// every test id once: ids go out in leases of at most `leaseSize`; a lease that expires (or
/// whose holder is released as dead) puts its unrecorded ids at the front of the queue for the
/// next requester; each id's result is recorded exactly once, later ones count as duplicates.
///
/// ```swift
/// var book = LeaseBook(.init(trainingCount: 1000, testCount: 1000))
/// let sweep = try book.startSweep(weightsVersion: 7, episodesPerTrial: 2, horizon: 500, now: t)
/// if let lease = book.grantEvaluationLease(of: 4, to: "actor-1", now: t) {
///   _ = try book.record(outcomes, lease: lease.id, from: "actor-1", now: t + 3)
/// }
/// for expiry in book.expireLeases(now: t + 90) { … }      // on every tick of the service
/// book.sweep(sweep.id)?.report.metrics.improvedShare
/// ```
public struct LeaseBook: Sendable {
  public struct Configuration: Sendable, Equatable {
    public var trainingCount: Int
    public var testCount: Int
    /// Most test ids in one evaluation lease.
    public var leaseSize = 4
    /// Seconds an evaluation lease stays valid without a result; each result renews it.
    public var leaseTimeout = 60.0
    /// Most ids in one training lease (bounds a reply).
    public var maximumTrainingLease = 4096
    /// Seed of the stream training ids are drawn from.
    public var seed: UInt64 = 0

    public init(trainingCount: Int, testCount: Int) {
      self.trainingCount = trainingCount
      self.testCount = testCount
    }

    /// Names the first setting that cannot work.
    public func validate() throws(ClusterError) {
      guard trainingCount >= 1, testCount >= 1 else {
        throw .failed("the training and test configuration counts must be at least 1")
      }
      guard leaseSize >= 1 else { throw .failed("the lease size must be at least 1") }
      guard leaseTimeout > 0, leaseTimeout.isFinite else {
        throw .failed("the lease timeout must be a positive number of seconds")
      }
    }
  }

  public enum Purpose: Sendable, Equatable {
    case training, evaluation
  }

  public struct Lease: Sendable, Equatable {
    public let id: UInt64
    public let purpose: Purpose
    /// The sweep of an evaluation lease; 0 for training.
    public let sweepID: UInt64
    public let configurationIDs: [Int]
    public let holder: String
    /// When an evaluation lease expires without a result (monotonic seconds).
    public internal(set) var deadline: Double
    /// How many of its ids were out before in a lease that expired.
    public let reissuedCount: Int
  }

  /// Why a request or a result was refused.
  public struct Refusal: Error, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
      case invalid, unknownLease
    }

    public let kind: Kind
    public let reason: String

    init(_ kind: Kind, _ reason: String) {
      self.kind = kind
      self.reason = reason
    }

    public var description: String { reason }
  }

  public let configuration: Configuration
  /// Every sweep so far; sweep ids are 1, 2, … so sweep `id` is at `id − 1`.
  public internal(set) var sweeps: [Sweep] = []
  /// Every evaluation lease ever granted, open or closed (results of closed ones still count).
  var evaluationLeases: [UInt64: Lease] = [:]
  var openLeaseIDs: Set<UInt64> = []
  public internal(set) var trainingLeasesGranted = 0
  /// Results refused as invalid or for unknown leases.
  public internal(set) var refusedResults = 0
  var random: RandomStream
  var nextLeaseID: UInt64 = 1

  public init(_ configuration: Configuration) {
    self.configuration = configuration
    random = RandomStream(seed: configuration.seed).stream("training-configurations")
  }

  // MARK: Training

  /// `count` training ids drawn uniformly with replacement: the same seed and the same sequence
  /// of requests give the same ids.
  public mutating func grantTrainingLease(
    of count: Int, to holder: String, now: Double
  ) throws(Refusal) -> Lease {
    guard (1...configuration.maximumTrainingLease).contains(count) else {
      throw Refusal(
        .invalid,
        "a training lease holds 1 to \(configuration.maximumTrainingLease) configurations, "
          + "asked for \(count)")
    }
    let n = UInt64(configuration.trainingCount)
    let ids = (0..<count).map { _ in Int(random.next(upperBound: n)) }
    trainingLeasesGranted += 1
    return Lease(
      id: takeLeaseID(), purpose: .training, sweepID: 0, configurationIDs: ids, holder: holder,
      deadline: now, reissuedCount: 0)
  }

  // MARK: Evaluation

  /// Starts a sweep over the test ids `0..<configurations` (`nil`: all of them).
  public mutating func startSweep(
    weightsVersion: UInt64, episodesPerTrial: Int, configurations: Int? = nil, horizon: Int,
    now: Double
  ) throws(Refusal) -> Sweep {
    let total = configurations ?? configuration.testCount
    guard (1...configuration.testCount).contains(total) else {
      throw Refusal(
        .invalid, "a sweep covers 1 to \(configuration.testCount) test configurations, not \(total)"
      )
    }
    guard (1...1000).contains(episodesPerTrial) else {
      throw Refusal(.invalid, "episodes per trial must be 1 to 1000, not \(episodesPerTrial)")
    }
    guard horizon >= 1 else { throw Refusal(.invalid, "the horizon must be at least 1 step") }
    let sweep = Sweep(
      id: UInt64(sweeps.count + 1), weightsVersion: weightsVersion,
      episodesPerTrial: episodesPerTrial, horizon: horizon, total: total, startedAt: now)
    sweeps.append(sweep)
    return sweep
  }

  public func sweep(_ id: UInt64) -> Sweep? {
    guard id >= 1, id <= sweeps.count else { return nil }
    return sweeps[Int(id - 1)]
  }

  /// The oldest unfinished sweep, else the newest one.
  public var currentSweep: Sweep? { sweeps.first { !$0.isDone } ?? sweeps.last }

  /// Up to `count` ids (0 or more than `leaseSize`: `leaseSize`) of the oldest unfinished sweep
  /// with ids neither leased nor recorded, ids of expired leases first; `nil` when there are
  /// none now.
  public mutating func grantEvaluationLease(
    of count: Int, to holder: String, now: Double
  ) -> Lease? {
    let size = count <= 0 ? configuration.leaseSize : min(count, configuration.leaseSize)
    for index in sweeps.indices where !sweeps[index].isDone {
      let (ids, reissued) = sweeps[index].takeUnleased(size)
      guard !ids.isEmpty else { continue }
      let lease = Lease(
        id: takeLeaseID(), purpose: .evaluation, sweepID: sweeps[index].id, configurationIDs: ids,
        holder: holder, deadline: now + configuration.leaseTimeout, reissuedCount: reissued)
      evaluationLeases[lease.id] = lease
      openLeaseIDs.insert(lease.id)
      return lease
    }
    return nil
  }

  /// The evaluation leases out now, oldest first.
  public var openLeases: [Lease] { openLeaseIDs.sorted().compactMap { evaluationLeases[$0] } }

  public func leasesHeld(by holder: String) -> Int {
    openLeaseIDs.count { evaluationLeases[$0]?.holder == holder }
  }

  private mutating func takeLeaseID() -> UInt64 {
    defer { nextLeaseID += 1 }
    return nextLeaseID
  }
}
