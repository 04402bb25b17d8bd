import ArgumentParser
import Foundation
import RL2Baselines
import RL2Envs
import RL2Training

/// Flags of the baseline harness, shared by `rl2 baselines` and `rl2 table`.
struct HarnessFlags: ParsableArguments {
  @Option(help: "Reported instances per setting (the same fixed set RL² checkpoints play).")
  var instances = 1000

  @Option(help: "Instances of the separate set the hyperparameters are chosen on.")
  var tuningInstances = 500

  @Option(help: "Seed of the instance sets.")
  var seed: UInt64 = EvaluationSet.defaultSeed

  @Option(help: "Worker threads; 0 uses every core.")
  var threads = 0

  @Option(help: "Prior mean of μ(s, a) the MDP baselines assume (1 is true; 0 as the authors ran).")
  var priorMean = 1.0

  @Option(help: "Only these methods, comma-separated keys (e.g. ucb1,gittins).")
  var methods: String?

  @Option(help: "Folder for cached Gittins index tables (default: ~/.cache/rl2).")
  var cache: String?

  func validate() throws {
    guard instances >= 2, tuningInstances >= 1 else {
      throw ValidationError("--instances must be at least 2 and --tuning-instances at least 1")
    }
    guard threads >= 0 else { throw ValidationError("--threads must be 0 (every core) or more") }
    let known = Set(PaperTables.banditColumns + PaperTables.mdpColumns).subtracting(["rl2"])
    if let unknown = options.methods?.subtracting(known), !unknown.isEmpty {
      throw ValidationError(
        "--methods: unknown \(unknown.sorted().joined(separator: ", ")); the methods are "
          + known.sorted().joined(separator: ", "))
    }
  }

  var options: HarnessOptions {
    var options = HarnessOptions()
    options.instances = instances
    options.tuningInstances = tuningInstances
    options.seed = seed
    if threads > 0 { options.threads = threads }
    options.methods = methods.map { Set($0.split(separator: ",").map(String.init)) }
    return options
  }

  var cacheDirectory: URL {
    if let cache { return URL(fileURLWithPath: cache) }
    let base =
      ProcessInfo.processInfo.environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
      ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
    return base.appendingPathComponent("rl2")
  }

  func run(_ setting: TaskSetting, progress: (String) -> Void) -> SettingResult {
    switch setting.kind {
    case .bandit:
      BaselineHarness.runBandits(
        arms: setting.arms, pulls: setting.episodes, options: options,
        cacheDirectory: cacheDirectory, progress: progress)
    case .mdp:
      BaselineHarness.runMDPs(
        states: setting.states, actions: setting.actions, horizon: setting.horizon,
        episodes: setting.episodes, priorMean: priorMean, options: options, progress: progress)
    case .maze:
      preconditionFailure("the maze has no hand-designed baselines; callers check the setting")
    }
  }
}

struct BaselinesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "baselines",
    abstract: "Evaluate the paper's hand-designed algorithms on one task setting.",
    discussion: """
      Each family's hyperparameter (the paper's grids) is chosen on a separate tuning set, \
      then the choice plays the fixed reported instances that `rl2 eval` uses for RL² \
      checkpoints. Prints mean ± standard error per method; the best and those not \
      significantly worse (one-sided Welch t-test, p = 0.05) are marked with *.
      Examples:
        rl2 baselines --env bandit --arms 50 --episodes 500
        rl2 baselines --env mdp --episodes 10 --json
      """
  )

  @OptionGroup var task: TaskOptions
  @OptionGroup var harness: HarnessFlags

  @Flag(help: "Print one JSON object: {\"setting\", \"methods\": {key: {mean, stderr, …}}}.")
  var json = false

  @Flag(help: "With --json, include every instance's total reward.")
  var returns = false

  func validate() throws {
    guard task.env != .maze else {
      throw ValidationError(
        "the hand-designed baselines are for bandits and MDPs; the maze has none in the paper")
    }
    do {
      try task.setting.validate()
    } catch {
      throw ValidationError(error.description)
    }
  }

  func run() throws {
    let result = harness.run(task.setting) { line in
      FileHandle.standardError.write(Data((line + "\n").utf8))
    }
    if json {
      let object = result.jsonObject(includingReturns: returns)
      let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      Console.line(String(decoding: data, as: UTF8.self))
      return
    }
    Console.line(
      String(
        format: "%@: %d instances (seed %llu), oracle %.2f", result.setting, result.instances,
        result.seed, result.oracleMean))
    for method in result.methods {
      let title = method.title.padding(toLength: 10, withPad: " ", startingAt: 0)
      Console.line(
        (method.isBestOrTied ? "* " : "  ") + title
          + String(format: " %9.2f ± %-6.2f ", method.mean, method.stderr)
          + method.hyperparameter)
    }
  }
}
