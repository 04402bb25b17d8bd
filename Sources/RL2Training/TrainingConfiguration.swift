import RL2Envs
import RL2Math
import RL2Nets

/// Which task distribution ρ_M a run trains on.
public struct TaskSetting: Codable, Sendable, Equatable {
  public enum Kind: String, Codable, Sendable, CaseIterable {
    case bandit, mdp, maze
  }

  public var kind: Kind
  /// Episodes per trial (n): pulls for bandits, episodes of `horizon` steps for MDPs.
  public var episodes: Int
  /// Bandit arms (k).
  public var arms = 5
  /// MDP states, actions and episode length (the paper: 10, 5, 10).
  public var states = 10
  public var actions = 5
  public var horizon = 10
  /// Maze side N in cells (the paper: 5 in training, 5 and 9 at test); the episode horizon is
  /// the paper's, 250 steps up to 5×5 and 1000 above.
  public var mazeSize = 5
  /// Maze configurations trials are drawn from (the paper: 1000 for training, 1000 for test).
  public var mazeConfigurations = MazeConfigurationSet.paperCount
  /// Steps per maze episode; nil is the paper's (`MazeTask.paperHorizon`).
  public var mazeHorizon: Int? = nil

  /// The step limit of one maze episode.
  public var mazeEpisodeHorizon: Int { mazeHorizon ?? MazeTask.paperHorizon(size: mazeSize) }

  public init(kind: Kind, episodes: Int) {
    self.kind = kind
    self.episodes = episodes
  }

  /// Steps in one trial.
  public var trialLength: Int {
    switch kind {
    case .bandit: episodes
    case .mdp: episodes * horizon
    case .maze: episodes * mazeEpisodeHorizon
    }
  }

  public var name: String {
    switch kind {
    case .bandit: "bandit-k\(arms)-n\(episodes)"
    case .mdp: "mdp-s\(states)-a\(actions)-h\(horizon)-n\(episodes)"
    case .maze: "maze-m\(mazeSize)-n\(episodes)"
    }
  }

  /// Checks the setting, naming the flag at fault.
  public func validate() throws(ConfigurationError) {
    guard episodes >= 1 else { throw .invalid("--episodes must be at least 1, got \(episodes)") }
    switch kind {
    case .bandit:
      guard arms >= 2 else { throw .invalid("--arms must be at least 2, got \(arms)") }
    case .mdp:
      guard states >= 1, actions >= 2, horizon >= 1 else {
        throw .invalid("an MDP needs states ≥ 1, actions ≥ 2 and horizon ≥ 1")
      }
    case .maze:
      guard (2...15).contains(mazeSize) else {
        throw .invalid("--maze-size must lie in 2…15 cells (the paper: 5 or 9), got \(mazeSize)")
      }
      guard (mazeHorizon ?? 1) >= 1 else {
        throw .invalid("--maze-horizon must be at least 1 step")
      }
      guard mazeConfigurations >= 1 else {
        throw .invalid("--maze-configurations must be positive, got \(mazeConfigurations)")
      }
    }
  }
}

/// A configuration value that cannot be used, with a message that names it.
public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
  case invalid(String)

  public var description: String {
    switch self {
    case .invalid(let message): message
    }
  }
}

