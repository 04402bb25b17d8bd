import Foundation
import RL2Envs
import RL2Wire
import XCTest
import ZeroMQ

@testable import RL2Cluster

/// A coordinator on a free loopback port with short timeouts, and what it logged.
struct CoordinatorFixture {
  let service: CoordinatorService
  let logged = Locked<[String]>([])

  init(
    testCount: Int = 40, leaseTimeout: Double = 0.5, actorTimeout: Double = 1,
    security: ServerSecurity? = nil, maximumMessageBytes: Int = 16 << 20
  ) throws {
    var book = LeaseBook.Configuration(trainingCount: 100, testCount: testCount)
    book.leaseSize = 4
    book.leaseTimeout = leaseTimeout
    var configuration = CoordinatorService.Configuration(
      endpoint: Endpoint(host: "127.0.0.1", port: 0), book: book)
    configuration.actorTimeout = actorTimeout
    configuration.heartbeatInterval = 0.1
    configuration.security = security
    configuration.maximumMessageBytes = maximumMessageBytes
    let logged = self.logged
    service = try CoordinatorService(
      configuration, log: { line in logged.mutate { $0.append(line) } })
  }

  func makeClient(_ actorID: String) throws -> CoordinatorClient {
    let client = try CoordinatorClient(coordinator: service.endpoint, actorID: actorID)
    try client.connect(timeout: 5)
    return client
  }

  /// What a worker reports for test configuration `id`.
  static func play(_ id: Int) -> ConfigurationOutcome {
    outcome(id, lengths: [10 + id % 7, 5 + id % 5], successes: [id % 3 != 0, id % 4 != 0])
  }

  func log(containing text: String) -> Bool { logged.value.contains { $0.contains(text) } }
}

final class CoordinatorServiceTests: XCTestCase {
  /// Plays evaluation leases until the sweep is done; returns the ids this worker recorded.
  static func work(
    _ fixture: CoordinatorFixture, _ actorID: String, sweep: UInt64
  ) throws -> [Int] {
    let client = try fixture.makeClient(actorID)
    var recorded: [Int] = []
    while fixture.service.report(sweep: sweep)?.isDone == false {
      let lease = try client.requestLease(.evaluation, configurations: 4)
      guard !lease.configurationIds.isEmpty else {
        Thread.sleep(forTimeInterval: 0.02)
        client.heartbeatIfDue()
        continue
      }
      let ids = lease.configurationIds.map { Int($0) }
      let recording = try client.send(ids.map(CoordinatorFixture.play), for: lease.leaseID)
      XCTAssertEqual(recording.duplicates, 0)
      recorded += ids
    }
    return recorded
  }

  func testASweepWithAWorkerThatDiesHalfWayEvaluatesEveryConfigurationOnce() throws {
    let fixture = try CoordinatorFixture(testCount: 40, leaseTimeout: 30, actorTimeout: 0.6)
    defer { fixture.service.shutdown(reason: "test over") }
    let sweep = try fixture.service.startSweep(
      weightsVersion: 3, episodesPerTrial: 2, horizon: 50)
    let victim = try fixture.makeClient("victim")
    let taken = try victim.requestLease(.evaluation, configurations: 4)
    XCTAssertEqual(taken.configurationIds, [0, 1, 2, 3])
    XCTAssertEqual(taken.weightsVersion, 3)
    XCTAssertEqual(taken.horizon, 50)
    let results = Locked<[String: [Int]]>([:])
    let errors = Locked<[String]>([])
    let group = DispatchGroup()
    for name in ["worker-0", "worker-1", "worker-2"] {
      group.enter()
      Thread {
        do {
          let ids = try Self.work(fixture, name, sweep: sweep)
          results.mutate { $0[name] = ids }
        } catch {
          errors.mutate { $0.append("\(name): \(error)") }
        }
        group.leave()
      }.start()
    }
    XCTAssertEqual(group.wait(timeout: .now() + 20), .success, "the sweep did not finish")
    XCTAssertEqual(errors.value, [])
    let recorded = results.value.values.flatMap { $0 }
    XCTAssertEqual(recorded.sorted(), Array(0..<40), "every id once, by the living workers")
    let report = try XCTUnwrap(fixture.service.report(sweep: sweep))
    XCTAssertTrue(report.isDone)
    XCTAssertEqual(report.duplicates, 0)
    XCTAssertEqual(
      report.metrics,
      MazeEvaluationMetrics((0..<40).map(CoordinatorFixture.play), episodesPerTrial: 2))
    let counts = fixture.service.counts
    XCTAssertEqual(counts.resultsRecorded, 40)
    XCTAssertEqual(counts.leasesExpired, 1)
    XCTAssertEqual(counts.idsReissued, 4)
    XCTAssertTrue(fixture.log(containing: "actor victim lost"), "\(fixture.logged.value)")
    XCTAssertTrue(fixture.log(containing: "its holder was lost"))
    XCTAssertTrue(fixture.log(containing: "re-issues 4 configurations"))
    XCTAssertTrue(fixture.log(containing: "40/40 configurations — done"))
  }

