import Foundation
import RL2Math
import RL2Nets
import RL2Training
import RL2Wire
import ZeroMQ

// The three socket threads of the learner. Each owns its socket; they meet only in the state
// guarded by `condition`. None of them ever stops because of what a peer sent.

extension LearnerService {
  // MARK: Control (ROUTER)

  func controlLoop(_ socket: Socket) {
    defer { socket.close() }
    while !isStopping {
      do {
        if let message = try socket.receiveMessage(timeout: .milliseconds(100)) {
          handleControl(message) { _ = try? socket.send($0, flags: .dontWait) }
        }
      } catch {
        if error.isContextTerminated { return }
        log("control socket: \(error)")
      }
      expireActors()
    }
    let shutdown = Rl2_V1_Envelope(.shutdown(.with { $0.reason = shutdownReason })).encoded
    for entry in liveActors {
      _ = try? socket.send(Message([entry.routingID, shutdown]), flags: .dontWait)
    }
  }

  /// Answers one control message through `send`; the loop's socket, or a test's collector.
  func handleControl(_ message: Message, send: (Message) -> Void) {
    guard message.frames.count == 2 else {
      reject("control message of \(message.frames.count) frames, expected 2", from: "a peer")
      return
    }
    let (routingID, payload) = (message.frames[0], message.frames[1])
    func reply(_ body: Rl2_V1_Envelope.OneOf_Body) {
      send(Message([routingID, Rl2_V1_Envelope(body).encoded]))
    }
    let envelope: Rl2_V1_Envelope
    do {
      envelope = try Rl2_V1_Envelope(decoding: payload)
    } catch {
      reject(error.reason, from: "a peer on the control socket")
      reply(.reject(Rl2_V1_Reject(.malformed, error.reason)))
      return
    }
    switch envelope.body {
    case .hello(let hello): welcome(hello, routingID: routingID, reply: reply)
    case .heartbeat(let heartbeat):
      let known = condition.withLock { actors.record(heartbeat, now: monotonicSeconds()) }
      if !known {
        reply(
          .reject(Rl2_V1_Reject(.unknownActor, "unknown actor \(heartbeat.actorID); say hello")))
      }
    case .statusRequest: reply(.status(status()))
    default:
      let reason = "unexpected \(envelope.bodyName) on the control socket"
      reject(reason, from: "a peer")
      reply(.reject(Rl2_V1_Reject(.malformed, reason)))
    }
  }

  private func welcome(
    _ hello: Rl2_V1_Hello, routingID: Data, reply: (Rl2_V1_Envelope.OneOf_Body) -> Void
  ) {
    guard !hello.actorID.isEmpty, hello.actorID.utf8.count <= 256 else {
      reject("hello with an empty or over-long actor id", from: "a peer")
      reply(.reject(Rl2_V1_Reject(.malformed, "actor_id must hold 1 to 256 bytes")))
      return
    }
    let registered: (ActorTable.Entry, ActorTable.Registration, Rl2_V1_Weights)? =
      condition.withLock {
        guard let current = currentWeights else { return nil }
        let (entry, how) = actors.register(hello, routingID: routingID, now: monotonicSeconds())
        return (entry, how, current)
      }
    guard let (entry, how, current) = registered else {
      reply(.reject(Rl2_V1_Reject(.overloaded, "the learner is starting; no weights yet")))
      return
    }
    if how != .repeated {
      log(
        "actor \(hello.actorID) (\(hello.hostname), pid \(hello.pid)) "
          + "\(how == .joined ? "joined" : "restarted") at weights version \(current.version)")
    }
    var welcome = Rl2_V1_Welcome()
    welcome.spec = configuration.spec
    welcome.dataEndpoint = data.description
    welcome.weightsEndpoint = weights.description
    welcome.weights = current
    welcome.learnerIncarnation = incarnation
    welcome.actorIndex = entry.index
    welcome.heartbeatIntervalMs = UInt32(configuration.heartbeatInterval * 1000)
    welcome.maxPolicyLag = UInt32(configuration.maxPolicyLag)
    reply(.welcome(welcome))
  }

  private func expireActors() {
    let lost = condition.withLock {
      actors.expire(now: monotonicSeconds(), timeout: configuration.actorTimeout)
    }
    for entry in lost {
      log(
        "actor \(entry.actorID) lost: nothing heard for more than "
          + "\(configuration.actorTimeout) s; training goes on with the others")
    }
  }

