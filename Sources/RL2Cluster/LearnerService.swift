import Foundation
import RL2Math
import RL2Nets
import RL2Training
import RL2Wire
import ZeroMQ

/// The learner's network face. It binds three sockets, each owned by one thread:
///
/// - control (ROUTER): hello → welcome (the experiment, the other endpoints and the current
///   weights), heartbeats into the liveness table, status requests; unknown senders are told to
///   say hello again;
/// - data (PULL): trial batches, decoded and validated before they reach the queue the trainer
///   takes them from; every refused batch is counted and logged with its reason;
/// - weights (PUB): the newest weights, last value wins (actors conflate), and the notice that a
///   version's collection is complete.
///
/// Usage: `let service = try LearnerService(configuration, log: print)`, then per iteration
/// `publish(version:values:)`, `nextBatch(timeout:)` until enough trials, `closeCollection`;
/// `shutdown(reason:)` at the end tells every actor to exit.
///
/// With `security` set, all three sockets are CURVE servers and a ZAP handler admits only the
/// allowed actor keys; without it, binding an address other hosts can reach is refused unless
/// `allowsInsecureBinding`.
public final class LearnerService: @unchecked Sendable {
  public struct Configuration: Sendable {
    public var control: Endpoint
    public var data: Endpoint
    public var weights: Endpoint
    public var spec: Rl2_V1_ExperimentSpec
    public var expectation: BatchExpectation
    /// Batches up to this many versions old are still used (0: only the current version).
    public var maxPolicyLag = 0
    public var heartbeatInterval = 1.0
    /// Seconds without a heartbeat or batch after which an actor counts as lost.
    public var actorTimeout = 6.0
    public var maximumMessageBytes = 256 << 20
    /// Validated batches waiting for the trainer beyond this are dropped (and counted).
    public var queueLimit = 8192
    /// CURVE keys and the allowed actors; `nil`: plain TCP.
    public var security: ServerSecurity?
    /// Bind a non-loopback address without `security` (with a warning) instead of refusing.
    public var allowsInsecureBinding = false

    /// Data and weights on the two ports after `control` (or free ports when it is port 0).
    public init(control: Endpoint, spec: Rl2_V1_ExperimentSpec, expectation: BatchExpectation) {
      self.control = control
      data = control.offset(by: 1)
      weights = control.offset(by: 2)
      self.spec = spec
      self.expectation = expectation
    }
  }

  /// Counts since the last `takeCounters()`.
  public struct Counters: Sendable, Equatable {
    public var accepted = 0
    public var late = 0
    public var dropped = 0
    public var rejected = 0
    public var rejections: [String: Int] = [:]
    public var broadcastBytes = 0
    public var broadcasts = 0
  }

  public let configuration: Configuration
  public let incarnation: UInt64
  /// Where the sockets listen (ports resolved).
  public let control: Endpoint
  public let data: Endpoint
  public let weights: Endpoint

  let context: Context
  /// Admits the allowed actor keys when `security` is set.
  let authenticator: ZAPHandler?
  let log: @Sendable (String) -> Void
  let condition = NSCondition()
  // Guarded by `condition`.
  var actors = ActorTable()
  var currentWeights: Rl2_V1_Weights?
  var pendingBroadcast: Data?
  var lastWeightsBroadcast = 0.0
  var queue: [(Trajectories, BatchOrigin)] = []
  var counters = Counters()
  var totalRejections: [String: Int] = [:]
  var progress = (iteration: 0, environmentSteps: 0)
  var stopping = false
  var shutdownReason = ""
  var threads: [Thread] = []
  var finished = 0

  public init(_ configuration: Configuration, log: @escaping @Sendable (String) -> Void) throws {
    self.configuration = configuration
    self.log = log
    incarnation = makeIncarnation()
    for endpoint in [configuration.control, configuration.data, configuration.weights] {
      try endpoint.checkExposure(
        isSecured: configuration.security != nil,
        allowsInsecure: configuration.allowsInsecureBinding, log: log)
    }
    context = try Context(ioThreads: 1)
    var settings = SocketSettings(maximumMessageBytes: configuration.maximumMessageBytes)
    authenticator = try settings.secure(with: configuration.security, context: context, log: log)
    let router = try Socket(context: context, type: .router)
    let pull = try Socket(context: context, type: .pull)
    let pub = try Socket(context: context, type: .pub)
    try settings.apply(to: router, highWaterMark: 1000)
    try settings.apply(to: pull, highWaterMark: 64)
    try settings.apply(to: pub, highWaterMark: 2)
    control = try bind(router, to: configuration.control)
    data = try bind(pull, to: configuration.data)
    weights = try bind(pub, to: configuration.weights)
    let sockets = UncheckedSendable((router, pull, pub))
    start("control") { $0.controlLoop(sockets.value.0) }
    start("data") { $0.dataLoop(sockets.value.1) }
    start("weights") { $0.weightsLoop(sockets.value.2) }
  }