  func testALateResultAfterReissueIsADuplicateNotASecondRecord() throws {
    let fixture = try CoordinatorFixture(testCount: 4, leaseTimeout: 0.5, actorTimeout: 5)
    defer { fixture.service.shutdown(reason: "test over") }
    let sweep = try fixture.service.startSweep(
      weightsVersion: 1, episodesPerTrial: 2, horizon: 50)
    let stalled = try fixture.makeClient("stalled")
    let fast = try fixture.makeClient("fast")
    let first = try stalled.requestLease(.evaluation, configurations: 4)
    XCTAssertEqual(first.configurationIds, [0, 1, 2, 3])
    XCTAssertTrue(try fast.requestLease(.evaluation, configurations: 4).configurationIds.isEmpty)
    var reissued = Rl2_V1_Lease()
    eventually(within: 5, "the stalled lease is re-issued") {
      stalled.heartbeatIfDue()
      reissued = (try? fast.requestLease(.evaluation, configurations: 4)) ?? reissued
      return !reissued.configurationIds.isEmpty
    }
    XCTAssertEqual(reissued.configurationIds, [0, 1, 2, 3])
    let outcomes = (0..<4).map(CoordinatorFixture.play)
    XCTAssertEqual(
      try fast.send(outcomes, for: reissued.leaseID),
      LeaseBook.Recording(recorded: 4, duplicates: 0))
    XCTAssertEqual(
      try stalled.send(outcomes, for: first.leaseID),
      LeaseBook.Recording(recorded: 0, duplicates: 4))
    let report = try XCTUnwrap(fixture.service.report(sweep: sweep))
    XCTAssertEqual(report.completed, 4)
    XCTAssertEqual(report.duplicates, 4)
    XCTAssertEqual(fixture.service.counts.resultsRecorded, 4)
    XCTAssertTrue(fixture.log(containing: "no result for 0.5 s"), "\(fixture.logged.value)")
    XCTAssertTrue(fixture.log(containing: "ignored 4 duplicate results"))
  }

  func testMalformedInputIsRejectedWithReasonsAndTheServiceKeepsServing() throws {
    let fixture = try CoordinatorFixture()
    defer { fixture.service.shutdown(reason: "test over") }
    let context = try Context(lingersByDefault: false)
    defer { context.shutdown() }
    let dealer = try Socket(context: context, type: .dealer)
    defer { dealer.close() }
    try dealer.connect(to: fixture.service.endpoint.description)
    func answer(_ payload: Data) throws -> Rl2_V1_Reject? {
      try dealer.send(bytes: payload)
      let reply = try XCTUnwrap(try dealer.receive(timeout: .seconds(5)), "no answer")
      guard case .reject(let reject) = try Rl2_V1_Envelope(decoding: reply).body else { return nil }
      return reject
    }
    var oldProtocol = Rl2_V1_Envelope(.statusRequest(Rl2_V1_StatusRequest()))
    oldProtocol.protocolVersion = 99
    var unknownLease = Rl2_V1_LeaseResult()
    unknownLease.leaseID = 12345
    unknownLease.actorID = "test-actor"
    unknownLease.results = [Rl2_V1_ConfigurationResult(CoordinatorFixture.play(0))]
    var stranger = Rl2_V1_LeaseRequest()
    stranger.actorID = "stranger"
    stranger.purpose = .training
    stranger.configurations = 3
    let cases: [(Data, Rl2_V1_Reject.Code, String)] = [
      (Data([0xFF, 0x00, 0x13]), .malformed, "malformed envelope"),
      (oldProtocol.encoded, .protocolMismatch, "protocol version 99"),
      (Rl2_V1_Envelope(.leaseResult(unknownLease)).encoded, .unknownLease, "unknown lease 12345"),
      (Rl2_V1_Envelope(.leaseRequest(stranger)).encoded, .unknownActor, "unknown actor stranger"),
      (Rl2_V1_Envelope(.weights(Rl2_V1_Weights())).encoded, .malformed, "unexpected weights"),
      (
        Rl2_V1_Envelope(.sweepReportRequest(.with { $0.sweepID = 8 })).encoded, .malformed,
        "no sweep 8"
      ),
      (Rl2_V1_Envelope(.startSweep(Rl2_V1_StartSweep())).encoded, .malformed, "episodes per trial"),
    ]
    for (payload, code, reason) in cases {
      let reject = try XCTUnwrap(try answer(payload), "no Reject for \(reason)")
      XCTAssertEqual(reject.code, code, reason)
      XCTAssertTrue(reject.reason.contains(reason), "\(reject.reason) does not say \(reason)")
      XCTAssertTrue(fixture.log(containing: reason), "no log line says \(reason)")
    }
    try dealer.send(Message([Data([1]), Data([2])]))
    let status = try fixture.makeClient("after").request(
      .statusRequest(Rl2_V1_StatusRequest()), timeout: 5)
    guard case .status(let message) = status.body else { return XCTFail("got \(status.bodyName)") }
    XCTAssertEqual(message.role, "coordinator")
    eventually("the 3-frame message is counted") {
      fixture.service.counts.rejected == cases.count + 1
    }
    XCTAssertTrue(fixture.log(containing: "message of 3 frames"))
  }

