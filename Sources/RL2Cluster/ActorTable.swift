import Foundation
import RL2Wire

/// The learner's liveness table: who is connected, what they last reported, when they were
/// last heard from. An actor is identified by its id and incarnation; a new incarnation under a
/// known id replaces the old one (the process restarted).
public struct ActorTable: Sendable {
  public struct Entry: Sendable, Equatable {
    public var actorID: String
    public var incarnation: UInt64
    public var hostname: String
    public var pid: UInt32
    /// Index of the actor under this learner: its trial ids start at index << 32.
    public var index: UInt64
    /// ZeroMQ routing id of the actor's control connection.
    public var routingID: Data
    public var lastHeard: Double
    public var weightsVersion: UInt64 = 0
    public var stepsPerSecond = 0.0
    public var weightsLatencyMilliseconds = 0.0
    public var batchesSent: UInt64 = 0
  }

  /// What registering a hello did.
  public enum Registration: Equatable {
    case joined, restarted, repeated
  }

  public private(set) var entries: [String: Entry] = [:]
  private var nextIndex: UInt64 = 0

  public init() {}

  public var liveCount: Int { entries.count }

  public func entry(_ actorID: String, incarnation: UInt64) -> Entry? {
    guard let entry = entries[actorID], entry.incarnation == incarnation else { return nil }
    return entry
  }

  /// Records a hello; the same actor saying hello again keeps its index.
  public mutating func register(
    _ hello: Rl2_V1_Hello, routingID: Data, now: Double
  ) -> (Entry, Registration) {
    if var entry = entries[hello.actorID], entry.incarnation == hello.incarnation {
      entry.routingID = routingID
      entry.lastHeard = now
      entries[hello.actorID] = entry
      return (entry, .repeated)
    }
    let restarted = entries[hello.actorID] != nil
    let entry = Entry(
      actorID: hello.actorID, incarnation: hello.incarnation, hostname: hello.hostname,
      pid: hello.pid, index: nextIndex, routingID: routingID, lastHeard: now)
    nextIndex += 1
    entries[hello.actorID] = entry
    return (entry, restarted ? .restarted : .joined)
  }

  /// Records a heartbeat; false when the sender is not (or no longer) registered.
  public mutating func record(_ heartbeat: Rl2_V1_Heartbeat, now: Double) -> Bool {
    guard var entry = entry(heartbeat.actorID, incarnation: heartbeat.incarnation) else {
      return false
    }
    entry.lastHeard = now
    entry.weightsVersion = heartbeat.weightsVersion
    entry.stepsPerSecond = heartbeat.stepsPerSecond
    entry.weightsLatencyMilliseconds = heartbeat.weightsLatencyMs
    entry.batchesSent = heartbeat.batchesSent
    entries[heartbeat.actorID] = entry
    return true
  }

  /// A batch from a registered actor also proves it alive.
  public mutating func touch(_ actorID: String, incarnation: UInt64, now: Double) {
    guard entry(actorID, incarnation: incarnation) != nil else { return }
    entries[actorID]?.lastHeard = now
  }

  /// Removes and returns the actors not heard from for longer than `timeout` seconds.
  public mutating func expire(now: Double, timeout: Double) -> [Entry] {
    let lost = entries.values.filter { now - $0.lastHeard > timeout }
    for entry in lost { entries[entry.actorID] = nil }
    return lost.sorted { $0.index < $1.index }
  }

  public mutating func remove(_ actorID: String) { entries[actorID] = nil }
}
