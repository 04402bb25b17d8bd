import ArgumentParser

@main
struct RL2Command: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rl2",
    abstract: "RL²: learn reinforcement-learning algorithms with a recurrent policy.",
    subcommands: [TrainCommand.self, BenchCommand.self]
  )
}
