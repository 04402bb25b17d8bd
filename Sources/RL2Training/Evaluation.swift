import RL2Envs
import RL2Math
import RL2Nets

/// Mean total reward per trial over the test instances, with its standard error, and the mean
/// reward of each episode index (the within-trial learning curve).
public struct EvaluationResult: Codable, Sendable, Equatable {
  public var setting: String
  public var mean: Double
  public var stderr: Double
  public var instances: Int
  /// Mean return of episode 1, 2, …, n over the instances.
  public var episodeMeans: [Double]
  /// Mean expected return of an oracle that knows each task (the upper bound).
  public var optimalMean: Double
  /// The total return of each instance, in instance order (for t-tests against other methods).
  public var returns: [Double]
  /// The Table 3 figures of a maze evaluation (nil for bandits and MDPs).
  public var maze: MazeEvaluationReport? = nil

  enum CodingKeys: String, CodingKey {
    case setting, mean, stderr, instances
    case episodeMeans = "episode_means"
    case optimalMean = "optimal_mean"
    case returns, maze
  }
}

public enum Evaluation {
  /// Plays every instance of the set once with the stochastic policy.
  public static func evaluate<Distribution: TaskDistribution>(
    policy: RecurrentNetwork<Float>, parameters: Parameters<Float>,
    distribution: Distribution, setting: TaskSetting, seed: UInt64, instances: Int,
    encoder: TrialInputEncoder
  ) -> EvaluationResult {
    let streams = EvaluationSet.streams(seed: seed, instances: instances)
    let trajectories = Rollout.run(
      policy: policy, parameters: parameters, distribution: distribution,
      episodes: setting.episodes, streams: streams,
      encoder: encoder)
    let returns = trajectories.trialReturns
    return EvaluationResult(
      setting: setting.name, mean: Statistics.mean(returns),
      stderr: instances > 1 ? Statistics.standardError(returns) : 0, instances: instances,
      episodeMeans: trajectories.meanEpisodeReturns,
      optimalMean: Statistics.mean(trajectories.optimalReturns), returns: returns)
  }
}
