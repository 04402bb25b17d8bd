import Foundation
import RL2Envs
import RL2Nets
import RL2Wire
import ZeroMQ

// The coordinator's socket thread: it owns the ROUTER, validates every message, and between
// messages expires silent actors and overdue leases. It never stops because of what a peer sent.

extension CoordinatorService {
  typealias Reply = (Rl2_V1_Envelope.OneOf_Body) -> Void

  func serve(_ socket: Socket) {
    defer { socket.close() }
    while !isStopping {
      do {
        if let message = try socket.receiveMessage(timeout: .milliseconds(50)) {
          handle(message) { _ = try? socket.send($0, flags: .dontWait) }
        }
      } catch {
        if error.isContextTerminated { return }
        log("coordinator socket: \(error)")
      }
      expire(now: monotonicSeconds())
    }
    let reason = condition.withLock { shutdownReason }
    let shutdown = Rl2_V1_Envelope(.shutdown(.with { $0.reason = reason })).encoded
    for entry in liveActors {
      _ = try? socket.send(Message([entry.routingID, shutdown]), flags: .dontWait)
    }
  }

  /// Answers one message through `send`; the loop's socket, or a test's collector.
  func handle(_ message: Message, send: (Message) -> Void) {
    guard message.frames.count == 2 else {
      reject("message of \(message.frames.count) frames, expected 2", from: "a peer")
      return
    }
    let routingID = message.frames[0]
    func reply(_ body: Rl2_V1_Envelope.OneOf_Body) {
      send(Message([routingID, Rl2_V1_Envelope(body).encoded]))
    }
    let envelope: Rl2_V1_Envelope
    do {
      envelope = try Rl2_V1_Envelope(decoding: message.frames[1])
    } catch {
      reject(error.reason, from: "a peer")
      let code: Rl2_V1_Reject.Code =
        error.reason.hasPrefix("protocol version") ? .protocolMismatch : .malformed
      reply(.reject(Rl2_V1_Reject(code, error.reason)))
      return
    }
    switch envelope.body {
    case .hello(let hello): welcome(hello, routingID: routingID, reply: reply)
    case .heartbeat(let heartbeat):
      let known = condition.withLock { actors.record(heartbeat, now: monotonicSeconds()) }
      if !known { refuseUnknown(heartbeat.actorID, reply: reply) }
    case .leaseRequest(let request): grant(request, reply: reply)
    case .leaseResult(let result): record(result, reply: reply)
    case .startSweep(let start): startSweep(start, reply: reply)
    case .sweepReportRequest(let request):
      if let report = report(sweep: request.sweepID) {
        reply(.sweepReport(Rl2_V1_SweepReport(report)))
      } else {
        refuse(.malformed, "no sweep \(request.sweepID)", from: "a peer", reply: reply)
      }
    case .statusRequest: reply(.status(status()))
    default:
      refuse(
        .malformed, "unexpected \(envelope.bodyName) at the coordinator", from: "a peer",
        reply: reply)
    }
  }

  private func refuse(
    _ code: Rl2_V1_Reject.Code, _ reason: String, from sender: String, reply: Reply
  ) {
    reject(reason, from: sender)
    reply(.reject(Rl2_V1_Reject(code, reason)))
  }

  private func refuseUnknown(_ actorID: String, reply: Reply) {
    refuse(
      .unknownActor, "unknown actor \(actorID.prefix(64)); say hello first", from: "a peer",
      reply: reply)
  }

  // MARK: Actors

  private func welcome(_ hello: Rl2_V1_Hello, routingID: Data, reply: Reply) {
    guard !hello.actorID.isEmpty, hello.actorID.utf8.count <= 256 else {
      refuse(.malformed, "hello with an empty or over-long actor id", from: "a peer", reply: reply)
      return
    }
    let (entry, how, released) = condition.withLock {
      let (entry, how) = actors.register(hello, routingID: routingID, now: monotonicSeconds())
      let released = how == .restarted ? book.releaseLeases(heldBy: hello.actorID) : []
      return (entry, how, released)
    }
    if how != .repeated {
      log(
        "actor \(hello.actorID) (\(hello.hostname), pid \(hello.pid)) "
          + (how == .joined ? "joined" : "restarted"))
    }
    logExpiries(released, because: "its holder restarted")
    if !released.isEmpty { persist() }
    var welcome = Rl2_V1_Welcome()
    welcome.actorIndex = entry.index
    welcome.heartbeatIntervalMs = UInt32(configuration.heartbeatInterval * 1000)
    welcome.learnerIncarnation = incarnation
    reply(.welcome(welcome))
  }

  /// Drops the actors silent for too long (their leases expire at once) and overdue leases.
  private func expire(now: Double) {
    let (lost, released, overdue) = condition.withLock {
      let lost = actors.expire(now: now, timeout: configuration.actorTimeout)
      let released = lost.flatMap { book.releaseLeases(heldBy: $0.actorID) }
      return (lost, released, book.expireLeases(now: now))
    }
    for entry in lost {
      log(
        "actor \(entry.actorID) lost: nothing heard for more than \(configuration.actorTimeout) s")
    }
    logExpiries(released, because: "its holder was lost")
    logExpiries(overdue, because: "no result for \(configuration.book.leaseTimeout) s")
    if !released.isEmpty || !overdue.isEmpty { persist() }
  }

