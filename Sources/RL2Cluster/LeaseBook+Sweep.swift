import RL2Envs

extension LeaseBook {
  /// One evaluation of a weights version over the test ids `0..<total`.
  public struct Sweep: Sendable, Equatable {
    public let id: UInt64
    public let weightsVersion: UInt64
    public let episodesPerTrial: Int
    /// Longest episode a result may report.
    public let horizon: Int
    public let total: Int
    public let startedAt: Double
    /// The first result recorded for each id.
    public internal(set) var outcomes: [Int: ConfigurationOutcome] = [:]
    /// Results for ids already recorded (from a lease re-issued under a slow holder), ignored.
    public internal(set) var duplicates = 0
    /// Steps over every episode of the recorded results.
    public internal(set) var environmentSteps = 0
    public internal(set) var lastResultAt: Double?
    /// Ids never leased are `nextFresh..<total`; `returned` holds those of expired leases.
    var nextFresh = 0
    var returned: [Int] = []

    init(
      id: UInt64, weightsVersion: UInt64, episodesPerTrial: Int, horizon: Int, total: Int,
      startedAt: Double
    ) {
      self.id = id
      self.weightsVersion = weightsVersion
      self.episodesPerTrial = episodesPerTrial
      self.horizon = horizon
      self.total = total
      self.startedAt = startedAt
    }

    public var completed: Int { outcomes.count }

    /// Every id has its result.
    public var isDone: Bool { outcomes.count == total }

    /// Environment steps per second of the recorded results, from the start to the newest.
    public var stepsPerSecond: Double {
      guard let last = lastResultAt, last > startedAt else { return 0 }
      return Double(environmentSteps) / (last - startedAt)
    }

    /// The figures so far, over the recorded configurations in id order.
    public var report: SweepReport {
      let ordered = outcomes.keys.sorted().map { outcomes[$0]! }
      return SweepReport(
        sweepID: id, weightsVersion: weightsVersion, episodesPerTrial: episodesPerTrial,
        completed: completed, total: total, isDone: isDone, duplicates: duplicates,
        stepsPerSecond: stepsPerSecond,
        metrics: MazeEvaluationMetrics(ordered, episodesPerTrial: episodesPerTrial))
    }

    /// Up to `count` ids to lease, returned ones first; also how many of them were returned.
    mutating func takeUnleased(_ count: Int) -> (ids: [Int], reissued: Int) {
      returned.removeAll { outcomes[$0] != nil }
      let reissued = Array(returned.prefix(count))
      returned.removeFirst(reissued.count)
      let fresh = min(count - reissued.count, total - nextFresh)
      defer { nextFresh += fresh }
      return (reissued + Array(nextFresh..<(nextFresh + fresh)), reissued.count)
    }

    /// Puts the unrecorded ones of `ids` back at the front of the queue and returns them.
    mutating func giveBack(_ ids: [Int]) -> [Int] {
      let unrecorded = ids.filter { outcomes[$0] == nil }
      returned.insert(contentsOf: unrecorded, at: 0)
      return unrecorded
    }
  }
}

/// Where a sweep stands: progress and the Table 3 metrics of what is recorded so far.
public struct SweepReport: Sendable, Equatable {
  public var sweepID: UInt64
  public var weightsVersion: UInt64
  public var episodesPerTrial: Int
  public var completed: Int
  public var total: Int
  public var isDone: Bool
  public var duplicates: Int
  public var stepsPerSecond: Double
  public var metrics: MazeEvaluationMetrics
}
