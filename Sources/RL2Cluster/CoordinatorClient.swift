import Foundation
import RL2Envs
import RL2Nets
import RL2Wire
import ZeroMQ

/// An actor's (or `rl2`'s) connection to the coordinator: one DEALER socket, so the client
/// belongs to the thread that made it, and every call blocks that thread — never call it from
/// Swift concurrency's cooperative pool.
///
/// ```swift
/// let client = try CoordinatorClient(coordinator: endpoint, actorID: "actor-3")
/// try client.connect(timeout: 30)               // hello with back-off until welcomed
/// while let lease = try client.requestLease(.evaluation, configurations: 4),
///   !lease.configurationIds.isEmpty {
///   let outcomes = … play each id, calling client.heartbeatIfDue() between episodes …
///   _ = try client.send(outcomes, for: lease.leaseID)
/// }
/// ```
///
/// One-shot commands need no hello: `try client.request(.statusRequest(.init()), timeout: 3)`.
/// A service that requires CURVE needs `security`; without the right keys it never answers.
/// An actor the coordinator has forgotten (it restarted, or declared this one lost) is told so;
/// the lease and result calls then say hello again and retry once.
public final class CoordinatorClient {
  public let coordinator: Endpoint
  public let actorID: String
  public let incarnation: UInt64
  /// Back-off between hellos while nobody answers: doubles from the first to the last.
  public var helloBackoff = (first: 0.1, last: 2.0)
  /// The coordinator's welcome, once connected.
  public private(set) var welcome: Rl2_V1_Welcome?
  /// Replies dropped because they answered an earlier request that had timed out.
  public private(set) var staleReplies = 0
  private let context: Context
  private let socket: Socket
  private var lastSent = 0.0

  public init(coordinator: Endpoint, actorID: String, security: ClientSecurity? = nil) throws {
    self.coordinator = coordinator
    self.actorID = actorID
    incarnation = makeIncarnation()
    context = try Context(ioThreads: 1, lingersByDefault: false)
    socket = try Socket(context: context, type: .dealer)
    var settings = SocketSettings(maximumMessageBytes: 16 << 20)
    settings.curve = security.map { .client($0.keys, serverPublicKey: $0.serverPublicKey) }
    try settings.apply(to: socket, highWaterMark: 100)
    try socket.setOption(.immediate, value: true)
    try socket.connect(to: coordinator.description)
  }

  deinit {
    socket.close()
    context.shutdown()
  }

  /// Says hello until the coordinator welcomes this actor, waiting longer after each silence.
  public func connect(timeout: Double) throws(ClusterError) {
    let deadline = monotonicSeconds() + timeout
    var backoff = helloBackoff.first
    while true {
      let wait = min(backoff, deadline - monotonicSeconds())
      guard wait > 0 else {
        throw .failed("no welcome from the coordinator at \(coordinator) within \(timeout) s")
      }
      let reply = try? exchange(.hello(hello()), timeout: wait) {
        if case .welcome = $0 { return true }
        return false
      }
      if case .welcome(let message) = reply?.body {
        welcome = message
        return
      }
      backoff = min(backoff * 2, helloBackoff.last)
    }
  }

  /// Asks for `configurations` ids; an evaluation lease without ids means no work just now.
  public func requestLease(
    _ purpose: LeaseBook.Purpose, configurations: Int, timeout: Double = 5
  ) throws(ClusterError) -> Rl2_V1_Lease {
    var request = Rl2_V1_LeaseRequest()
    request.actorID = actorID
    request.incarnation = incarnation
    request.configurations = UInt32(clamping: configurations)
    request.purpose = purpose == .training ? .training : .evaluation
    let reply = try exchangeAsKnownActor(.leaseRequest(request), timeout: timeout) {
      if case .lease = $0 { return true }
      return false
    }
    guard case .lease(let lease) = reply.body else { throw refusal(reply) }
    return lease
  }

