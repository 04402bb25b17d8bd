import Foundation
import RL2Training
import RL2Wire
import XCTest
import ZeroMQ

@testable import RL2Cluster

/// 110 000 seeded bad inputs through the learner's and the coordinator's own decoding and
/// validation (the functions their socket loops call): nothing crashes, every input is either
/// refused — counted, with a reason — or genuinely valid, and memory stays bounded.
final class BadInputFuzzTests: XCTestCase {
  /// What became of the inputs of each mutation kind.
  struct Tally: CustomStringConvertible {
    var outcomes: [WireMutator.Kind: [String: Int]] = [:]
    var inputs = 0

    mutating func record(_ kind: WireMutator.Kind, _ outcome: String) {
      outcomes[kind, default: [:]][outcome, default: 0] += 1
      inputs += 1
    }

    func count(_ kind: WireMutator.Kind, _ outcome: String) -> Int {
      outcomes[kind]?[outcome] ?? 0
    }

    var description: String {
      WireMutator.Kind.allCases.map { kind in
        "\(kind.rawValue): "
          + (outcomes[kind] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
          .joined(separator: ", ")
      }.joined(separator: "; ")
    }
  }

  func testTheLearnerRefusesEveryBadBatchAndControlMessageWithAReason() throws {
    let fixture = try ClusterFixture()
    defer { fixture.close() }
    fixture.service.publish(version: 5, values: fixture.parameters.values)
    _ = try fixture.ask(try fixture.makeDealer(), fixture.hello())
    let good = fixture.batch(version: 5)
    var huge = good
    (huge.trialCount, huge.stepCount, huge.inputWidth) = (.max, .max, .max)
    let seeds = WireMutator.everyBodyKind(plus: [
      .trialBatch(good), .trialBatch(good), .trialBatch(huge), .hello(fixture.hello().hello),
    ])
    let started = Date()
    var mutator = WireMutator(seed: 2026, seeds: seeds)
    var data = Tally()
    var memoryBefore = 0
    _ = fixture.service.takeCounters()
    for i in 0..<40_000 {
      if i == 2_000 { memoryBefore = residentBytes() }
      let (payload, kind) = mutator.next()
      fixture.service.accept(payload)
      let counters = fixture.service.takeCounters()
      XCTAssertEqual(counters.accepted + counters.late + counters.rejected, 1, "input \(i)")
      data.record(
        kind, counters.accepted == 1 ? "accepted" : counters.late == 1 ? "late" : "rejected")
      if i % 256 == 0 { try drainAndCheck(fixture) }
    }
    try drainAndCheck(fixture)

    var control = Tally()
    for i in 0..<20_000 {
      let (payload, kind) = mutator.next()
      let frames = i % 64 == 0 ? [payload] : [Data([0, 7, UInt8(i & 0xFF)]), payload]
      var replies: [Message] = []
      fixture.service.handleControl(Message(frames)) { replies.append($0) }
      let refused =
        fixture.service.takeCounters().rejected == 1 || replies.contains(where: isReject)
      if !refused {
        let envelope = try Rl2_V1_Envelope(decoding: payload)
        switch envelope.body {
        case .hello: XCTAssertTrue(replies.contains(where: isWelcome), "input \(i)")
        case .statusRequest: XCTAssertEqual(replies.count, 1)
        case .heartbeat: XCTAssertTrue(replies.isEmpty, "a known actor's heartbeat needs no answer")
        default: XCTFail("input \(i): a \(envelope.bodyName) was taken on the control socket")
        }
      }
      control.record(kind, refused ? "rejected" : "accepted")
    }
    let grown = residentBytes() - memoryBefore
    XCTAssertLessThan(grown, 64 << 20, "resident memory grew by \(grown) bytes")
    let reasons = fixture.service.rejectionTotals
    XCTAssertLessThan(reasons.count, 200, "the table of reasons grows with the inputs")
    for kind in [WireMutator.Kind.randomBytes, .wrongVersion, .hugeLength] {
      XCTAssertEqual(data.count(kind, "accepted") + control.count(kind, "accepted"), 0, "\(kind)")
    }
    XCTAssertGreaterThan(data.count(.intact, "accepted"), 0, "no valid batch was taken")
    print(
      "learner fuzz: \(data.inputs) data + \(control.inputs) control inputs in "
        + String(format: "%.1f s", Date().timeIntervalSince(started))
        + ", resident memory \(grown >> 10) KiB more; data: \(data); control: \(control); "
        + "\(reasons.count) kinds of reason, most common: "
        + "\(reasons.sorted { $0.value > $1.value }.prefix(12))")
  }