/// Everything that defines a training run; saved as `config.json` and in every checkpoint.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
  public enum Algorithm: String, Codable, Sendable, CaseIterable {
    case trpo
    case firstOrder = "first-order"
  }

  public var task: TaskSetting
  public var algorithm = Algorithm.trpo
  /// Policy iterations (outer-loop updates).
  public var iterations = 100
  /// Environment steps collected per iteration (rounded to whole trials).
  public var batchSteps = 50_000
  /// GRU units of the policy and of the value baseline.
  public var hidden = 128
  public var seed: UInt64 = 1
  public var discount = 0.99
  public var gaeLambda = 0.3
  /// Flag d at a trial's first step: 1 as in the authors' code, 0 as in the paper.
  public var firstStepFlag = 1.0
  /// φ also holds the one-hot previous state s_{t−1} (tabular MDPs; not in the paper).
  public var previousStateInput = false
  /// φ also holds the one-hot pair (s_{t−1}, a_{t−1}) and r_{t−1} at its place (tabular MDPs;
  /// not in the paper).
  public var previousPairInput = false
  public var trpo = TRPO.Configuration()
  public var firstOrder = FirstOrderTRPO.Configuration()
  public var value = ValueBaseline.Configuration()
  /// A checkpoint every this many iterations (and always after the last).
  public var checkpointInterval = 10
  /// Checkpoints kept on disk (the newest ones).
  public var checkpointsKept = 3
  /// Test instances evaluated after training (0: none).
  public var evaluationInstances = 1000
  /// Also evaluate on the test set every this many iterations, into `evaluations.csv` (0: only
  /// after training).
  public var evaluationInterval = 0
  public var evaluationSeed: UInt64 = EvaluationSet.defaultSeed

  public init(task: TaskSetting) {
    self.task = task
  }

  /// Trials per iteration: at least one, and whole trials only.
  public var trialsPerIteration: Int { max(1, batchSteps / task.trialLength) }

  public func validate() throws(ConfigurationError) {
    try task.validate()
    guard iterations >= 0 else { throw .invalid("--iterations must be non-negative") }
    guard batchSteps >= 1 else {
      throw .invalid("--batch-steps must be positive, got \(batchSteps)")
    }
    guard hidden >= 1 else { throw .invalid("--hidden must be positive, got \(hidden)") }
    guard (0...1).contains(discount), (0...1).contains(gaeLambda) else {
      throw .invalid("discount and GAE λ must lie in [0, 1]")
    }
    guard trpo.maxKL > 0, firstOrder.maxKL > 0 else {
      throw .invalid("the KL bound must be positive")
    }
    guard value.sharedTrunkKLFraction >= 0, value.sharedTrunkKLFraction.isFinite else {
      throw .invalid(
        "--value-kl-fraction must be 0 or more, got \(value.sharedTrunkKLFraction)")
    }
    guard checkpointInterval >= 1, checkpointsKept >= 1 else {
      throw .invalid("--checkpoint-interval and the number of kept checkpoints must be positive")
    }
    guard value.epochs >= 1, value.minibatchTrials >= 1 else {
      throw .invalid("--value-epochs and --value-minibatch-trials must be positive")
    }
    guard firstOrder.epochs >= 1, firstOrder.minibatchTrials >= 1 else {
      throw .invalid("--policy-epochs and --policy-minibatch-trials must be positive")
    }
    guard firstOrder.learningRate > 0, firstOrder.learningRate.isFinite else {
      throw .invalid("--learning-rate must be positive, got \(firstOrder.learningRate)")
    }
    guard firstOrder.entropyCoefficient >= 0, firstOrder.entropyCoefficient.isFinite else {
      throw .invalid("--entropy-coefficient must be non-negative")
    }
    guard firstOrder.clipRange > 0, firstOrder.clipRange < 1 else {
      throw .invalid("--clip-range must lie in (0, 1), got \(firstOrder.clipRange)")
    }
    guard evaluationInstances >= 0 else { throw .invalid("--eval-instances must be non-negative") }
    guard evaluationInterval >= 0 else { throw .invalid("--eval-interval must be non-negative") }
    guard evaluationInterval == 0 || evaluationInstances > 0 else {
      throw .invalid("--eval-interval needs test instances: give --eval-instances more than 0")
    }
    for (isOn, flag) in [
      (previousStateInput, "--previous-state-input"), (previousPairInput, "--previous-pair-input"),
    ] where isOn && task.kind != .mdp {
      throw .invalid("\(flag) applies to --env mdp only (bandits have one state)")
    }
    guard !value.timeInput || task.kind != .maze else {
      throw .invalid(
        "--value-time-input applies to bandits and MDPs (the maze's value head shares the policy's trunk)"
      )
    }
  }
}