  func testSweepsStatusAndTrainingLeasesOverTheWire() throws {
    let fixture = try CoordinatorFixture(testCount: 12)
    defer { fixture.service.shutdown(reason: "test over") }
    let client = try fixture.makeClient("actor-a")
    let training = try client.requestLease(.training, configurations: 50)
    XCTAssertEqual(training.purpose, .training)
    XCTAssertEqual(training.configurationIds.count, 50)
    XCTAssertTrue(training.configurationIds.allSatisfy { $0 < 100 })
    var start = Rl2_V1_StartSweep()
    start.weightsVersion = 6
    start.episodesPerTrial = 2
    start.horizon = 50
    let started = try client.request(.startSweep(start), timeout: 5)
    guard case .sweepStarted(let sweep) = started.body else {
      return XCTFail("got \(started.bodyName)")
    }
    XCTAssertEqual(sweep.total, 12)
    let lease = try client.requestLease(.evaluation, configurations: 4)
    _ = try client.send(
      lease.configurationIds.map { CoordinatorFixture.play(Int($0)) }, for: lease.leaseID)
    _ = try client.requestLease(.evaluation, configurations: 2)
    let status = try ServiceStatus.fetch(from: fixture.service.endpoint, timeout: 5)
    XCTAssertEqual(status.role, "coordinator")
    XCTAssertEqual(status.sweepID, sweep.sweepID)
    XCTAssertEqual(status.sweepCompleted, 4)
    XCTAssertEqual(status.sweepTotal, 12)
    XCTAssertEqual(status.leasesOutstanding, 1)
    XCTAssertEqual(status.actors.map(\.actorID), ["actor-a"])
    XCTAssertEqual(status.actors.first?.leasesHeld, 1)
    XCTAssertGreaterThan(status.environmentSteps, 0)
    let asked = try client.request(.sweepReportRequest(Rl2_V1_SweepReportRequest()), timeout: 5)
    guard case .sweepReport(let report) = asked.body else {
      return XCTFail("got \(asked.bodyName)")
    }
    XCTAssertEqual(report.completed, 4)
    XCTAssertFalse(report.done)
    XCTAssertEqual(
      SweepReport(report).metrics,
      MazeEvaluationMetrics((0..<4).map(CoordinatorFixture.play), episodesPerTrial: 2))
  }

  func testTheSameStatusRequestReadsALearner() throws {
    let fixture = try ClusterFixture()
    defer { fixture.close() }
    fixture.service.publish(version: 2, values: fixture.parameters.values)
    let status = try ServiceStatus.fetch(from: fixture.service.control, timeout: 5)
    XCTAssertEqual(status.role, "learner")
    XCTAssertEqual(status.weightsVersion, 2)
    XCTAssertTrue(status.text.contains("iteration 0, weights version 2"), status.text)
  }

  func testStatusWithNobodyListeningFailsClearlyAfterTheTimeout() throws {
    let started = Date()
    XCTAssertThrowsError(
      try ServiceStatus.fetch(from: Endpoint(host: "127.0.0.1", port: 1), timeout: 0.3)
    ) { error in
      XCTAssertTrue(
        "\(error)".contains("no answer from tcp://127.0.0.1:1 within 0.3 s"), "\(error)")
    }
    XCTAssertLessThan(Date().timeIntervalSince(started), 2)
  }
}
