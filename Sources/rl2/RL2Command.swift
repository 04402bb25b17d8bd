import ArgumentParser
import RL2Math

@main
struct RL2Command: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rl2",
    abstract: "RL²: learn reinforcement-learning algorithms with a recurrent policy.",
    subcommands: [
      TrainCommand.self, LearnerCommand.self, ActorCommand.self, EvalCommand.self,
      BaselinesCommand.self, TableCommand.self, BenchCommand.self, CoordinatorCommand.self,
      StatusCommand.self, RenderCommand.self, EvalWorkerCommand.self, KeygenCommand.self,
    ]
  )

  static func main() {
    MemoryTuning.retainLargeAllocations()
    FloatEnvironment.flushDenormalsToZero()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      exit(withError: error)
    }
  }
}
