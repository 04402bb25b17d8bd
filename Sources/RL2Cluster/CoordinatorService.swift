import Foundation
import RL2Math
import RL2Nets
import RL2Training
import RL2Wire
import ZeroMQ

/// The coordinator of an experiment with numbered configurations (the vision mazes): it hands
/// out configuration ids in leases and collects evaluation results, exactly once per id and
/// sweep. One ROUTER socket, owned by one thread, serves:
///
/// - hello → welcome (an index and the heartbeat interval), heartbeats and every other message
///   from a registered actor refresh its liveness; an actor silent for `actorTimeout` is lost
///   and its leases expire at once;
/// - lease requests: training leases of ids drawn from the seeded stream, evaluation leases of
///   the running sweep (see ``LeaseBook``); lease results → results recorded;
/// - start sweep → sweep started, sweep report requests → the Table 3 metrics so far, status.
///
/// Every refused message is counted, logged with its reason and answered with a Reject where a
/// reply can reach the sender; nothing a peer sends stops the service. With `security` set the
/// socket is a CURVE server and a ZAP handler admits only the allowed client keys; without it,
/// binding an address other hosts can reach is refused unless `allowsInsecureBinding`.
///
/// ```swift
/// let coordinator = try CoordinatorService(
///   .init(endpoint: Endpoint(host: "127.0.0.1", port: 0),
///         book: .init(trainingCount: 1000, testCount: 1000)), log: print)
/// let sweep = try coordinator.startSweep(weightsVersion: 9, episodesPerTrial: 2, horizon: 500)
/// … actors lease, play and report through CoordinatorClient …
/// coordinator.report(sweep: sweep)?.metrics.episodes[1].successRate
/// coordinator.shutdown(reason: "done")
/// ```
public final class CoordinatorService: @unchecked Sendable {
  public struct Configuration: Sendable {
    /// Where to bind (port 0: a free port).
    public var endpoint: Endpoint
    public var book: LeaseBook.Configuration
    public var heartbeatInterval = 1.0
    /// Seconds without any message after which an actor counts as lost.
    public var actorTimeout = 6.0
    public var maximumMessageBytes = 16 << 20
    /// CURVE keys and the allowed clients; `nil`: plain TCP.
    public var security: ServerSecurity?
    /// Bind a non-loopback address without `security` (with a warning) instead of refusing.
    public var allowsInsecureBinding = false
    /// Where the lease book is kept (rewritten atomically before every reply that changed it)
    /// and restored from at start, so a restarted coordinator loses no recorded result; nil
    /// keeps it in memory only.
    public var stateFile: URL?

    public init(endpoint: Endpoint, book: LeaseBook.Configuration) {
      self.endpoint = endpoint
      self.book = book
    }

    public func validate() throws(ClusterError) {
      try book.validate()
      guard heartbeatInterval > 0, actorTimeout > heartbeatInterval else {
        throw .failed("the actor timeout must be longer than the heartbeat interval")
      }
    }
  }

  /// Counts since the start.
  public struct Counters: Sendable, Equatable {
    public var trainingLeases = 0
    public var evaluationLeases = 0
    /// Evaluation requests answered with an empty lease: nothing to hand out just then.
    public var emptyLeases = 0
    public var resultsRecorded = 0
    public var duplicates = 0
    public var leasesExpired = 0
    public var idsReissued = 0
    public var rejected = 0
    public var rejections: [String: Int] = [:]
    /// Writes of the state file that failed (each one logged).
    public var stateWriteFailures = 0
  }

  public let configuration: Configuration
  public let incarnation: UInt64
  /// Where the socket listens (port resolved).
  public let endpoint: Endpoint

  let context: Context
  /// Admits the allowed client keys when `security` is set.
  let authenticator: ZAPHandler?
  let log: @Sendable (String) -> Void
  let condition = NSCondition()
  /// Held while a snapshot is taken and written, so writes land in the order of the changes.
  let persisting = NSLock()
  // Guarded by `condition`.
  var book: LeaseBook
  var actors = ActorTable()
  var counters = Counters()
  /// Tenths of each sweep already announced in the log.
  var loggedTenths: [UInt64: Int] = [:]
  var stopping = false
  var shutdownReason = ""
  var finished = false

  public init(_ configuration: Configuration, log: @escaping @Sendable (String) -> Void) throws {
    try configuration.validate()
    self.configuration = configuration
    self.log = log
    book = try Self.restoredBook(configuration, log: log)
    if let url = configuration.stateFile {
      do {
        try Self.write(book, to: url)
      } catch {
        throw ClusterError.failed("cannot write the coordinator state \(url.path): \(error)")
      }
    }
    incarnation = makeIncarnation()
    try configuration.endpoint.checkExposure(
      isSecured: configuration.security != nil,
      allowsInsecure: configuration.allowsInsecureBinding, log: log)
    context = try Context(ioThreads: 1)
    var settings = SocketSettings(maximumMessageBytes: configuration.maximumMessageBytes)
    authenticator = try settings.secure(with: configuration.security, context: context, log: log)
    let router = try Socket(context: context, type: .router)
    try settings.apply(to: router, highWaterMark: 1000)
    endpoint = try bind(router, to: configuration.endpoint)
    let socket = UncheckedSendable(router)
    let thread = Thread { [self] in
      serve(socket.value)
      condition.withLock {
        finished = true
        condition.broadcast()
      }
    }
    thread.name = "rl2-coordinator"
    thread.start()
  }

