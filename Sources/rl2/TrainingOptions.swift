import ArgumentParser
import Foundation
import RL2Math
import RL2Training

extension TaskSetting.Kind: ExpressibleByArgument {}
extension TrainingConfiguration.Algorithm: ExpressibleByArgument {}

/// Flags that choose the task distribution, shared by the commands that need one.
struct TaskOptions: ParsableArguments {
  @Option(
    help: """
      Task distribution: bandit (Bernoulli arms, p ~ U[0,1]), mdp (random tabular MDPs) or maze \
      (first-person 40×30 views of random perfect mazes).
      """)
  var env: TaskSetting.Kind = .bandit

  @Option(help: "Bandit arms k.")
  var arms = 5

  @Option(
    help: """
      Episodes per trial n (pulls for bandits; episodes of --horizon steps for MDPs; maze \
      episodes end at the target or after 250 steps, 1000 above 5×5). Default: 10, maze 2.
      """)
  var episodes: Int?

  @Option(help: "MDP states.")
  var states = 10

  @Option(help: "MDP actions.")
  var actions = 5

  @Option(help: "MDP steps per episode.")
  var horizon = 10

  @Option(help: "Maze side in cells (the paper trains on 5, tests on 5 and 9).")
  var mazeSize = 5

  @Option(help: "Maze configurations in the training set (and in the test set).")
  var mazeConfigurations = 1000

  @Option(help: "Steps per maze episode (default: the paper's, 250 up to 5×5, 1000 above).")
  var mazeHorizon: Int?

  var setting: TaskSetting {
    var setting = TaskSetting(kind: env, episodes: episodes ?? (env == .maze ? 2 : 10))
    setting.mazeSize = mazeSize
    setting.mazeConfigurations = mazeConfigurations
    setting.mazeHorizon = mazeHorizon
    setting.arms = arms
    setting.states = states
    setting.actions = actions
    setting.horizon = horizon
    return setting
  }
}

/// The flags that define a training run, shared by `rl2 train` and `rl2 learner`.
struct TrainingOptions: ParsableArguments {
  @OptionGroup var task: TaskOptions

  @Option(help: "Outer-loop algorithm: trpo (conjugate gradient, exact Fisher) or first-order.")
  var algo: TrainingConfiguration.Algorithm = .trpo

  @Option(help: "Policy iterations in total (a resumed run continues up to this number).")
  var iterations = 100

  @Option(help: "Environment steps per iteration (rounded down to whole trials).")
  var batchSteps = 50_000

  @Option(help: "GRU units of the policy and of the value baseline. Default: 128, maze 256.")
  var hidden: Int?

  @Option(help: "Seed of the run; every random choice derives from it.")
  var seed: UInt64 = 1

  @Option(help: "Discount γ over the whole trial.")
  var discount = 0.99

  @Option(help: "GAE λ. Default: the paper's, 0.3 for bandits and MDPs, 0.99 for the maze.")
  var gaeLambda: Double?

  @Option(help: "Mean-KL bound δ of a policy step.")
  var maxKL = 0.01

  @Option(help: "Share of each batch's trials the Fisher-vector products of TRPO run on (1: all).")
  var fisherSubsample = 0.2

  @Option(help: "Adam learning rate of the first-order policy update.")
  var learningRate = 1e-3

  @Option(help: "Clip range ε of the first-order surrogate's ratio.")
  var clipRange = 0.1

  @Option(help: "Entropy bonus c·H of the first-order update's Adam steps (0: none, as the paper).")
  var entropyCoefficient = 0.0

  @Option(help: "Passes over each batch in the first-order policy update.")
  var policyEpochs = 5

  @Option(
    help: """
      Trials per Adam step of the first-order policy update (whole trials, full BPTT). \
      Default: 128, maze 16.
      """)
  var policyMinibatchTrials: Int?

  @Option(help: "Passes over each batch when fitting the value baseline. Default: 5, maze 2.")
  var valueEpochs: Int?

  @Option(help: "Trials per Adam step of the value baseline. Default: 128, maze 16.")
  var valueMinibatchTrials: Int?

  @Option(
    help: """
      Maze (shared trunk): the value fit may move the policy by at most this share of \
      --max-kl in mean KL; 1 lets it move the policy as far as the policy step does.
      """)
  var valueKLFraction = 1.0

  @Option(help: "Termination flag fed at a trial's first step: 1 (authors' code) or 0 (paper).")
  var firstStepFlag = 1.0

  @Flag(
    help: """
      MDPs: the input φ also holds the one-hot previous state, so every step shows the whole \
      transition (s, a, r, s') (not in the paper, whose φ has the current state only).
      """)
  var previousStateInput = false

  @Flag(
    help: """
      MDPs: the input φ also holds the one-hot of the previous step's (state, action) pair and \
      its reward written at that pair's place (2·|S|·|A| values; not in the paper), so the GRU \
      can file a reward under its pair through its input weights alone.
      """)
  var previousPairInput = false