  private func logExpiries(_ expiries: [LeaseBook.Expiry], because reason: String) {
    guard !expiries.isEmpty else { return }
    condition.withLock {
      counters.leasesExpired += expiries.count
      counters.idsReissued += expiries.reduce(0) { $0 + $1.returnedIDs.count }
    }
    for expiry in expiries {
      log(
        "lease \(expiry.lease.id) of \(expiry.lease.holder) expired (\(reason)): "
          + "\(expiry.returnedIDs.count) configurations go to the next requester")
    }
  }

  // MARK: Leases and results

  private func grant(_ request: Rl2_V1_LeaseRequest, reply: Reply) {
    let now = monotonicSeconds()
    let known = condition.withLock { () -> Bool in
      guard actors.entry(request.actorID, incarnation: request.incarnation) != nil else {
        return false
      }
      actors.touch(request.actorID, incarnation: request.incarnation, now: now)
      return true
    }
    guard known else { return refuseUnknown(request.actorID, reply: reply) }
    let sender = "actor \(request.actorID.prefix(64))"
    switch request.purpose {
    case .training:
      let granted = condition.withLock { () -> Result<LeaseBook.Lease, LeaseBook.Refusal> in
        Result { () throws(LeaseBook.Refusal) in
          let lease = try book.grantTrainingLease(
            of: Int(request.configurations), to: request.actorID, now: now)
          counters.trainingLeases += 1
          return lease
        }
      }
      switch granted {
      case .success(let lease):
        persist()
        reply(.lease(Rl2_V1_Lease(lease, sweep: nil, timeout: 0)))
      case .failure(let refusal): refuse(.malformed, refusal.reason, from: sender, reply: reply)
      }
    case .evaluation:
      let (lease, sweep) = condition.withLock {
        let lease = book.grantEvaluationLease(
          of: Int(request.configurations), to: request.actorID, now: now)
        if lease == nil { counters.emptyLeases += 1 } else { counters.evaluationLeases += 1 }
        return (lease, lease.flatMap { book.sweep($0.sweepID) })
      }
      guard let lease else { return reply(.lease(Rl2_V1_Lease.noWork)) }
      persist()
      if lease.reissuedCount > 0 {
        log(
          "lease \(lease.id) re-issues \(lease.reissuedCount) configurations of sweep "
            + "\(lease.sweepID) to \(lease.holder)")
      }
      reply(
        .lease(Rl2_V1_Lease(lease, sweep: sweep, timeout: configuration.book.leaseTimeout)))
    default:
      refuse(
        .malformed, "lease request without a purpose (training or evaluation)", from: sender,
        reply: reply)
    }
  }

  private func record(_ result: Rl2_V1_LeaseResult, reply: Reply) {
    let sender = "actor \(result.actorID.prefix(64))"
    let now = monotonicSeconds()
    let outcome = condition.withLock { () -> Result<LeaseBook.Recording, LeaseBook.Refusal> in
      actors.touch(result.actorID, incarnation: result.incarnation, now: now)
      return Result { () throws(LeaseBook.Refusal) in
        let outcomes = try result.results.map { (r) throws(LeaseBook.Refusal) in
          try ConfigurationOutcome(validating: r)
        }
        return try book.record(outcomes, lease: result.leaseID, from: result.actorID, now: now)
      }
    }
    switch outcome {
    case .failure(let refusal):
      refuse(
        refusal.kind == .unknownLease ? .unknownLease : .malformed, refusal.reason,
        from: sender, reply: reply)
    case .success(let recording):
      persist()
      condition.withLock {
        counters.resultsRecorded += recording.recorded
        counters.duplicates += recording.duplicates
      }
      if recording.duplicates > 0 {
        log(
          "ignored \(recording.duplicates) duplicate results of lease \(result.leaseID) from "
            + "\(sender): those configurations were recorded already")
      }
      var recorded = Rl2_V1_ResultsRecorded()
      recorded.leaseID = result.leaseID
      recorded.recorded = UInt32(recording.recorded)
      recorded.duplicates = UInt32(recording.duplicates)
      reply(.resultsRecorded(recorded))
      logProgress(ofLease: result.leaseID)
    }
  }

  private func startSweep(_ start: Rl2_V1_StartSweep, reply: Reply) {
    do throws(LeaseBook.Refusal) {
      let id = try startSweep(
        weightsVersion: start.weightsVersion, episodesPerTrial: Int(start.episodesPerTrial),
        configurations: start.configurations == 0 ? nil : Int(start.configurations),
        horizon: Int(start.horizon))
      var started = Rl2_V1_SweepStarted()
      started.sweepID = id
      started.total = UInt32(report(sweep: id)?.total ?? 0)
      reply(.sweepStarted(started))
    } catch {
      refuse(.malformed, error.reason, from: "a peer", reply: reply)
    }
  }

  /// Logs each tenth of a sweep's progress once, and its end with the metrics.
  private func logProgress(ofLease leaseID: UInt64) {
    let report = condition.withLock { () -> SweepReport? in
      guard let sweepID = book.evaluationLeases[leaseID]?.sweepID,
        let sweep = book.sweep(sweepID)
      else { return nil }
      let tenths = sweep.completed * 10 / sweep.total
      guard tenths > loggedTenths[sweepID, default: 0] else { return nil }
      loggedTenths[sweepID] = tenths
      return sweep.report
    }
    guard let report else { return }
    log(
      "sweep \(report.sweepID): \(report.completed)/\(report.total) configurations"
        + (report.isDone ? " — done; " + report.summary : ""))
  }
}
