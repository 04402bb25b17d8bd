import ArgumentParser
import Foundation
import RL2Baselines
import RL2Cluster
import RL2Envs
import RL2Math
import RL2Training

struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Evaluate a checkpoint on the fixed, seeded test instances of its task setting.",
    discussion: """
      Every method (RL² checkpoints and the hand-designed baselines) plays the same instances: \
      instance i of seed S is the same task with the same reward draws for all of them. Maze \
      checkpoints play test configurations 0, 1, … (disjoint from the training set) and print \
      the paper's Table 3 figures per episode beside the paper's best run.
      Examples:
        rl2 eval --checkpoint runs/bandit-k5-n10-trpo-seed1/checkpoints/iteration-100.checkpoint.json
        rl2 eval --env maze --checkpoint CKPT --maze-size 9 --episodes 5 --json
      """
  )

  @Option(help: "A checkpoint file (runs/<name>/checkpoints/iteration-*.checkpoint.json).")
  var checkpoint: String

  @Option(help: "The checkpoint's task distribution, checked against it (bandit, mdp or maze).")
  var env: TaskSetting.Kind?

  @Option(help: "Test instances (trials), each a fresh task or maze configuration.")
  var instances = 1000

  @Option(help: "Seed of the test set.")
  var seed: UInt64 = EvaluationSet.defaultSeed

  @Option(help: "Maze only: episodes per trial (the paper tests 5; default: as trained).")
  var episodes: Int?

  @Option(
    help: "Maze only: side of the test mazes in cells (the paper: 5 and 9; default: as trained).")
  var mazeSize: Int?

  @Flag(
    help: """
      Print one JSON object (mean, stderr, instances, episode_means, …; for mazes also \
      success_rate, mean_length, mean_length_stderr per episode and improved_share).
      """)
  var json = false

  @Option(help: "BLAS threads and rollout workers; 0 uses every core.")
  var threads = 0

  @Option(
    help: """
      Maze only: evaluate through this coordinator's sweep (workers: `rl2 eval-worker`, or \
      --workers local ones) instead of in this process.
      """)
  var coordinator: String?

  @Option(
    help: """
      Maze only: `rl2 eval-worker` processes to start on this machine; with no --coordinator \
      one is started in this process.
      """)
  var workers = 0

  /// With --coordinator: the keys for a coordinator that requires CURVE (local workers get them
  /// too).
  @OptionGroup var security: ClientSecurityOptions

  func validate() throws {
    if instances < 1 { throw ValidationError("--instances must be at least 1, got \(instances)") }
    if threads < 0 { throw ValidationError("--threads must be 0 (every core) or positive") }
    if let episodes, episodes < 1 { throw ValidationError("--episodes must be at least 1") }
    if workers < 0 { throw ValidationError("--workers must be 0 or more") }
    if let coordinator {
      do {
        _ = try Endpoint(parsing: coordinator)
      } catch {
        throw ValidationError("--coordinator \(error)")
      }
    }
    if security.files != nil, coordinator == nil {
      throw ValidationError(
        "--client-key and --server-public-key are for a remote --coordinator; the sweep's "
          + "own coordinator listens on loopback without CURVE")
    }
  }

  func run() throws {
    BLAS.threadCount = threads > 0 ? threads : BLAS.coreCount
    let url = URL(fileURLWithPath: checkpoint)
    let task = try CheckpointStore.load(url).configuration.task
    let kind = task.kind
    if let env, env != kind {
      throw ValidationError("--env \(env.rawValue): the checkpoint is a \(kind.rawValue) run")
    }
    if kind != .maze, episodes != nil || mazeSize != nil {
      throw ValidationError("--episodes and --maze-size apply to maze checkpoints only")
    }
    if kind == .maze, coordinator != nil || workers > 0 {
      try runSweep(url, trainedSize: task.mazeSize)
      return
    }
    let result = try Training.evaluate(
      checkpoint: url, instances: instances, seed: seed, episodes: episodes, mazeSize: mazeSize)
    if json {
      print(try jsonText(result))
      return
    }
    print(
      String(
        format: "%@: %.2f ± %.2f over %d instances", result.setting, result.mean, result.stderr,
        result.instances)
        + (kind == .maze ? "" : String(format: " (oracle %.2f)", result.optimalMean)))
    if let maze = result.maze {
      let size = mazeSize ?? task.mazeSize
      printTable3(maze, size: size)
    } else if result.episodeMeans.count <= 20 {
      print(
        "per episode: "
          + result.episodeMeans.map { String(format: "%.3f", $0) }.joined(separator: " "))
    }
  }

  /// The maze evaluation as a coordinator sweep over workers.
  func runSweep(_ url: URL, trainedSize: Int) throws {
    var options = Cluster.MazeSweepOptions(
      checkpoint: url, instances: instances, seed: seed,
      coordinator: try coordinator.map { try Endpoint(parsing: $0) }, localWorkers: workers,
      logDirectory: url.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("eval-workers"))
    options.episodes = episodes
    options.mazeSize = mazeSize
    options.keyFiles = security.files
    let stop = StopSignal()
    stop.raiseOnInterrupt {}
    let report = try Cluster.runMazeSweep(options, stop: stop) { line in
      FileHandle.standardError.write(Data((line + "\n").utf8))
    }
    let maze = MazeEvaluationReport(report.metrics)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      var object =
        try JSONSerialization.jsonObject(with: try encoder.encode(maze)) as! [String: Any]
      object["instances"] = report.total
      object["sweep_id"] = Int(report.sweepID)
      object["duplicates"] = report.duplicates
      if maze.improvedShare == nil { object["improved_share"] = NSNull() }
      let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
      return
    }
    print(
      "sweep \(report.sweepID): \(report.completed)/\(report.total) test configurations, "
        + "\(report.duplicates) duplicate results ignored")
    printTable3(maze, size: mazeSize ?? trainedSize)
  }

  /// The evaluation as JSON; a maze's Table 3 keys sit at the top level beside the returns.
  func jsonText(_ result: EvaluationResult) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    guard let maze = result.maze else {
      return String(decoding: try encoder.encode(result), as: UTF8.self)
    }
    var plain = result
    plain.maze = nil
    var object = try JSONSerialization.jsonObject(with: try encoder.encode(plain)) as! [String: Any]
    let table = try JSONSerialization.jsonObject(with: try encoder.encode(maze)) as! [String: Any]
    object.merge(table) { $1 }
    if maze.improvedShare == nil { object["improved_share"] = NSNull() }
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
  }

  /// Episode by episode: success rate and mean successful length ± SE, the paper's beside.
  func printTable3(_ maze: MazeEvaluationReport, size: Int) {
    let paper = PaperTables.maze.first { $0.size == size }
    print("episode  success  (paper)   length of successes  (paper)")
    for k in 0..<maze.successRate.count {
      var line = String(format: "%7d  %6.1f%%", k + 1, 100 * maze.successRate[k])
      let hasPaper = paper.map { k < $0.successRate.count } ?? false
      line += hasPaper ? String(format: "  %6.1f%%", 100 * paper!.successRate[k]) : "         "
      line += String(format: "   %7.1f ± %4.1f", maze.meanLength[k], maze.meanLengthStderr[k])
      if hasPaper {
        line += String(
          format: "      %6.1f ± %4.1f", paper!.meanLength[k], paper!.meanLengthStderr[k])
      }
      print(line)
    }
    if let share = maze.improvedShare {
      print(
        String(
          format: "episode 2 no longer than episode 1: %.1f%% of %d mazes where both succeeded",
          100 * share, maze.improvedBasis)
          + (paper.map { String(format: " (paper %.1f%%)", 100 * $0.improvedShare) } ?? ""))
    }
  }
}
