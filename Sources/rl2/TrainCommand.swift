import ArgumentParser

struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train an RL² policy (learner and actors on loopback by default)."
  )

  func run() throws {
    throw ValidationError(
      "training is not available yet: this build has the network core only "
        + "(try `rl2 bench nets`)")
  }
}
