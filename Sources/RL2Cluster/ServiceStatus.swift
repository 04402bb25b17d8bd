import Foundation
import RL2Wire

/// A learner's or coordinator's answer to a status request, as `rl2 status` prints it (text,
/// or JSON with these snake_case keys).
///
/// ```swift
/// let status = try ServiceStatus.fetch(from: endpoint, timeout: 3)
/// print(status.text)
/// ```
public struct ServiceStatus: Codable, Sendable, Equatable {
  public struct Actor: Codable, Sendable, Equatable {
    public var actorID: String
    public var hostname: String
    public var weightsVersion: UInt64
    public var stepsPerSecond: Double
    public var millisecondsSinceHeartbeat: UInt32
    public var leasesHeld: UInt32

    enum CodingKeys: String, CodingKey {
      case actorID = "actor_id"
      case hostname
      case weightsVersion = "weights_version"
      case stepsPerSecond = "steps_per_second"
      case millisecondsSinceHeartbeat = "ms_since_heartbeat"
      case leasesHeld = "leases_held"
    }
  }

  public var endpoint: String
  public var role: String
  public var weightsVersion: UInt64
  public var iteration: UInt64
  public var environmentSteps: UInt64
  public var stepsPerSecond: Double
  public var actors: [Actor]
  public var leasesOutstanding: UInt32
  public var sweepID: UInt64
  public var sweepCompleted: UInt32
  public var sweepTotal: UInt32
  public var rejected: UInt64

  enum CodingKeys: String, CodingKey {
    case endpoint, role, iteration, actors, rejected
    case weightsVersion = "weights_version"
    case environmentSteps = "environment_steps"
    case stepsPerSecond = "steps_per_second"
    case leasesOutstanding = "leases_outstanding"
    case sweepID = "sweep_id"
    case sweepCompleted = "sweep_completed"
    case sweepTotal = "sweep_total"
  }

  init(_ status: Rl2_V1_Status, endpoint: Endpoint) {
    self.endpoint = endpoint.description
    role = status.role
    weightsVersion = status.weightsVersion
    iteration = status.iteration
    environmentSteps = status.environmentSteps
    stepsPerSecond = status.stepsPerSecond
    actors = status.actors.map {
      Actor(
        actorID: $0.actorID, hostname: $0.hostname, weightsVersion: $0.weightsVersion,
        stepsPerSecond: $0.stepsPerSecond,
        millisecondsSinceHeartbeat: $0.millisecondsSinceHeartbeat,
        leasesHeld: $0.leasesHeld)
    }
    leasesOutstanding = status.leasesOutstanding
    sweepID = status.sweepID
    sweepCompleted = status.sweepCompleted
    sweepTotal = status.sweepTotal
    rejected = status.batchesRejected
  }

  /// Asks the service at `endpoint` (learner control socket or coordinator) for its status.
  public static func fetch(
    from endpoint: Endpoint, timeout: Double, security: ClientSecurity? = nil
  ) throws -> ServiceStatus {
    let client = try CoordinatorClient(
      coordinator: endpoint, actorID: "rl2-status", security: security)
    let reply = try client.request(.statusRequest(Rl2_V1_StatusRequest()), timeout: timeout)
    guard case .status(let status) = reply.body else {
      throw ClusterError.failed("\(endpoint) answered a status request with \(reply.bodyName)")
    }
    return ServiceStatus(status, endpoint: endpoint)
  }

  /// A few lines for a terminal.
  public var text: String {
    var lines = ["\(role) at \(endpoint)"]
    if role == "coordinator" {
      lines.append(
        sweepID == 0
          ? "no sweep yet; \(leasesOutstanding) leases outstanding"
          : "sweep \(sweepID) (weights version \(weightsVersion)): \(sweepCompleted)/"
            + "\(sweepTotal) configurations, \(leasesOutstanding) leases outstanding")
    } else {
      lines.append("iteration \(iteration), weights version \(weightsVersion)")
    }
    lines.append(
      String(
        format: "%llu environment steps, %.0f steps/s, %llu messages rejected", environmentSteps,
        stepsPerSecond, rejected))
    lines.append("\(actors.count) live actors" + (actors.isEmpty ? "" : ":"))
    for actor in actors {
      lines.append(
        "  \(actor.actorID) (\(actor.hostname)): \(actor.leasesHeld) leases, "
          + String(format: "%.0f steps/s", actor.stepsPerSecond)
          + ", heard \(actor.millisecondsSinceHeartbeat) ms ago")
    }
    return lines.joined(separator: "\n")
  }
}