  deinit { context.shutdown() }

  // MARK: For an in-process learner

  /// Starts an evaluation sweep of `weightsVersion` over the test ids `0..<configurations`
  /// (`nil`: all of them) and returns its id.
  public func startSweep(
    weightsVersion: UInt64, episodesPerTrial: Int, configurations: Int? = nil, horizon: Int
  ) throws(LeaseBook.Refusal) -> UInt64 {
    let started = condition.withLock {
      Result { () throws(LeaseBook.Refusal) in
        try book.startSweep(
          weightsVersion: weightsVersion, episodesPerTrial: episodesPerTrial,
          configurations: configurations, horizon: horizon, now: monotonicSeconds())
      }
    }
    let sweep = try started.get()
    persist()
    log(
      "sweep \(sweep.id) started: weights version \(weightsVersion) on \(sweep.total) test "
        + "configurations, \(episodesPerTrial) episodes each")
    return sweep.id
  }

  /// Where sweep `id` stands (0: the newest sweep); `nil` for a sweep never started.
  public func report(sweep id: UInt64) -> SweepReport? {
    condition.withLock { (id == 0 ? book.sweeps.last : book.sweep(id))?.report }
  }

  /// A copy of the leases and sweeps now.
  public var leaseBook: LeaseBook { condition.withLock { book } }

  public var counts: Counters { condition.withLock { counters } }

  /// Connections the ZAP handler refused (keys not allowed, or not CURVE); 0 without security.
  public var refusedConnections: Int { authenticator?.refusedCount ?? 0 }

  /// The actors now registered.
  public var liveActors: [ActorTable.Entry] {
    condition.withLock { actors.entries.values.sorted { $0.index < $1.index } }
  }

  /// Tells every actor to exit, stops the thread and closes the socket.
  public func shutdown(reason: String) {
    condition.withLock {
      guard !stopping else { return }
      shutdownReason = reason
      stopping = true
      condition.broadcast()
    }
    condition.withLock {
      while !finished { condition.wait() }
    }
    context.shutdown()
  }

  var isStopping: Bool { condition.withLock { stopping } }

  // MARK: State file

  /// The book of the state file when there is one, else an empty book.
  static func restoredBook(
    _ configuration: Configuration, log: @Sendable (String) -> Void
  ) throws -> LeaseBook {
    guard let url = configuration.stateFile,
      FileManager.default.fileExists(atPath: url.path)
    else { return LeaseBook(configuration.book) }
    let snapshot: LeaseBook.Snapshot
    do {
      snapshot = try JSONDecoder().decode(LeaseBook.Snapshot.self, from: Data(contentsOf: url))
    } catch {
      throw ClusterError.failed("cannot read the coordinator state \(url.path): \(error)")
    }
    let book: LeaseBook
    do {
      book = try LeaseBook(configuration.book, restoring: snapshot, now: monotonicSeconds())
    } catch {
      throw ClusterError.failed("the coordinator state \(url.path) does not fit: \(error)")
    }
    log(
      "restored \(snapshot.sweepCount) sweeps, \(snapshot.recordedResults) recorded results and "
        + "\(snapshot.openLeaseCount) open leases from \(url.path)")
    return book
  }

  static func write(_ book: LeaseBook, to url: URL) throws {
    try AtomicFile.write(try JSONEncoder().encode(book.snapshot(now: monotonicSeconds())), to: url)
  }

  /// Writes the book to the state file (if any) before the change is acknowledged.
  func persist() {
    guard let url = configuration.stateFile else { return }
    persisting.lock()
    defer { persisting.unlock() }
    let book = condition.withLock { self.book }
    do {
      try Self.write(book, to: url)
    } catch {
      let failures = condition.withLock {
        counters.stateWriteFailures += 1
        return counters.stateWriteFailures
      }
      if RejectionLog.shouldLog(failures) {
        log(
          "error: cannot write the coordinator state \(url.path): \(error) (\(failures) "
            + "failures so far); a restart now would lose the changes since the last write")
      }
    }
  }

  /// Counts and logs a refused message; the first few of each kind of reason (numbers aside) in
  /// full, then every thousandth, so a flood cannot fill the log.
  func reject(_ reason: String, from sender: String) {
    let key = RejectionLog.key(of: reason)
    let count = condition.withLock {
      counters.rejected += 1
      counters.rejections[key, default: 0] += 1
      return counters.rejections[key]!
    }
    if RejectionLog.shouldLog(count) {
      log("rejected a message from \(sender): \(reason) (\(count) so far)")
    }
  }
}