  /// Sends the outcomes of lease `leaseID`; returns what the coordinator recorded.
  public func send(
    _ outcomes: [ConfigurationOutcome], for leaseID: UInt64, timeout: Double = 5
  ) throws(ClusterError) -> LeaseBook.Recording {
    var result = Rl2_V1_LeaseResult()
    result.leaseID = leaseID
    result.actorID = actorID
    result.incarnation = incarnation
    result.results = outcomes.map(Rl2_V1_ConfigurationResult.init)
    let reply = try exchangeAsKnownActor(.leaseResult(result), timeout: timeout) {
      if case .resultsRecorded(let recorded) = $0 { return recorded.leaseID == leaseID }
      return false
    }
    guard case .resultsRecorded(let recorded) = reply.body else { throw refusal(reply) }
    return LeaseBook.Recording(
      recorded: Int(recorded.recorded), duplicates: Int(recorded.duplicates))
  }

  /// Sends a heartbeat when nothing was sent for the coordinator's heartbeat interval.
  public func heartbeatIfDue() {
    let interval = Double(welcome?.heartbeatIntervalMs ?? 1000) / 1000
    guard monotonicSeconds() - lastSent >= interval else { return }
    var heartbeat = Rl2_V1_Heartbeat()
    heartbeat.actorID = actorID
    heartbeat.incarnation = incarnation
    if (try? socket.send(bytes: Rl2_V1_Envelope(.heartbeat(heartbeat)).encoded, flags: .dontWait))
      == true
    {
      lastSent = monotonicSeconds()
    }
  }

  /// Sends `body` and returns the coordinator's first answer, a Reject included; throws when
  /// none comes within `timeout` seconds.
  public func request(
    _ body: Rl2_V1_Envelope.OneOf_Body, timeout: Double
  ) throws(ClusterError) -> Rl2_V1_Envelope {
    try exchange(body, timeout: timeout) { _ in true }
  }

  // MARK: Exchanges

  /// `exchange`, saying hello again and retrying once when the coordinator does not know us.
  private func exchangeAsKnownActor(
    _ body: Rl2_V1_Envelope.OneOf_Body, timeout: Double,
    answers: (Rl2_V1_Envelope.OneOf_Body) -> Bool
  ) throws(ClusterError) -> Rl2_V1_Envelope {
    let reply = try exchange(body, timeout: timeout, answers: answers)
    guard case .reject(let reject) = reply.body, reject.code == .unknownActor else { return reply }
    try connect(timeout: timeout)
    return try exchange(body, timeout: timeout, answers: answers)
  }

  /// Sends `body` (retrying while not connected) and waits for the reply that `answers` it or
  /// a Reject; other replies are late answers to earlier requests, dropped and counted.
  private func exchange(
    _ body: Rl2_V1_Envelope.OneOf_Body, timeout: Double,
    answers: (Rl2_V1_Envelope.OneOf_Body) -> Bool
  ) throws(ClusterError) -> Rl2_V1_Envelope {
    let deadline = monotonicSeconds() + timeout
    let payload = Rl2_V1_Envelope(body).encoded
    while (try? socket.send(bytes: payload, flags: .dontWait)) != true {
      guard monotonicSeconds() < deadline else { throw silence(timeout) }
      Thread.sleep(forTimeInterval: 0.02)
    }
    lastSent = monotonicSeconds()
    while true {
      let remaining = deadline - monotonicSeconds()
      guard remaining > 0,
        let data = try? socket.receive(timeout: .milliseconds(Int(remaining * 1000) + 1))
      else { throw silence(timeout) }
      guard let reply = try? Rl2_V1_Envelope(decoding: data), let replyBody = reply.body else {
        staleReplies += 1
        continue
      }
      if case .reject = replyBody { return reply }
      if answers(replyBody) { return reply }
      staleReplies += 1
    }
  }

  private func silence(_ timeout: Double) -> ClusterError {
    .failed(
      "no answer from \(coordinator) within \(timeout) s: is a coordinator running there?")
  }

  private func refusal(_ reply: Rl2_V1_Envelope) -> ClusterError {
    if case .reject(let reject) = reply.body {
      return .refused("the coordinator refused: \(reject.reason)")
    }
    return .failed("unexpected \(reply.bodyName) from the coordinator")
  }

  private func hello() -> Rl2_V1_Hello {
    var hello = Rl2_V1_Hello()
    hello.actorID = actorID
    hello.incarnation = incarnation
    hello.hostname = ProcessInfo.processInfo.hostName
    hello.pid = UInt32(ProcessInfo.processInfo.processIdentifier)
    hello.build = "rl2-swift"
    return hello
  }
}
