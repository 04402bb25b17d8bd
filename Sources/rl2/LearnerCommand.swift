import ArgumentParser
import Foundation
import RL2Cluster
import RL2Math
import RL2Training

struct LearnerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "learner",
    abstract: "Run the learner of a cluster run: actors connect to it and send trials.",
    discussion: """
      Binds its control socket at --endpoint and its data and weights sockets on the next two \
      ports (all three are announced to actors in the welcome). Trains synchronously by \
      default: each iteration uses only trials of the current weights version. Writes the run \
      directory as `rl2 train` does and resumes from it with --resume. SIGINT/SIGTERM: final \
      checkpoint, actors told to stop, exit 0.
      Example:
        rl2 learner --endpoint tcp://*:5555 --env bandit --arms 50 --episodes 500
        rl2 actor --learner tcp://learner-host:5555      (on each actor machine)
      """
  )

  @OptionGroup var options: TrainingOptions

  @Option(help: "Control endpoint tcp://HOST:PORT (HOST * binds every interface).")
  var endpoint = "tcp://127.0.0.1:5555"

  @Option(
    help: "Use batches up to this many weights versions old (0: synchronous, as in the paper).")
  var maxPolicyLag = 0

  func validate() throws {
    guard maxPolicyLag >= 0 else { throw ValidationError("--max-policy-lag must be 0 or more") }
    do {
      _ = try Endpoint(parsing: endpoint)
    } catch {
      throw ValidationError("--endpoint \(error)")
    }
  }

  func run() throws {
    options.applyThreads()
    let stop = StopSignal()
    stop.raiseOnInterrupt {
      Console.line("stopping after this iteration (checkpoint follows); Ctrl-C again to quit now")
    }
    var learner = Cluster.LearnerOptions(endpoint: try Endpoint(parsing: endpoint))
    learner.maxPolicyLag = maxPolicyLag
    let summary = try Cluster.runLearner(
      configuration: options.makeConfiguration(), runDirectory: options.runDirectory,
      resume: options.resume, options: learner, stop: stop, log: Console.line)
    Console.line(summary.text)
  }
}

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

  func validate() throws {
    guard trials >= 1 else { throw ValidationError("--trials must be at least 1") }
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    do {
      _ = try Endpoint(parsing: learner)
    } catch {
      throw ValidationError("--learner \(error)")
    }
  }

  func run() throws {
    var configuration = ActorConfiguration(
      learner: try Endpoint(parsing: learner),
      actorID: actorID ?? ActorConfiguration.defaultActorID)
    configuration.trialsPerBatch = trials
    configuration.threads = threads
    configuration.parentProcess = exitWithParent
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
