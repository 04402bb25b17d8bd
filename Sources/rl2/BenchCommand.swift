import ArgumentParser
import Foundation
import RL2Nets

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure throughput (build with -c release for figures worth reporting).",
    subcommands: [BenchNetsCommand.self, BenchClusterCommand.self]
  )
}

struct BenchNetsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "nets",
    abstract: "GRU and conv-encoder throughput against this machine's measured SGEMM peak."
  )

  @Flag(help: "Print one JSON object instead of progress lines.")
  var json = false

  @Option(help: "Trials per batch (B).")
  var trials = 256

  @Option(help: "GRU hidden units (H).")
  var hidden = 256

  @Option(help: "Steps per trial (T).")
  var steps = 100

  @Option(help: "Input width (I); 52 is the 50-arm bandit's one-hot action, reward and flag.")
  var inputWidth = 52

  @Option(help: "Images per batch for the conv-encoder measurement (30×40 RGB).")
  var images = 512

  @Option(help: "Matrix size n of the n×n×n SGEMM that measures the machine's peak.")
  var gemmSize = 2048

  @Option(help: "Timed repetitions per measurement; the best is reported.")
  var repetitions = 5

  @Option(help: "BLAS threads; 0 uses every core.")
  var threads = 0

  func validate() throws {
    for (name, value) in [
      ("--trials", trials), ("--hidden", hidden), ("--steps", steps),
      ("--input-width", inputWidth), ("--repetitions", repetitions), ("--images", images),
      ("--gemm-size", gemmSize),
    ] where value < 1 {
      throw ValidationError("\(name) must be at least 1, got \(value)")
    }
    if threads < 0 { throw ValidationError("--threads must be 0 (all cores) or positive") }
  }

  func run() throws {
    var configuration = NetworkBenchmark.Configuration()
    configuration.trials = trials
    configuration.hidden = hidden
    configuration.steps = steps
    configuration.inputWidth = inputWidth
    configuration.images = images
    configuration.gemmSize = gemmSize
    configuration.repetitions = repetitions
    configuration.threads = threads
    let report = NetworkBenchmark(configuration: configuration).run { line in
      if !json { print(line) }
    }
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
  }
}
