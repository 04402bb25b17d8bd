import RL2Envs

extension LeaseBook {
  /// What recording one lease result did.
  public struct Recording: Sendable, Equatable {
    /// Configurations recorded for the first time.
    public var recorded = 0
    /// Configurations already recorded, ignored.
    public var duplicates = 0
    /// This result completed its sweep.
    public var finishedSweep = false
  }

  /// An evaluation lease closed before all its results came, and the ids it gave back.
  public struct Expiry: Sendable, Equatable {
    public let lease: Lease
    public let returnedIDs: [Int]
  }

  /// Records the outcomes of an evaluation lease, each id at most once per sweep.
  ///
  /// The whole result is refused (and counted in `refusedResults`) when the lease was never
  /// granted, is held by someone else, or any outcome is for an id outside the lease, repeats
  /// an id, has other than `episodesPerTrial` episodes, a length outside 1...horizon or a
  /// return that is not finite. A closed (expired) lease's results still count: an id nobody
  /// recorded yet is recorded, and leaves the queue; one recorded already is a duplicate.
  /// Every result renews its open lease; a lease whose ids are all recorded closes.
  public mutating func record(
    _ outcomes: [ConfigurationOutcome], lease leaseID: UInt64, from holder: String, now: Double
  ) throws(Refusal) -> Recording {
    let lease: Lease
    do throws(Refusal) {
      lease = try validLease(leaseID, holder: holder)
      try validate(outcomes, for: lease, in: sweeps[Int(lease.sweepID - 1)])
    } catch {
      refusedResults += 1
      throw error
    }
    let index = Int(lease.sweepID - 1)
    let wasDone = sweeps[index].isDone
    var recording = Recording()
    for outcome in outcomes {
      if sweeps[index].outcomes[outcome.configurationID] != nil {
        recording.duplicates += 1
      } else {
        sweeps[index].outcomes[outcome.configurationID] = outcome
        sweeps[index].environmentSteps += outcome.environmentSteps
        recording.recorded += 1
      }
    }
    sweeps[index].duplicates += recording.duplicates
    sweeps[index].lastResultAt = now
    recording.finishedSweep = !wasDone && sweeps[index].isDone
    if openLeaseIDs.contains(leaseID) {
      evaluationLeases[leaseID]?.deadline = now + configuration.leaseTimeout
    }
    closeFinishedLeases(of: sweeps[index])
    return recording
  }

  private func validLease(_ leaseID: UInt64, holder: String) throws(Refusal) -> Lease {
    guard let lease = evaluationLeases[leaseID] else {
      throw Refusal(.unknownLease, "unknown lease \(leaseID) (never granted, or a training lease)")
    }
    guard lease.holder == holder else {
      throw Refusal(.invalid, "lease \(leaseID) is held by \(lease.holder), not \(holder)")
    }
    return lease
  }

  private func validate(
    _ outcomes: [ConfigurationOutcome], for lease: Lease, in sweep: Sweep
  ) throws(Refusal) {
    guard !outcomes.isEmpty else {
      throw Refusal(.invalid, "a result for lease \(lease.id) without configurations")
    }
    var seen = Set<Int>()
    for outcome in outcomes {
      let id = outcome.configurationID
      let name = "configuration \(id) of lease \(lease.id)"
      guard lease.configurationIDs.contains(id) else {
        throw Refusal(.invalid, "configuration \(id) is not in lease \(lease.id)")
      }
      guard seen.insert(id).inserted else { throw Refusal(.invalid, "\(name) appears twice") }
      let counts = [
        outcome.episodeLengths.count, outcome.successes.count, outcome.episodeReturns.count,
      ]
      guard counts.allSatisfy({ $0 == sweep.episodesPerTrial }) else {
        throw Refusal(
          .invalid,
          "\(name): \(counts.map(String.init).joined(separator: "/")) lengths/successes/returns, "
            + "the sweep plays \(sweep.episodesPerTrial) episodes per trial")
      }
      guard outcome.episodeLengths.allSatisfy({ (1...sweep.horizon).contains($0) }) else {
        throw Refusal(
          .invalid, "\(name): an episode length outside 1...\(sweep.horizon) (the horizon)")
      }
      guard outcome.episodeReturns.allSatisfy(\.isFinite) else {
        throw Refusal(.invalid, "\(name): returns are not all finite")
      }
    }
  }

  private mutating func closeFinishedLeases(of sweep: Sweep) {
    for id in openLeaseIDs where evaluationLeases[id]?.sweepID == sweep.id {
      if sweep.isDone
        || evaluationLeases[id]!.configurationIDs.allSatisfy({
          sweep.outcomes[$0] != nil
        })
      {
        openLeaseIDs.remove(id)
      }
    }
  }

  // MARK: Expiry

  /// Closes the evaluation leases past their deadline; their unrecorded ids go back to the
  /// front of their sweep's queue.
  public mutating func expireLeases(now: Double) -> [Expiry] {
    close(openLeases.filter { now > $0.deadline })
  }

  /// Closes every open lease of `holder` at once: it was declared dead or restarted.
  public mutating func releaseLeases(heldBy holder: String) -> [Expiry] {
    close(openLeases.filter { $0.holder == holder })
  }

  private mutating func close(_ leases: [Lease]) -> [Expiry] {
    leases.map { lease in
      openLeaseIDs.remove(lease.id)
      let returned = sweeps[Int(lease.sweepID - 1)].giveBack(lease.configurationIDs)
      return Expiry(lease: lease, returnedIDs: returned)
    }
  }
}
