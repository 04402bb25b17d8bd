import RL2Envs
import XCTest

@testable import RL2Cluster

/// A successful two-episode outcome for `id` (lengths 10 and 8).
func outcome(_ id: Int, lengths: [Int] = [10, 8], successes: [Bool] = [true, true])
  -> ConfigurationOutcome
{
  ConfigurationOutcome(
    configurationID: id, episodeLengths: lengths, successes: successes,
    episodeReturns: lengths.map { _ in 1 })
}

final class CoordinatorLeaseBookTests: XCTestCase {
  func makeBook(training: Int = 50, test: Int = 10, timeout: Double = 1) -> LeaseBook {
    var configuration = LeaseBook.Configuration(trainingCount: training, testCount: test)
    configuration.leaseSize = 3
    configuration.leaseTimeout = timeout
    configuration.seed = 11
    return LeaseBook(configuration)
  }

  func testTrainingLeasesSampleOnlyTrainingIdsAndRepeatFromTheSeed() throws {
    var first = makeBook(training: 7)
    var second = makeBook(training: 7)
    var drawn: [Int] = []
    for _ in 0..<50 {
      let lease = try first.grantTrainingLease(of: 20, to: "a", now: 0)
      XCTAssertEqual(lease.purpose, .training)
      XCTAssertEqual(lease.configurationIDs.count, 20)
      XCTAssertEqual(
        lease.configurationIDs,
        try second.grantTrainingLease(of: 20, to: "b", now: 0)
          .configurationIDs)
      drawn += lease.configurationIDs
    }
    XCTAssertTrue(drawn.allSatisfy { (0..<7).contains($0) })
    XCTAssertEqual(Set(drawn), Set(0..<7), "1000 uniform draws miss none of 7 ids")
    for id in 0..<7 {
      XCTAssertEqual(Double(drawn.count { $0 == id }), 1000 / 7, accuracy: 60, "id \(id)")
    }
    XCTAssertThrowsError(try first.grantTrainingLease(of: 0, to: "a", now: 0))
    XCTAssertThrowsError(try first.grantTrainingLease(of: 5000, to: "a", now: 0))
    XCTAssertTrue(first.openLeases.isEmpty, "training leases are not tracked")
  }

  func testASweepHandsOutEveryTestIdOnceAndCompletesWithTheLastResult() throws {
    var book = makeBook()
    let sweep = try book.startSweep(weightsVersion: 3, episodesPerTrial: 2, horizon: 20, now: 0)
    var handed: [Int] = []
    var leases: [LeaseBook.Lease] = []
    while let lease = book.grantEvaluationLease(of: 10, to: "a", now: 0) {
      XCTAssertLessThanOrEqual(lease.configurationIDs.count, 3, "capped at the lease size")
      handed += lease.configurationIDs
      leases.append(lease)
    }
    XCTAssertEqual(handed, Array(0..<10))
    XCTAssertEqual(book.openLeases.count, 4)
    for (i, lease) in leases.enumerated() {
      XCTAssertFalse(book.sweep(sweep.id)!.isDone)
      let recording = try book.record(
        lease.configurationIDs.map { outcome($0) }, lease: lease.id, from: "a", now: 1)
      XCTAssertEqual(recording.recorded, lease.configurationIDs.count)
      XCTAssertEqual(recording.finishedSweep, i == leases.count - 1)
    }
    let done = try XCTUnwrap(book.sweep(sweep.id))
    XCTAssertTrue(done.isDone)
    XCTAssertEqual(done.completed, 10)
    XCTAssertEqual(done.environmentSteps, 180)
    XCTAssertTrue(book.openLeases.isEmpty)
    XCTAssertNil(book.grantEvaluationLease(of: 3, to: "a", now: 2))
  }

  func testAnExpiredLeasesUnrecordedIdsAreReissuedFirst() throws {
    var book = makeBook(timeout: 1)
    _ = try book.startSweep(weightsVersion: 1, episodesPerTrial: 2, horizon: 20, now: 0)
    let stalled = try XCTUnwrap(book.grantEvaluationLease(of: 3, to: "slow", now: 0))
    _ = try book.record(
      [outcome(stalled.configurationIDs[0])], lease: stalled.id, from: "slow",
      now: 0.5)
    XCTAssertTrue(book.expireLeases(now: 1.4).isEmpty, "the result renewed the lease")
    let expiries = book.expireLeases(now: 1.6)
    XCTAssertEqual(expiries.map(\.lease.id), [stalled.id])
    XCTAssertEqual(expiries.first?.returnedIDs, [1, 2])
    let next = try XCTUnwrap(book.grantEvaluationLease(of: 3, to: "fast", now: 2))
    XCTAssertEqual(next.configurationIDs, [1, 2, 3])
    XCTAssertEqual(next.reissuedCount, 2)
    XCTAssertEqual(book.leasesHeld(by: "fast"), 1)
    XCTAssertEqual(book.releaseLeases(heldBy: "fast").first?.returnedIDs, [1, 2, 3])
    XCTAssertEqual(book.grantEvaluationLease(of: 2, to: "b", now: 3)?.configurationIDs, [1, 2])
  }