  func testTheCoordinatorRefusesEveryBadMessageWithAReason() throws {
    let fixture = try CoordinatorFixture(actorTimeout: 60)
    defer { fixture.service.shutdown(reason: "test over") }
    let client = try fixture.makeClient("fuzz-actor")
    _ = try fixture.service.startSweep(weightsVersion: 1, episodesPerTrial: 2, horizon: 50)
    let lease = try client.requestLease(.evaluation, configurations: 4)
    let known = { (body: inout Rl2_V1_LeaseRequest) in
      (body.actorID, body.incarnation) = ("fuzz-actor", client.incarnation)
    }
    var result = Rl2_V1_LeaseResult()
    (result.actorID, result.incarnation, result.leaseID) =
      ("fuzz-actor", client.incarnation, lease.leaseID)
    result.results = lease.configurationIds.map {
      Rl2_V1_ConfigurationResult(CoordinatorFixture.play(Int($0)))
    }
    let seeds = WireMutator.everyBodyKind(plus: [
      .leaseRequest(
        .with {
          known(&$0)
          $0.purpose = .training
          $0.configurations = 3
        }),
      .leaseRequest(
        .with {
          known(&$0)
          $0.purpose = .evaluation
          $0.configurations = 2
        }),
      .leaseResult(result),
      .heartbeat(.with { ($0.actorID, $0.incarnation) = ("fuzz-actor", client.incarnation) }),
      .startSweep(.with { ($0.weightsVersion, $0.episodesPerTrial, $0.horizon) = (2, 2, 9) }),
      .leaseRequest(
        .with {
          known(&$0)
          $0.purpose = .training
          $0.configurations = .max
        }),
    ])
    let started = Date()
    var mutator = WireMutator(seed: 7, seeds: seeds)
    var tally = Tally()
    var memoryBefore = 0
    for i in 0..<50_000 {
      if i == 2_000 { memoryBefore = residentBytes() }
      let (payload, kind) = mutator.next()
      let frames = i % 64 == 0 ? [payload] : [Data([0, 9, UInt8(i & 0xFF)]), payload]
      let rejectedBefore = fixture.service.counts.rejected
      var replies: [Message] = []
      fixture.service.handle(Message(frames)) { replies.append($0) }
      let counted = fixture.service.counts.rejected - rejectedBefore
      let refused = replies.contains(where: isReject)
      XCTAssertLessThanOrEqual(replies.count, 1, "input \(i)")
      if refused { XCTAssertEqual(counted, 1, "input \(i): a Reject not counted") }
      if counted == 0 {
        try checkAnswered(payload, replies, input: i)
      }
      tally.record(kind, counted == 1 ? "rejected" : "accepted")
    }
    let grown = residentBytes() - memoryBefore
    XCTAssertLessThan(grown, 64 << 20, "resident memory grew by \(grown) bytes")
    XCTAssertLessThan(fixture.service.counts.rejections.count, 200, "reasons grow with inputs")
    for kind in [WireMutator.Kind.randomBytes, .wrongVersion, .hugeLength] {
      XCTAssertEqual(tally.count(kind, "accepted"), 0, "\(kind)")
    }
    print(
      "coordinator fuzz: \(tally.inputs) inputs in "
        + String(format: "%.1f s", Date().timeIntervalSince(started))
        + ", resident memory \(grown >> 10) KiB more; \(tally); "
        + "reasons: \(fixture.service.counts.rejections.sorted { $0.value > $1.value }.prefix(12))")
  }

  /// An input the coordinator took must be a valid request answered in kind.
  private func checkAnswered(_ payload: Data, _ replies: [Message], input: Int) throws {
    let envelope = try Rl2_V1_Envelope(decoding: payload)
    if case .heartbeat = envelope.body { return XCTAssertTrue(replies.isEmpty) }
    let reply = try Rl2_V1_Envelope(decoding: try XCTUnwrap(replies.first?.frames.last))
    switch (envelope.body, reply.body) {
    case (.hello, .welcome), (.leaseRequest, .lease), (.leaseResult, .resultsRecorded),
      (.startSweep, .sweepStarted), (.sweepReportRequest, .sweepReport), (.statusRequest, .status):
      break
    default: XCTFail("input \(input): \(envelope.bodyName) answered with \(reply.bodyName)")
    }
  }

  /// Takes the queued batches and checks them without the validator: shapes as expected,
  /// finite numbers, actions in range on live rows.
  private func drainAndCheck(_ fixture: ClusterFixture) throws {
    let expected = fixture.service.configuration.expectation
    while let (trajectories, _) = fixture.service.nextBatch(timeout: 0) {
      XCTAssertEqual(trajectories.inputs.shape[2], expected.inputWidth)
      XCTAssertEqual(trajectories.actionCount, expected.actionCount)
      XCTAssertTrue(trajectories.rewards.allSatisfy(\.isFinite))
      XCTAssertTrue(trajectories.inputs.scalars.allSatisfy(\.isFinite))
      for (action, live) in zip(trajectories.actions, trajectories.live) where live {
        XCTAssertTrue((0..<expected.actionCount).contains(action))
      }
    }
  }

  private func isReject(_ message: Message) -> Bool {
    guard let payload = message.frames.last, let envelope = try? Rl2_V1_Envelope(decoding: payload)
    else { return false }
    if case .reject = envelope.body { return true }
    return false
  }

  private func isWelcome(_ message: Message) -> Bool {
    guard let payload = message.frames.last, let envelope = try? Rl2_V1_Envelope(decoding: payload)
    else { return false }
    if case .welcome = envelope.body { return true }
    return false
  }
}
