import ArgumentParser
import Foundation
import RL2Cluster
import RL2Envs
import RL2Training

struct EvalWorkerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval-worker",
    abstract: "Evaluate a maze checkpoint on the test configurations a coordinator leases out.",
    discussion: """
      Asks the coordinator for evaluation leases of test configuration ids, plays each with \
      the checkpoint's policy (configuration c with evaluation stream c of --seed, as `rl2 \
      eval` does in one process) and sends the outcomes back; waits while no sweep has work. \
      Leases of a worker that dies or stalls expire and go to the others, so start as many \
      as you like, on any hosts. Exits on SIGINT/SIGTERM.
      Example:
        rl2 eval-worker --coordinator tcp://head:5600 --checkpoint CKPT
      """
  )

  @Option(help: "The coordinator's endpoint tcp://HOST:PORT.")
  var coordinator: String

  @Option(help: "A maze checkpoint file.")
  var checkpoint: String

  @Option(help: "Seed of the evaluation streams (the same as `rl2 eval --seed`).")
  var seed: UInt64 = EvaluationSet.defaultSeed

  @Option(help: "Side of the test mazes (default: as trained).")
  var mazeSize: Int?

  @Option(help: "Test configurations per lease.")
  var leaseSize = 4

  @Option(help: "Worker id reported to the coordinator (default: HOST-PID).")
  var actorID: String?

  @Option(help: "Exit when the process with this id stops being the parent (local launcher).")
  var exitWithParent: Int32?

  @OptionGroup var security: ClientSecurityOptions

  func validate() throws {
    guard leaseSize >= 1 else { throw ValidationError("--lease-size must be at least 1") }
    do {
      _ = try Endpoint(parsing: coordinator)
    } catch {
      throw ValidationError("--coordinator \(error)")
    }
  }

  func run() throws {
    let worker = try MazeEvaluationWorker(
      checkpoint: URL(fileURLWithPath: checkpoint), coordinator: try Endpoint(parsing: coordinator),
      actorID: actorID ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())", seed: seed,
      mazeSize: mazeSize, security: try security.load(), log: Console.line)
    let stop = StopSignal()
    stop.raiseOnInterrupt {}
    if let parent = exitWithParent {
      Thread.detachNewThread {
        while !stop.isRaised {
          if getppid() != parent { stop.raise() }
          Thread.sleep(forTimeInterval: 0.5)
        }
      }
    }
    try worker.run(stop: stop, leaseSize: leaseSize)
    Console.line("eval-worker done: \(worker.played) configurations played")
  }
}
