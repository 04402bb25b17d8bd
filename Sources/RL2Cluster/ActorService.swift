import Foundation
import RL2Math
import RL2Nets
import RL2Training
import RL2Wire
import ZeroMQ

/// How an actor process connects and samples.
public struct ActorConfiguration: Sendable {
  /// The learner's control endpoint; data and weights endpoints come in its welcome.
  public var learner: Endpoint
  public var actorID: String
  /// Trials run in lockstep per batch sent.
  public var trialsPerBatch = 128
  /// BLAS threads and rollout workers of this actor.
  public var threads = 1
  public var maximumMessageBytes = 256 << 20
  /// Back-off between hellos while no learner answers: doubles from the first to the last.
  public var helloBackoff = (first: 0.2, last: 5.0)
  /// Exit when this process stops being the parent (the local launcher's children).
  public var parentProcess: Int32?
  /// A maze coordinator whose training leases say which configurations to play (nil: each
  /// trial's stream draws its own).
  public var coordinator: Endpoint?
  /// CURVE keys for `coordinator` (nil: plain TCP).
  public var coordinatorSecurity: ClientSecurity?
  /// CURVE keys for a learner that requires them; `nil`: plain TCP.
  public var security: ClientSecurity?

  public init(learner: Endpoint, actorID: String) {
    self.learner = learner
    self.actorID = actorID
  }

  /// `HOST-PID`, unique on a cluster.
  public static var defaultActorID: String {
    "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
  }
}

/// What an actor did before it stopped.
public struct ActorSummary: Sendable {
  public var batchesSent: UInt64
  public var environmentSteps: UInt64
  public var reason: String
}

/// An actor process: says hello to the learner, samples batches of whole trials with the
/// newest weights it has (picked up only between batches, so at trial boundaries), pushes them,
/// heartbeats, and keeps reconnecting with back-off whenever the learner goes away.
///
/// Two threads: the control thread owns the DEALER socket (hello, welcome, heartbeats,
/// shutdown); the calling thread owns PUSH (batches) and SUB (weights) and samples.
public final class ActorService: @unchecked Sendable {
  public let configuration: ActorConfiguration
  public let incarnation: UInt64
  let log: @Sendable (String) -> Void
  let context: Context
  let settings: SocketSettings
  let condition = NSCondition()
  // Guarded by `condition`.
  var welcome: Rl2_V1_Welcome?
  var welcomeGeneration = 0
  var shutdownReason: String?
  var statistics = Statistics()
  var controlFinished = false

  struct Statistics {
    var weightsVersion: UInt64 = 0
    var environmentSteps: UInt64 = 0
    var batchesSent: UInt64 = 0
    var stepsPerSecond = 0.0
    var weightsLatencyMilliseconds = 0.0
  }

  public init(
    _ configuration: ActorConfiguration, log: @escaping @Sendable (String) -> Void
  ) throws {
    self.configuration = configuration
    self.log = log
    incarnation = makeIncarnation()
    context = try Context(ioThreads: 1)
    var settings = SocketSettings(maximumMessageBytes: configuration.maximumMessageBytes)
    settings.curve = configuration.security.map {
      .client($0.keys, serverPublicKey: $0.serverPublicKey)
    }
    self.settings = settings
  }

  /// Runs until the learner says shut down, `stop` is raised or the parent process is gone.
  public func run(stop: StopSignal) throws -> ActorSummary {
    let dealer = try Socket(context: context, type: .dealer)
    try settings.apply(to: dealer, highWaterMark: 100)
    try dealer.setOption(.immediate, value: true)
    try dealer.connect(to: configuration.learner.description)
    let owned = UncheckedSendable(dealer)
    let thread = Thread { [self] in
      controlLoop(owned.value, stop: stop)
      condition.withLock {
        controlFinished = true
        condition.broadcast()
      }
    }
    thread.name = "rl2-actor-control"
    thread.start()
    var sampler = SamplingLoop(service: self)
    let reason = sampler.run(stop: stop)
    condition.withLock {
      if shutdownReason == nil { shutdownReason = reason }
      condition.broadcast()
      while !controlFinished { condition.wait() }
    }
    sampler.close()
    context.shutdown()
    return condition.withLock {
      ActorSummary(
        batchesSent: statistics.batchesSent, environmentSteps: statistics.environmentSteps,
        reason: reason)
    }
  }