/// Decodes with defaults for missing keys, so files written before a setting existed load.
extension TaskSetting {
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      kind: try c.decode(Kind.self, forKey: .kind),
      episodes: try c.decode(Int.self, forKey: .episodes))
    arms = try c.decode(.arms, default: arms)
    states = try c.decode(.states, default: states)
    actions = try c.decode(.actions, default: actions)
    horizon = try c.decode(.horizon, default: horizon)
    mazeSize = try c.decode(.mazeSize, default: mazeSize)
    mazeConfigurations = try c.decode(.mazeConfigurations, default: mazeConfigurations)
    mazeHorizon = try c.decodeIfPresent(Int.self, forKey: .mazeHorizon)
  }
}

/// Decodes with defaults for missing keys, so files written before a setting existed load.
extension TrainingConfiguration {
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(task: try c.decode(TaskSetting.self, forKey: .task))
    algorithm = try c.decode(.algorithm, default: algorithm)
    iterations = try c.decode(.iterations, default: iterations)
    batchSteps = try c.decode(.batchSteps, default: batchSteps)
    hidden = try c.decode(.hidden, default: hidden)
    seed = try c.decode(.seed, default: seed)
    discount = try c.decode(.discount, default: discount)
    gaeLambda = try c.decode(.gaeLambda, default: gaeLambda)
    firstStepFlag = try c.decode(.firstStepFlag, default: firstStepFlag)
    previousStateInput = try c.decode(.previousStateInput, default: previousStateInput)
    previousPairInput = try c.decode(.previousPairInput, default: previousPairInput)
    trpo = try c.decode(.trpo, default: trpo)
    firstOrder = try c.decode(.firstOrder, default: firstOrder)
    value = try c.decode(.value, default: value)
    checkpointInterval = try c.decode(.checkpointInterval, default: checkpointInterval)
    checkpointsKept = try c.decode(.checkpointsKept, default: checkpointsKept)
    evaluationInstances = try c.decode(.evaluationInstances, default: evaluationInstances)
    evaluationSeed = try c.decode(.evaluationSeed, default: evaluationSeed)
    evaluationInterval = try c.decode(.evaluationInterval, default: evaluationInterval)
  }
}

extension TaskSetting {
  /// The setting a name stands for: "bandit-k5-n10" or "mdp-s10-a5-h10-n25".
  public init(name: String) throws(ConfigurationError) {
    let parts = name.split(separator: "-")
    func number(_ prefix: Character, at index: Int) -> Int? {
      guard index < parts.count, parts[index].first == prefix else { return nil }
      return Int(parts[index].dropFirst())
    }
    switch parts.first {
    case "bandit":
      guard parts.count == 3, let k = number("k", at: 1), let n = number("n", at: 2) else {
        throw .invalid("\(name): a bandit setting is named bandit-k<arms>-n<pulls>")
      }
      self.init(kind: .bandit, episodes: n)
      arms = k
    case "mdp":
      guard parts.count == 5, let s = number("s", at: 1), let a = number("a", at: 2),
        let h = number("h", at: 3), let n = number("n", at: 4)
      else {
        throw .invalid(
          "\(name): an MDP setting is named mdp-s<states>-a<actions>-h<horizon>-n<episodes>")
      }
      self.init(kind: .mdp, episodes: n)
      (states, actions, horizon) = (s, a, h)
    case "maze":
      guard parts.count == 3, let m = number("m", at: 1), let n = number("n", at: 2) else {
        throw .invalid("\(name): a maze setting is named maze-m<size>-n<episodes>")
      }
      self.init(kind: .maze, episodes: n)
      mazeSize = m
    default:
      throw .invalid(
        "\(name): settings are named bandit-k…-n…, mdp-s…-a…-h…-n… or maze-m…-n…")
    }
  }
}

extension TaskDistribution {
  /// The φ encoder a run with `configuration` feeds its networks.
  public func makeEncoder(_ configuration: TrainingConfiguration) -> TrialInputEncoder {
    makeEncoder(
      firstStepFlag: configuration.firstStepFlag, previousState: configuration.previousStateInput,
      previousPair: configuration.previousPairInput)
  }
}