  func testEachIdIsRecordedOnceAndLateResultsAreDuplicates() throws {
    var book = makeBook(timeout: 1)
    let sweep = try book.startSweep(
      weightsVersion: 1, episodesPerTrial: 2, configurations: 3, horizon: 20, now: 0)
    let stalled = try XCTUnwrap(book.grantEvaluationLease(of: 3, to: "slow", now: 0))
    _ = book.expireLeases(now: 2)
    let reissued = try XCTUnwrap(book.grantEvaluationLease(of: 3, to: "fast", now: 2))
    XCTAssertEqual(reissued.configurationIDs, [0, 1, 2])
    let first = try book.record(
      [outcome(0, lengths: [5, 5]), outcome(1)], lease: reissued.id, from: "fast", now: 3)
    XCTAssertEqual(first, LeaseBook.Recording(recorded: 2, duplicates: 0))
    let late = try book.record(
      [outcome(0, lengths: [9, 9]), outcome(1), outcome(2)], lease: stalled.id, from: "slow",
      now: 4)
    XCTAssertEqual(late, LeaseBook.Recording(recorded: 1, duplicates: 2, finishedSweep: true))
    let again = try book.record([outcome(2)], lease: reissued.id, from: "fast", now: 5)
    XCTAssertEqual(again, LeaseBook.Recording(recorded: 0, duplicates: 1))
    let done = try XCTUnwrap(book.sweep(sweep.id))
    XCTAssertEqual(done.completed, 3)
    XCTAssertEqual(done.duplicates, 3)
    XCTAssertEqual(done.outcomes[0]?.episodeLengths, [5, 5], "the first result stays")
  }

  func testInvalidResultsAreRefusedWholeAndCounted() throws {
    var book = makeBook()
    _ = try book.startSweep(weightsVersion: 1, episodesPerTrial: 2, horizon: 20, now: 0)
    let lease = try XCTUnwrap(book.grantEvaluationLease(of: 3, to: "a", now: 0))
    let training = try book.grantTrainingLease(of: 2, to: "a", now: 0)
    var nan = outcome(0)
    nan.episodeReturns[1] = .nan
    let bad: [(UInt64, String, [ConfigurationOutcome], String)] = [
      (999, "a", [outcome(0)], "unknown lease 999"),
      (training.id, "a", [outcome(0)], "unknown lease"),
      (lease.id, "b", [outcome(0)], "held by a"),
      (lease.id, "a", [], "without configurations"),
      (lease.id, "a", [outcome(0), outcome(7)], "configuration 7 is not in lease"),
      (lease.id, "a", [outcome(1), outcome(1)], "appears twice"),
      (lease.id, "a", [outcome(0, lengths: [3], successes: [true])], "2 episodes per trial"),
      (lease.id, "a", [outcome(0, lengths: [3, 21])], "outside 1...20"),
      (lease.id, "a", [outcome(0, lengths: [0, 2])], "outside 1...20"),
      (lease.id, "a", [nan], "not all finite"),
    ]
    for (leaseID, holder, outcomes, expected) in bad {
      XCTAssertThrowsError(try book.record(outcomes, lease: leaseID, from: holder, now: 1)) {
        let reason = ($0 as? LeaseBook.Refusal)?.reason ?? "\($0)"
        XCTAssertTrue(reason.contains(expected), "\(reason) does not say \(expected)")
      }
    }
    XCTAssertEqual(book.refusedResults, bad.count)
    XCTAssertEqual(book.sweeps[0].completed, 0, "nothing of a refused result is recorded")
    XCTAssertEqual(
      try book.record([outcome(0)], lease: lease.id, from: "a", now: 1).recorded, 1)
  }

  func testSweepsAreServedOldestFirstAndBadSweepsRefused() throws {
    var book = makeBook(test: 4)
    let first = try book.startSweep(
      weightsVersion: 1, episodesPerTrial: 1, configurations: 2, horizon: 5, now: 0)
    let second = try book.startSweep(weightsVersion: 2, episodesPerTrial: 1, horizon: 5, now: 0)
    XCTAssertEqual(book.grantEvaluationLease(of: 3, to: "a", now: 0)?.sweepID, first.id)
    let next = try XCTUnwrap(book.grantEvaluationLease(of: 3, to: "a", now: 0))
    XCTAssertEqual(next.sweepID, second.id)
    XCTAssertEqual(next.configurationIDs, [0, 1, 2])
    XCTAssertEqual(book.currentSweep?.id, first.id)
    XCTAssertThrowsError(
      try book.startSweep(
        weightsVersion: 1, episodesPerTrial: 1, configurations: 5, horizon: 5, now: 0))
    XCTAssertThrowsError(
      try book.startSweep(weightsVersion: 1, episodesPerTrial: 0, horizon: 5, now: 0))
    XCTAssertThrowsError(
      try book.startSweep(weightsVersion: 1, episodesPerTrial: 1, horizon: 0, now: 0))
  }
}
