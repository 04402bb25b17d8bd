import ArgumentParser
import Foundation
import RL2Cluster
import RL2Training

struct ActorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "actor",
    abstract: "Run an actor: sample trials with the learner's newest weights and send them.",
    discussion: """
      Gets the experiment and the current weights from the learner's welcome, runs --trials \
      trials in lockstep per batch, takes newer weights between batches (at trial boundaries), \
      heartbeats, and reconnects forever with back-off when the learner goes away. Exits when \
      the learner shuts it down, or on SIGINT/SIGTERM.
      """
  )

  @Option(help: "The learner's control endpoint tcp://HOST:PORT.")
  var learner: String

  @Option(help: "Trials run in lockstep per batch.")
  var trials = 128

  @Option(help: "BLAS threads and rollout workers (1 lets several actors share a machine).")
  var threads = 1

  @Option(help: "Actor id reported to the learner (default: HOST-PID).")
  var actorID: String?

  @Option(help: "Exit when the process with this id stops being the parent (local launcher).")
  var exitWithParent: Int32?

  @Option(
    help: """
      Maze runs: a coordinator tcp://HOST:PORT whose training leases choose the configurations \
      each batch plays (without it, each trial's stream draws one).
      """)
  var coordinator: String?

  @Option(
    help: """
      The coordinator's public key file (its NAME.pub) when it requires CURVE; this actor \
      authenticates with its --client-key.
      """)
  var coordinatorPublicKey: String?

  @OptionGroup var security: ClientSecurityOptions

  func validate() throws {
    guard trials >= 1 else { throw ValidationError("--trials must be at least 1") }
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    do {
      _ = try Endpoint(parsing: learner)
    } catch {
      throw ValidationError("--learner \(error)")
    }
    if let coordinator {
      do {
        _ = try Endpoint(parsing: coordinator)
      } catch {
        throw ValidationError("--coordinator \(error)")
      }
    }
    if coordinatorPublicKey != nil, coordinator == nil || security.clientKey == nil {
      throw ValidationError(
        "--coordinator-public-key needs --coordinator and the actor's own --client-key")
    }
  }

  func run() throws {
    var configuration = ActorConfiguration(
      learner: try Endpoint(parsing: learner),
      actorID: actorID ?? ActorConfiguration.defaultActorID)
    configuration.trialsPerBatch = trials
    configuration.threads = threads
    configuration.parentProcess = exitWithParent
    configuration.coordinator = try coordinator.map { try Endpoint(parsing: $0) }
    configuration.security = try security.load()
    if let coordinatorPublicKey, let clientKey = security.clientKey {
      configuration.coordinatorSecurity = try ClientSecurity.load(
        clientKey: URL(fileURLWithPath: clientKey),
        serverPublicKey: URL(fileURLWithPath: coordinatorPublicKey))
    }
    let stop = StopSignal()
    stop.raiseOnInterrupt {}
    let summary = try Cluster.runActor(configuration: configuration, stop: stop) {
      Console.line($0)
    }
    Console.line(
      "actor done: \(summary.batchesSent) batches, \(summary.environmentSteps) steps; "
        + summary.reason)
  }
}