  @Flag(
    help: """
      Bandits and MDPs: the value baseline's GRU also reads the step's place in the trial \
      (t / T and the one-hot step within its episode; not in the paper). The policy's input is \
      unchanged.
      """)
  var valueTimeInput = false

  @Option(help: "Run directory (default: runs/<setting>-<algo>-seed<seed>).")
  var runDir: String?

  @Flag(help: "Continue from the newest checkpoint in the run directory.")
  var resume = false

  @Option(
    help: ArgumentHelp(
      """
      Start a new run in --run-dir from this checkpoint of another run: its networks, baseline, \
      optimizer moments and iteration count, trained under the checkpoint's configuration with \
      the run flags given here changed (e.g. --learning-rate 5e-4; not the networks' shape). \
      Writes fork.json (source and changes) and carries the parent's progress.csv over; \
      continue the fork itself with --resume.
      """, valueName: "checkpoint"))
  var fork: String?

  @Option(help: "Checkpoint every this many iterations (and after the last).")
  var checkpointInterval = 10

  @Option(help: "Test instances evaluated after training (0 skips the evaluation).")
  var evalInstances = 1000

  @Option(
    help: """
      Also evaluate the policy on the --eval-instances test instances every this many \
      iterations, into evaluations.csv (0: only after training). A curve to watch, not to pick \
      the best checkpoint from: report a checkpoint chosen in advance, or confirm on fresh \
      instances (rl2 eval --seed).
      """)
  var evalInterval = 0

  @Option(help: "BLAS threads and rollout workers; 0 uses every core.")
  var threads = 0

  func validate() throws {
    if threads < 0 { throw ValidationError("--threads must be 0 (every core) or positive") }
    if fork != nil {
      if resume {
        throw ValidationError(
          "--fork starts a new run and --resume continues one: give one of them")
      }
      if runDir == nil { throw ValidationError("--fork needs --run-dir for the new run") }
    }
    do {
      try makeConfiguration().validate()
    } catch {
      throw ValidationError(error.description)
    }
  }

  func makeConfiguration() -> TrainingConfiguration {
    var configuration = TrainingConfiguration(task: task.setting)
    configuration.algorithm = algo
    configuration.iterations = iterations
    configuration.batchSteps = batchSteps
    let isMaze = task.env == .maze
    configuration.hidden = hidden ?? (isMaze ? 256 : 128)
    configuration.seed = seed
    configuration.discount = discount
    configuration.gaeLambda = gaeLambda ?? (isMaze ? 0.99 : 0.3)
    configuration.trpo.maxKL = maxKL
    configuration.firstOrder.maxKL = maxKL
    configuration.trpo.fisherSubsample = fisherSubsample
    configuration.firstOrder.learningRate = learningRate
    configuration.firstOrder.clipRange = clipRange
    configuration.firstOrder.entropyCoefficient = entropyCoefficient
    configuration.firstOrder.epochs = policyEpochs
    // A maze batch holds about 100 trials of up to 500 steps (not thousands of short ones), and
    // its value fit runs through the whole conv–GRU: fewer, smaller steps.
    configuration.firstOrder.minibatchTrials = policyMinibatchTrials ?? (isMaze ? 16 : 128)
    configuration.value.epochs = valueEpochs ?? (isMaze ? 2 : 5)
    configuration.value.minibatchTrials = valueMinibatchTrials ?? (isMaze ? 16 : 128)
    configuration.value.sharedTrunkKLFraction = valueKLFraction
    configuration.firstStepFlag = firstStepFlag
    configuration.previousStateInput = previousStateInput
    configuration.previousPairInput = previousPairInput
    configuration.value.timeInput = valueTimeInput
    configuration.checkpointInterval = checkpointInterval
    configuration.evaluationInstances = evalInstances
    configuration.evaluationInterval = evalInterval
    return configuration
  }

