import ArgumentParser
import Foundation
import RL2Cluster
import RL2Training

struct CoordinatorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "coordinator",
    abstract: "Run the coordinator: lease configuration ids to actors and collect evaluations.",
    discussion: """
      Configurations are numbered: training ids 0..<N and test ids 0..<M (separate sets). \
      Training leases draw ids uniformly from the seeded stream. An evaluation sweep (started \
      by a learner with StartSweep) hands out every test id in leases of --lease-size; a lease \
      without its result after --lease-timeout seconds, or whose actor is lost, goes to the \
      next requester, and each id's result is recorded exactly once. Logs actors joining and \
      lost, expired and re-issued leases, and sweep progress. SIGINT/SIGTERM: exit 0. With \
      --state-file the lease book is rewritten atomically before every acknowledged change and \
      restored at start: a coordinator restarted on the same endpoint after a crash keeps \
      every recorded result, accepts late results of the leases it had granted (once), and \
      re-issues the rest; workers and sweeps reconnect on their own.
      Binding an address other hosts can reach needs CURVE keys (--server-key, \
      --allowed-keys; see `rl2 keygen`) or --insecure.
      Example:
        rl2 coordinator --endpoint tcp://*:5600 --server-key keys/coordinator.key \
          --allowed-keys keys/allowed-workers
        rl2 status --coordinator tcp://coordinator-host:5600 --client-key keys/admin.key \
          --server-public-key keys/coordinator.pub
      """
  )

  @Option(
    help: "Endpoint tcp://HOST:PORT to bind (HOST * binds every interface; port 0 a free port).")
  var endpoint = "tcp://127.0.0.1:5600"

  @Option(help: "Training configurations: ids 0..<N.")
  var trainingConfigurations = 1000

  @Option(help: "Test configurations: ids 0..<M, the ones sweeps evaluate.")
  var testConfigurations = 1000

  @Option(help: "Most test ids in one evaluation lease.")
  var leaseSize = 4

  @Option(help: "Seconds an evaluation lease stays valid without a result.")
  var leaseTimeout = 120.0

  @Option(help: "Seconds without any message after which an actor counts as lost.")
  var actorTimeout = 6.0

  @Option(help: "Seed of the stream training ids are drawn from.")
  var seed: UInt64 = 0

  @Option(
    help: """
      File holding the lease book across restarts (created if missing; e.g. \
      runs/coordinator.state.json). Default: memory only.
      """)
  var stateFile: String?

  @OptionGroup var security: ServerSecurityOptions

  func validate() throws {
    do {
      _ = try Endpoint(parsing: endpoint)
    } catch {
      throw ValidationError("--endpoint \(error)")
    }
    guard trainingConfigurations >= 1, testConfigurations >= 1 else {
      throw ValidationError(
        "--training-configurations and --test-configurations must be at least 1")
    }
    guard leaseSize >= 1 else { throw ValidationError("--lease-size must be at least 1") }
    guard leaseTimeout > 0, actorTimeout > 0 else {
      throw ValidationError("--lease-timeout and --actor-timeout must be positive seconds")
    }
  }

  func makeConfiguration() throws -> CoordinatorService.Configuration {
    var book = LeaseBook.Configuration(
      trainingCount: trainingConfigurations, testCount: testConfigurations)
    book.leaseSize = leaseSize
    book.leaseTimeout = leaseTimeout
    book.seed = seed
    var configuration = CoordinatorService.Configuration(
      endpoint: try Endpoint(parsing: endpoint), book: book)
    configuration.actorTimeout = actorTimeout
    configuration.heartbeatInterval = min(1, actorTimeout / 4)
    configuration.security = try security.load()
    configuration.allowsInsecureBinding = security.insecure
    configuration.stateFile = stateFile.map { URL(fileURLWithPath: $0) }
    return configuration
  }

  func run() throws {
    let stop = StopSignal()
    stop.raiseOnInterrupt {}
    try Cluster.runCoordinator(configuration: makeConfiguration(), stop: stop, log: Console.line)
  }
}
