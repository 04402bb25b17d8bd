import ArgumentParser
import Foundation
import RL2Cluster

struct BenchClusterCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cluster",
    abstract: "Actor rollout, trajectory transport, weight broadcast and multi-actor throughput.",
    discussion: """
      Each figure is measured beside its reference in the same run: the actor's rollout \
      against the ceiling its forward FLOPs allow at this machine's single-thread SGEMM rate; \
      trial batches through the learner's data socket against raw ZeroMQ PUSH/PULL of the same \
      message size; total steps/s the learner receives from each number of `rl2 actor` \
      processes (started here, one thread each). Default setting: the 50-arm, 500-pull bandit \
      with GRU 256.
      """
  )

  @Flag(help: "Print one JSON object instead of progress lines.")
  var json = false

  @Option(help: "Bandit arms k.")
  var arms = 50

  @Option(help: "Pulls per trial n.")
  var episodes = 500

  @Option(help: "GRU units.")
  var hidden = 256

  @Option(help: "Trials per actor batch.")
  var trials = 64

  @Option(help: "Comma-separated numbers of actor processes to measure.")
  var actors = "1,2,4"

  @Option(help: "Seconds each number of actors is measured for.")
  var seconds = 8.0

  @Option(help: "Messages per transport measurement.")
  var messages = 30

  func validate() throws {
    guard arms >= 2, episodes >= 1, hidden >= 1, trials >= 1, seconds > 0, messages >= 1 else {
      throw ValidationError("--arms ≥ 2; --episodes, --hidden, --trials, --messages ≥ 1")
    }
    guard parsedActors != nil else {
      throw ValidationError("--actors takes positive counts separated by commas, e.g. 1,2,4")
    }
  }

  var parsedActors: [Int]? {
    let counts = actors.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
    return counts.compactMap { $0 }
  }

  func run() throws {
    var configuration = ClusterBenchmark.Configuration()
    configuration.arms = arms
    configuration.episodes = episodes
    configuration.hidden = hidden
    configuration.trialsPerBatch = trials
    configuration.actorCounts = parsedActors ?? [1]
    configuration.seconds = seconds
    configuration.messages = messages
    let report = try ClusterBenchmark(configuration: configuration).run { line in
      if !json { Console.line(line) }
    }
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      Console.line(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
  }
}
