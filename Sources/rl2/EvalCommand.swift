import ArgumentParser
import Foundation
import RL2Envs
import RL2Math
import RL2Training

struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Evaluate a checkpoint on the fixed, seeded test instances of its task setting.",
    discussion: """
      Every method (RL² checkpoints and the hand-designed baselines) plays the same instances: \
      instance i of seed S is the same task with the same reward draws for all of them.
      """
  )

  @Option(help: "A checkpoint file (runs/<name>/checkpoints/iteration-*.checkpoint.json).")
  var checkpoint: String

  @Option(help: "Test instances (trials), each a fresh task.")
  var instances = 1000

  @Option(help: "Seed of the test set.")
  var seed: UInt64 = EvaluationSet.defaultSeed

  @Flag(help: "Print one JSON object (mean, stderr, instances, episode_means, …).")
  var json = false

  @Option(help: "BLAS threads and rollout workers; 0 uses every core.")
  var threads = 0

  func validate() throws {
    if instances < 1 { throw ValidationError("--instances must be at least 1, got \(instances)") }
    if threads < 0 { throw ValidationError("--threads must be 0 (every core) or positive") }
  }

  func run() throws {
    BLAS.threadCount = threads > 0 ? threads : BLAS.coreCount
    let result = try Training.evaluate(
      checkpoint: URL(fileURLWithPath: checkpoint), instances: instances, seed: seed)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      print(String(decoding: try encoder.encode(result), as: UTF8.self))
    } else {
      print(
        String(
          format: "%@: %.2f ± %.2f over %d instances (oracle %.2f)", result.setting, result.mean,
          result.stderr, result.instances, result.optimalMean))
      let episodes = result.episodeMeans.map { String(format: "%.3f", $0) }
      if episodes.count <= 20 { print("per episode: " + episodes.joined(separator: " ")) }
    }
  }
}