  /// Flags that shape a run's trajectory (everything but how long it runs, how often it
  /// checkpoints, how it is evaluated, where it lives and how many threads it uses), each with
  /// the settings it writes: a fork copies those of the flags given onto the parent's
  /// configuration.
  static let runFlagSettings:
    [String: @Sendable (inout TrainingConfiguration, TrainingConfiguration) -> Void] =
      [
        "--env": { $0.task.kind = $1.task.kind },
        "--arms": { $0.task.arms = $1.task.arms },
        "--episodes": { $0.task.episodes = $1.task.episodes },
        "--states": { $0.task.states = $1.task.states },
        "--actions": { $0.task.actions = $1.task.actions },
        "--horizon": { $0.task.horizon = $1.task.horizon },
        "--maze-size": { $0.task.mazeSize = $1.task.mazeSize },
        "--maze-configurations": { $0.task.mazeConfigurations = $1.task.mazeConfigurations },
        "--maze-horizon": { $0.task.mazeHorizon = $1.task.mazeHorizon },
        "--algo": { $0.algorithm = $1.algorithm },
        "--batch-steps": { $0.batchSteps = $1.batchSteps },
        "--hidden": { $0.hidden = $1.hidden },
        "--seed": { $0.seed = $1.seed },
        "--discount": { $0.discount = $1.discount },
        "--gae-lambda": { $0.gaeLambda = $1.gaeLambda },
        "--max-kl": {
          $0.trpo.maxKL = $1.trpo.maxKL
          $0.firstOrder.maxKL = $1.firstOrder.maxKL
        },
        "--fisher-subsample": { $0.trpo.fisherSubsample = $1.trpo.fisherSubsample },
        "--learning-rate": { $0.firstOrder.learningRate = $1.firstOrder.learningRate },
        "--clip-range": { $0.firstOrder.clipRange = $1.firstOrder.clipRange },
        "--entropy-coefficient": {
          $0.firstOrder.entropyCoefficient = $1.firstOrder.entropyCoefficient
        },
        "--policy-epochs": { $0.firstOrder.epochs = $1.firstOrder.epochs },
        "--policy-minibatch-trials": {
          $0.firstOrder.minibatchTrials = $1.firstOrder.minibatchTrials
        },
        "--value-epochs": { $0.value.epochs = $1.value.epochs },
        "--value-minibatch-trials": { $0.value.minibatchTrials = $1.value.minibatchTrials },
        "--value-kl-fraction": {
          $0.value.sharedTrunkKLFraction = $1.value.sharedTrunkKLFraction
        },
        "--first-step-flag": { $0.firstStepFlag = $1.firstStepFlag },
        "--previous-state-input": { $0.previousStateInput = $1.previousStateInput },
        "--previous-pair-input": { $0.previousPairInput = $1.previousPairInput },
        "--value-time-input": { $0.value.timeInput = $1.value.timeInput },
      ]

  static var runFlags: Set<String> { Set(runFlagSettings.keys) }

  /// Flags a resumed or forked run takes from the command line over its saved configuration:
  /// how long it runs, how often it checkpoints, how it is evaluated.
  static let operationalFlagSettings:
    [String: @Sendable (inout TrainingConfiguration, TrainingConfiguration) -> Void] = [
      "--iterations": { $0.iterations = $1.iterations },
      "--checkpoint-interval": { $0.checkpointInterval = $1.checkpointInterval },
      "--eval-instances": { $0.evaluationInstances = $1.evaluationInstances },
      "--eval-interval": { $0.evaluationInterval = $1.evaluationInterval },
    ]

  /// The checkpoint --fork names, loaded; nil without --fork.
  func loadFork() throws -> RunFork? {
    guard let fork else { return nil }
    do {
      return try RunFork(url: URL(fileURLWithPath: fork))
    } catch {
      throw ValidationError("--fork: \(error)")
    }
  }

  /// The configuration to train with. With --resume, a run directory holding `config.json`
  /// and none of `runFlags` on the command line, the run's own configuration, so
  /// `rl2 train --run-dir R --resume --iterations 500` continues any run; --iterations,
  /// --checkpoint-interval, --eval-instances and --eval-interval still apply. When run flags
  /// are given they are used, and the trainer checks them against the run. With `fork`, the
  /// fork's configuration with the run flags given (and those four) changed.
  func resolvedConfiguration(
    arguments: [String] = CommandLine.arguments, fork: RunFork? = nil
  ) throws -> TrainingConfiguration {
    let requested = makeConfiguration()
    let url = runDirectory.appendingPathComponent("config.json")
    let given = Set(
      arguments.filter { $0.hasPrefix("--") }.map {
        String($0.split(separator: "=", maxSplits: 1)[0])
      })
    var saved: TrainingConfiguration
    if let fork {
      saved = fork.checkpoint.configuration
      for flag in given { Self.runFlagSettings[flag]?(&saved, requested) }
      do {
        try saved.validate()
      } catch {
        throw ValidationError("the forked configuration: \(error.description)")
      }
    } else {
      guard resume, given.isDisjoint(with: Self.runFlags),
        FileManager.default.fileExists(atPath: url.path)
      else { return requested }
      do {
        saved = try JSONDecoder().decode(TrainingConfiguration.self, from: Data(contentsOf: url))
      } catch {
        throw ValidationError("cannot read the run's configuration \(url.path): \(error)")
      }
    }
    for flag in given { Self.operationalFlagSettings[flag]?(&saved, requested) }
    return saved
  }

  /// The run directory asked for, or runs/<setting>-<algo>-seed<seed>.
  var runDirectory: URL {
    URL(fileURLWithPath: runDir ?? "runs/\(task.setting.name)-\(algo.rawValue)-seed\(seed)")
  }

  func applyThreads() {
    BLAS.threadCount = threads > 0 ? threads : BLAS.coreCount
  }
}