  var stopReason: String? { condition.withLock { shutdownReason } }

  func parentIsGone() -> Bool {
    guard let parent = configuration.parentProcess else { return false }
    return getppid() != parent
  }

  // MARK: Control (DEALER)

  private func controlLoop(_ socket: Socket, stop: StopSignal) {
    defer { socket.close() }
    var welcomed = false
    var backoff = configuration.helloBackoff.first
    var nextHello = 0.0
    var nextHeartbeat = 0.0
    while stopReason == nil, !stop.isRaised {
      let now = monotonicSeconds()
      if !welcomed, now >= nextHello {
        send(.hello(hello()), on: socket)
        nextHello = now + backoff
        backoff = min(backoff * 2, configuration.helloBackoff.last)
      }
      if welcomed, now >= nextHeartbeat {
        send(.heartbeat(heartbeat()), on: socket)
        nextHeartbeat = now + heartbeatInterval
      }
      guard let payload = try? socket.receive(timeout: .milliseconds(50)) else { continue }
      guard let envelope = try? Rl2_V1_Envelope(decoding: payload) else {
        log("ignored an undecodable message from the learner (\(payload.count) bytes)")
        continue
      }
      switch envelope.body {
      case .welcome(let message):
        if accept(message) {
          welcomed = true
          backoff = configuration.helloBackoff.first
          nextHeartbeat = 0
        }
      case .reject(let reject) where reject.code == .unknownActor:
        log("the learner does not know this actor (\(reject.reason)); saying hello again")
        welcomed = false
        nextHello = 0
      case .reject(let reject):
        if reject.code != .overloaded { log("the learner refused a message: \(reject.reason)") }
      case .shutdown(let shutdown):
        condition.withLock { shutdownReason = "the learner shut down: \(shutdown.reason)" }
      default:
        log("ignored an unexpected \(envelope.bodyName) on the control socket")
      }
    }
  }

  private var heartbeatInterval: Double {
    let milliseconds = condition.withLock { welcome?.heartbeatIntervalMs ?? 1000 }
    return Double(max(100, milliseconds)) / 1000
  }

  private func send(_ body: Rl2_V1_Envelope.OneOf_Body, on socket: Socket) {
    _ = try? socket.send(bytes: Rl2_V1_Envelope(body).encoded, flags: .dontWait)
  }

  private func hello() -> Rl2_V1_Hello {
    var hello = Rl2_V1_Hello()
    hello.actorID = configuration.actorID
    hello.incarnation = incarnation
    hello.hostname = ProcessInfo.processInfo.hostName
    hello.pid = UInt32(ProcessInfo.processInfo.processIdentifier)
    hello.trialsPerBatch = UInt32(configuration.trialsPerBatch)
    hello.threads = UInt32(configuration.threads)
    hello.build = "rl2-swift"
    return hello
  }

  private func heartbeat() -> Rl2_V1_Heartbeat {
    condition.withLock {
      var heartbeat = Rl2_V1_Heartbeat()
      heartbeat.actorID = configuration.actorID
      heartbeat.incarnation = incarnation
      heartbeat.weightsVersion = statistics.weightsVersion
      heartbeat.environmentSteps = statistics.environmentSteps
      heartbeat.stepsPerSecond = statistics.stepsPerSecond
      heartbeat.batchesSent = statistics.batchesSent
      heartbeat.weightsLatencyMs = statistics.weightsLatencyMilliseconds
      return heartbeat
    }
  }

  /// Takes a welcome that this build can follow; a repeated welcome of the same learner
  /// incarnation changes nothing.
  private func accept(_ message: Rl2_V1_Welcome) -> Bool {
    condition.withLock {
      if let welcome, welcome.learnerIncarnation == message.learnerIncarnation { return true }
      welcome = message
      welcomeGeneration += 1
      condition.broadcast()
      return true
    }
  }
}