  private func start(_ name: String, _ body: @escaping @Sendable (LearnerService) -> Void) {
    let thread = Thread { [self] in
      body(self)
      condition.withLock {
        finished += 1
        condition.broadcast()
      }
    }
    thread.name = "rl2-learner-\(name)"
    threads.append(thread)
    thread.start()
  }

  deinit { context.shutdown() }

  // MARK: The trainer's side

  /// Makes θ of `version` the current weights and broadcasts them (once per version).
  public func publish(version: UInt64, values: UnsafeMutableBufferPointer<Float>) {
    condition.withLock {
      if currentWeights?.version == version { return }
      currentWeights = Rl2_V1_Weights(
        version: version, learnerIncarnation: incarnation, values: Array(values))
      pendingBroadcast = Rl2_V1_Envelope(.weights(currentWeights!)).encoded
      lastWeightsBroadcast = monotonicSeconds()
      condition.broadcast()
    }
  }

  /// Tells the actors that the trials of `version` are complete: they pause until newer weights.
  public func closeCollection(version: UInt64) {
    var closed = Rl2_V1_CollectionClosed()
    closed.weightsVersion = version
    closed.learnerIncarnation = incarnation
    condition.withLock {
      pendingBroadcast = Rl2_V1_Envelope(.collectionClosed(closed)).encoded
      condition.broadcast()
    }
  }

  /// The next validated batch, waiting at most `timeout` seconds.
  public func nextBatch(timeout: Double) -> (Trajectories, BatchOrigin)? {
    let deadline = Date(timeIntervalSinceNow: timeout)
    return condition.withLock {
      while queue.isEmpty, !stopping {
        if !condition.wait(until: deadline) { break }
      }
      return queue.isEmpty ? nil : queue.removeFirst()
    }
  }

  /// Counts a batch the trainer found too old to use.
  public func countLate(_ count: Int = 1) {
    condition.withLock { counters.late += count }
  }

  public func takeCounters() -> Counters {
    condition.withLock {
      defer { counters = Counters() }
      return counters
    }
  }

  /// The actors now registered.
  public var liveActors: [ActorTable.Entry] {
    condition.withLock { Array(actors.entries.values).sorted { $0.index < $1.index } }
  }

  /// Connections the ZAP handler refused (keys not allowed, or not CURVE); 0 without security.
  public var refusedConnections: Int { authenticator?.refusedCount ?? 0 }

  /// Every rejection reason since the start, with its count.
  public var rejectionTotals: [String: Int] { condition.withLock { totalRejections } }

  /// What `rl2 status` reports as the learner's progress.
  public func noteProgress(iteration: Int, environmentSteps: Int) {
    condition.withLock { progress = (iteration, environmentSteps) }
  }

  /// Tells every actor to exit, stops the threads and closes the sockets.
  public func shutdown(reason: String) {
    condition.withLock {
      guard !stopping else { return }
      shutdownReason = reason
      stopping = true
      condition.broadcast()
    }
    condition.withLock {
      while finished < threads.count { condition.wait() }
    }
    context.shutdown()
  }

  var isStopping: Bool { condition.withLock { stopping } }

  // MARK: Shared bookkeeping

  /// Counts and logs a refused message; the first few of each kind of reason (numbers aside) in
  /// full, then every thousandth, so a flood cannot fill the log — nor, with a new number in
  /// every message, the table of reasons.
  func reject(_ reason: String, from sender: String) {
    let key = RejectionLog.key(of: reason)
    let count = condition.withLock {
      counters.rejected += 1
      counters.rejections[key, default: 0] += 1
      totalRejections[key, default: 0] += 1
      return totalRejections[key]!
    }
    if RejectionLog.shouldLog(count) {
      log("rejected a message from \(sender): \(reason) (\(count) so far)")
    }
  }
}
