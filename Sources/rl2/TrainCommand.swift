import ArgumentParser
import Foundation
import RL2Baselines
import RL2Cluster
import RL2Math
import RL2Training

struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train an RL² policy on a task distribution and evaluate it.",
    discussion: """
      Each iteration samples --batch-steps of whole trials with the current policy (hidden state \
      kept across the episodes of a trial, reset between trials), computes GAE advantages with \
      the value baseline, updates the policy by TRPO (or --algo first-order) and refits the \
      baseline. By default this process is the learner and starts --actors actor processes on \
      loopback that sample the trials and send them over ZeroMQ; --actors 0 samples here. \
      Ctrl-C checkpoints after the iteration in progress and stops the actors. The run \
      directory holds config.json, progress.csv, checkpoints/, eval/ and actors/ (their logs).
      Examples:
        rl2 train --env bandit --arms 5 --episodes 10
        rl2 train --env mdp --episodes 10 --iterations 300 --actors 4
        rl2 train --env maze --maze-size 5 --iterations 1000 --actors 0
        rl2 train --run-dir runs/my-run --resume --iterations 400
        rl2 train --fork runs/my-run/checkpoints/iteration-0000400.checkpoint.json \\
          --learning-rate 5e-4 --run-dir runs/my-run-lr5e-4 --iterations 800
      """
  )

  @OptionGroup var options: TrainingOptions

  @Option(help: "Actor processes started on this machine; 0 samples in this process.")
  var actors = 2

  @Option(help: "Trials each actor runs in lockstep per batch (0: chosen from the batch size).")
  var actorTrials = 0

  @OptionGroup var cluster: LearnerServiceOptions

  @Option(help: "Learner control endpoint when --actors > 0 (port 0: free ports on loopback).")
  var endpoint = "tcp://127.0.0.1:0"

  @Flag(
    inversion: .prefixedNo,
    help: """
      After the final evaluation, play the paper's hand-designed baselines on the same test \
      instances and print them beside RL² (Gittins tables are cached in ~/.cache/rl2).
      """)
  var baselines = true

  func validate() throws {
    guard actors >= 0 else { throw ValidationError("--actors must be 0 or more") }
    guard actorTrials >= 0 else { throw ValidationError("--actor-trials must be 0 or more") }
    do {
      _ = try Endpoint(parsing: endpoint)
    } catch {
      throw ValidationError("--endpoint \(error)")
    }
  }

  func run() throws {
    options.applyThreads()
    let fork = try options.loadFork()
    let configuration = try options.resolvedConfiguration(fork: fork)
    let stop = StopSignal()
    stop.raiseOnInterrupt {
      Console.line("stopping after this iteration (checkpoint follows); Ctrl-C again to quit now")
    }
    let summary: TrainingSummary
    if actors == 0 {
      summary = try Training.train(
        configuration: configuration, runDirectory: options.runDirectory,
        resume: options.resume, fork: fork, stop: stop
      ) { Console.line($0) }
    } else {
      var learner = cluster.makeOptions(endpoint: try Endpoint(parsing: endpoint))
      learner.localActors = actors
      learner.actorTrialsPerBatch = actorTrials
      summary = try Cluster.runLearner(
        configuration: configuration, runDirectory: options.runDirectory,
        resume: options.resume, fork: fork, options: learner, stop: stop, log: Console.line)
    }
    Console.line(summary.text)
    if baselines, configuration.task.kind != .maze, let evaluation = summary.evaluation {
      try compare(evaluation, configuration.task, seed: configuration.evaluationSeed)
    }
  }

  /// RL² beside every baseline on the instances it was evaluated on, best and ties marked.
  func compare(_ evaluation: EvaluationResult, _ setting: TaskSetting, seed: UInt64) throws {
    var harness = try HarnessFlags.parse([])
    harness.instances = evaluation.instances
    harness.tuningInstances = min(500, evaluation.instances)
    harness.seed = seed
    harness.threads = options.threads
    Console.line("baselines on the same \(evaluation.instances) test instances:")
    var result = harness.run(setting) { _ in }
    result.methods.insert(
      MethodResult(
        key: "rl2", title: "RL²", hyperparameter: "this run", returns: evaluation.returns,
        episodeMeans: evaluation.episodeMeans), at: 0)
    BaselineHarness.markBest(&result.methods)
    let paper = PaperTables.row(forSetting: result.setting)
    for method in result.methods {
      let title = method.title.padding(toLength: 10, withPad: " ", startingAt: 0)
      let reference = paper?.values[method.key].map { String(format: "  (paper %.1f)", $0) }
      Console.line(
        (method.isBestOrTied ? "* " : "  ") + title
          + String(format: " %9.2f ± %-6.2f ", method.mean, method.stderr)
          + method.hyperparameter + (reference ?? ""))
    }
  }
}

extension TrainingSummary {
  var text: String {
    String(
      format: "done: %d iterations, %d environment steps, %.1f s", iterations, environmentSteps,
      elapsedSeconds)
  }
}
