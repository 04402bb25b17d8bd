import Foundation
import RL2Envs
import XCTest

@testable import RL2Cluster

/// The coordinator's state file: a book restored from a snapshot taken mid-sweep (through
/// JSON, on a clock with another origin) carries on exactly where the old one stopped.
extension CoordinatorLeaseBookTests {
  func restored(_ book: LeaseBook, at then: Double, now: Double) throws -> LeaseBook {
    let data = try JSONEncoder().encode(book.snapshot(now: then))
    let snapshot = try JSONDecoder().decode(LeaseBook.Snapshot.self, from: data)
    return try LeaseBook(book.configuration, restoring: snapshot, now: now)
  }

  func testARestoredBookKeepsResultsLeasesAndTheTrainingStream() throws {
    var book = makeBook(test: 10, timeout: 5)
    let sweep = try book.startSweep(weightsVersion: 3, episodesPerTrial: 2, horizon: 50, now: 100)
    let done = try XCTUnwrap(book.grantEvaluationLease(of: 3, to: "a", now: 100))
    _ = try book.record(
      done.configurationIDs.map { outcome($0) }, lease: done.id, from: "a", now: 101)
    let open = try XCTUnwrap(book.grantEvaluationLease(of: 3, to: "b", now: 101))
    let expired = try XCTUnwrap(book.grantEvaluationLease(of: 3, to: "c", now: 101))
    _ = book.releaseLeases(heldBy: "c")
    _ = try book.grantTrainingLease(of: 5, to: "t", now: 101)

    // The new process's clock starts near 0.
    var copy = try restored(book, at: 102, now: 7)
    XCTAssertEqual(copy.sweep(sweep.id)?.completed, 3)
    XCTAssertEqual(copy.sweep(sweep.id)?.outcomes, book.sweep(sweep.id)?.outcomes)
    XCTAssertEqual(copy.openLeases.map(\.id), [open.id], "the one lease still out")
    XCTAssertEqual(copy.openLeases.first?.deadline, 7 + 5, "a fresh deadline on restore")
    XCTAssertEqual(
      try copy.grantTrainingLease(of: 9, to: "t", now: 8).configurationIDs,
      try book.grantTrainingLease(of: 9, to: "t", now: 103).configurationIDs,
      "the training stream goes on where it was")

    // The holder that outlived the old process delivers; the ids of the released lease are
    // handed out first; a late result for recorded ids is a duplicate, counted once.
    let late = try copy.record(
      open.configurationIDs.map { outcome($0) }, lease: open.id, from: "b", now: 8)
    XCTAssertEqual(late.recorded, 3)
    let next = try XCTUnwrap(copy.grantEvaluationLease(of: 3, to: "d", now: 8))
    XCTAssertEqual(next.configurationIDs, expired.configurationIDs, "returned ids first")
    XCTAssertGreaterThan(next.id, expired.id, "lease ids are never reused")
    let again = try copy.record(
      done.configurationIDs.map { outcome($0) }, lease: done.id, from: "a", now: 8)
    XCTAssertEqual(again.duplicates, 3)
    _ = try copy.record(
      next.configurationIDs.map { outcome($0) }, lease: next.id, from: "d", now: 9)
    let last = try XCTUnwrap(copy.grantEvaluationLease(of: 3, to: "d", now: 9))
    XCTAssertEqual(last.configurationIDs, [9])
    let finish = try copy.record([outcome(9)], lease: last.id, from: "d", now: 10)
    XCTAssertTrue(finish.finishedSweep)
    let report = try XCTUnwrap(copy.sweep(sweep.id)?.report)
    XCTAssertEqual(report.completed, 10)
    XCTAssertEqual(report.duplicates, 3)
    XCTAssertEqual(copy.sweep(sweep.id)?.environmentSteps, 10 * 18, "each id's steps once")
  }

  func testASnapshotOfAnotherSetOfConfigurationsIsRefused() throws {
    let book = makeBook(test: 10)
    let snapshot = book.snapshot(now: 0)
    var other = book.configuration
    other.testCount = 20
    XCTAssertThrowsError(try LeaseBook(other, restoring: snapshot, now: 0)) { error in
      XCTAssertTrue("\(error)".contains("10 test"), "\(error)")
    }
    var future = snapshot
    future.formatVersion = 99
    XCTAssertThrowsError(try LeaseBook(book.configuration, restoring: future, now: 0))
  }
}
