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
      Binding an address other hosts can reach needs CURVE keys (--server-key, \
      --allowed-keys; see `rl2 keygen`) or --insecure.
      Example:
        rl2 learner --endpoint tcp://*:5555 --env bandit --arms 50 --episodes 500 \
          --server-key keys/learner.key --allowed-keys keys/allowed-actors
        rl2 actor --learner tcp://learner-host:5555 --client-key keys/actor-1.key \
          --server-public-key keys/learner.pub      (on each actor machine)
      """
  )

  @OptionGroup var options: TrainingOptions

  @Option(help: "Control endpoint tcp://HOST:PORT (HOST * binds every interface).")
  var endpoint = "tcp://127.0.0.1:5555"

  @OptionGroup var cluster: LearnerServiceOptions

  @OptionGroup var security: ServerSecurityOptions

  func validate() throws {
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
    var learner = cluster.makeOptions(endpoint: try Endpoint(parsing: endpoint))
    learner.security = try security.load()
    learner.allowsInsecureBinding = security.insecure
    let fork = try options.loadFork()
    let summary = try Cluster.runLearner(
      configuration: try options.resolvedConfiguration(fork: fork),
      runDirectory: options.runDirectory, resume: options.resume, fork: fork, options: learner,
      stop: stop, log: Console.line)
    Console.line(summary.text)
  }
}

/// The learner's service flags, shared by `rl2 learner` and `rl2 train`.
struct LearnerServiceOptions: ParsableArguments {
  @Option(
    help: "Use batches up to this many weights versions old (0: synchronous, as in the paper).")
  var maxPolicyLag = 0

  @Option(help: "Seconds without a heartbeat or batch after which an actor counts as lost.")
  var actorTimeout = 6.0

  @Option(help: "Seconds between the heartbeats actors are asked to send.")
  var heartbeatInterval = 1.0

  func validate() throws {
    guard maxPolicyLag >= 0 else { throw ValidationError("--max-policy-lag must be 0 or more") }
    guard heartbeatInterval >= 0.1, actorTimeout > heartbeatInterval else {
      throw ValidationError(
        "--heartbeat-interval must be at least 0.1 s and --actor-timeout longer than it")
    }
  }

  func makeOptions(endpoint: Endpoint) -> Cluster.LearnerOptions {
    var options = Cluster.LearnerOptions(endpoint: endpoint)
    options.maxPolicyLag = maxPolicyLag
    options.actorTimeout = actorTimeout
    options.heartbeatInterval = heartbeatInterval
    return options
  }
}