  private func status() -> Rl2_V1_Status {
    condition.withLock {
      var status = Rl2_V1_Status()
      status.role = "learner"
      status.weightsVersion = currentWeights?.version ?? 0
      status.iteration = UInt64(progress.iteration)
      status.environmentSteps = UInt64(progress.environmentSteps)
      let now = monotonicSeconds()
      status.actors = actors.entries.values.sorted { $0.index < $1.index }.map { entry in
        var actor = Rl2_V1_ActorStatus()
        actor.actorID = entry.actorID
        actor.incarnation = entry.incarnation
        actor.hostname = entry.hostname
        actor.weightsVersion = entry.weightsVersion
        actor.stepsPerSecond = entry.stepsPerSecond
        actor.millisecondsSinceHeartbeat = UInt32(max(0, (now - entry.lastHeard) * 1000))
        return actor
      }
      status.stepsPerSecond = actors.entries.values.reduce(0) { $0 + $1.stepsPerSecond }
      status.batchesRejected = UInt64(totalRejections.values.reduce(0, +))
      return status
    }
  }

  // MARK: Data (PULL)

  func dataLoop(_ socket: Socket) {
    defer { socket.close() }
    while !isStopping {
      do {
        if let message = try socket.receiveMessage(timeout: .milliseconds(100)) {
          guard message.frames.count == 1 else {
            reject("data message of \(message.frames.count) frames, expected 1", from: "a peer")
            continue
          }
          accept(message.frames[0])
        }
      } catch {
        if error.isContextTerminated { return }
        log("data socket: \(error)")
      }
    }
  }

  /// Decodes and validates one batch; only a batch that passes every check reaches the queue.
  func accept(_ payload: Data) {
    let envelope: Rl2_V1_Envelope
    do {
      envelope = try Rl2_V1_Envelope(decoding: payload)
    } catch {
      reject(error.reason, from: "a peer on the data socket")
      return
    }
    guard case .trialBatch(let batch) = envelope.body else {
      reject("unexpected \(envelope.bodyName) on the data socket", from: "a peer")
      return
    }
    let sender = "actor \(batch.actorID.prefix(64))"
    if batch.learnerIncarnation != incarnation {
      condition.withLock { counters.late += 1 }
      return
    }
    let current = condition.withLock { currentWeights?.version ?? 0 }
    guard batch.weightsVersion <= current else {
      reject("weights version \(batch.weightsVersion) is newer than \(current)", from: sender)
      return
    }
    let known = condition.withLock {
      actors.entry(batch.actorID, incarnation: batch.actorIncarnation) != nil
    }
    guard known else {
      reject("batch from an unregistered actor incarnation", from: sender)
      return
    }
    do {
      let trajectories = try batch.validatedTrajectories(configuration.expectation)
      enqueue(trajectories, batch.origin)
    } catch {
      reject(error.reason, from: sender)
    }
  }

  private func enqueue(_ trajectories: Trajectories, _ origin: BatchOrigin) {
    condition.withLock {
      actors.touch(origin.actorID, incarnation: origin.actorIncarnation, now: monotonicSeconds())
      guard queue.count < configuration.queueLimit else {
        counters.dropped += 1
        return
      }
      counters.accepted += 1
      queue.append((trajectories, origin))
      condition.broadcast()
    }
  }

  // MARK: Weights (PUB)

  func weightsLoop(_ socket: Socket) {
    defer { socket.close() }
    while true {
      let (message, isStopping) = condition.withLock { () -> (Data?, Bool) in
        if pendingBroadcast == nil, !stopping {
          _ = condition.wait(until: Date(timeIntervalSinceNow: 0.5))
        }
        if stopping { return (nil, true) }
        if let pending = pendingBroadcast {
          pendingBroadcast = nil
          return (pending, false)
        }
        return (repairBroadcast(), false)
      }
      if isStopping { break }
      guard let message else { continue }
      do {
        try socket.send(bytes: message, flags: .dontWait)
        condition.withLock {
          counters.broadcastBytes += message.count
          counters.broadcasts += 1
        }
      } catch {
        if error.isContextTerminated { return }
        log("weights socket: \(error)")
      }
    }
    let shutdown = Rl2_V1_Envelope(.shutdown(.with { $0.reason = shutdownReason })).encoded
    _ = try? socket.send(bytes: shutdown, flags: .dontWait)
  }

  /// The current weights again when a live actor still reports an older version two seconds
  /// after they went out (a message lost to a slow joiner or a reconnect). Caller holds the lock.
  private func repairBroadcast() -> Data? {
    guard let weights = currentWeights, monotonicSeconds() - lastWeightsBroadcast > 2,
      actors.entries.values.contains(where: { $0.weightsVersion < weights.version })
    else { return nil }
    lastWeightsBroadcast = monotonicSeconds()
    return Rl2_V1_Envelope(.weights(weights)).encoded
  }
}
