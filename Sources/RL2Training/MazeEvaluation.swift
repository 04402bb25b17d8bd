import RL2Envs
import RL2Math
import RL2Nets

/// The paper's Table 3 figures of one evaluation, per episode index (arrays start at episode 1),
/// as `rl2 eval --env maze --json` prints them.
public struct MazeEvaluationReport: Codable, Sendable, Equatable {
  public var configurations: Int
  public var successRate: [Double]
  /// Mean length of the successful trajectories, and its standard error.
  public var meanLength: [Double]
  public var meanLengthStderr: [Double]
  /// Among configurations whose episodes 1 and 2 both succeeded, the share where episode 2
  /// was no longer than episode 1 (nil with fewer than two episodes or no such configuration).
  public var improvedShare: Double?
  public var improvedBasis: Int

  enum CodingKeys: String, CodingKey {
    case configurations
    case successRate = "success_rate"
    case meanLength = "mean_length"
    case meanLengthStderr = "mean_length_stderr"
    case improvedShare = "improved_share"
    case improvedBasis = "improved_basis"
  }

  public init(_ metrics: MazeEvaluationMetrics) {
    configurations = metrics.configurations
    successRate = metrics.episodes.map(\.successRate)
    meanLength = metrics.episodes.map(\.meanSuccessfulLength)
    meanLengthStderr = metrics.episodes.map(\.successfulLengthStandardError)
    improvedShare = metrics.improvedShare
    improvedBasis = metrics.improvedBasis
  }

  /// "success 41.0% 55.3% · length 120.4 ± 3.1, 98.2 ± 2.9 · episode 2 ≤ 1 in 61.2%".
  public var summary: String {
    let success = successRate.map { String(format: "%.1f%%", 100 * $0) }.joined(separator: " ")
    let lengths = zip(meanLength, meanLengthStderr).map { String(format: "%.1f ± %.1f", $0, $1) }
    let improved = improvedShare.map { String(format: " · episode 2 ≤ 1 in %.1f%%", 100 * $0) }
    return "success \(success) · length \(lengths.joined(separator: ", "))\(improved ?? "")"
  }
}

public enum MazeEvaluation {
  /// Plays test configurations 0, 1, … (`instances` of them; ids wrap past the set's size) once
  /// each with the stochastic policy, trial i's start poses and actions from
  /// `EvaluationSet.streams(seed:instances:)[i]`.
  public static func evaluate(
    network: VisionNetwork<Float>, parameters: Parameters<Float>, setting: TaskSetting,
    seed: UInt64, instances: Int, firstStepFlag: Float
  ) -> EvaluationResult {
    let set = MazeConfigurationSet.test(size: setting.mazeSize, count: setting.mazeConfigurations)
    let result = MazeRollout.run(
      network: network, parameters: parameters,
      configurations: (0..<instances).map { set.configuration(id: $0 % set.count) },
      episodes: setting.episodes, horizon: setting.mazeEpisodeHorizon,
      streams: EvaluationSet.streams(seed: seed, instances: instances),
      firstStepFlag: firstStepFlag)
    let returns = result.trajectories.trialReturns
    var evaluation = EvaluationResult(
      setting: setting.name, mean: Statistics.mean(returns),
      stderr: instances > 1 ? Statistics.standardError(returns) : 0, instances: instances,
      episodeMeans: result.trajectories.meanEpisodeReturns, optimalMean: 0, returns: returns)
    evaluation.maze = MazeEvaluationReport(
      MazeEvaluationMetrics(result.outcomes, episodesPerTrial: setting.episodes))
    return evaluation
  }

  /// Each trial's episode lengths and successes read back from its steps: an episode ends at a
  /// step flagged `episodeEnded`, and succeeded when that step paid the target's reward (the
  /// only positive reward of a maze). Actors' batches carry no outcomes; this recovers them.
  public static func outcomes(of trajectories: Trajectories) -> [ConfigurationOutcome] {
    let (T, B) = (trajectories.stepCount, trajectories.trialCount)
    return (0..<B).map { b in
      let returns = trajectories.episodeReturns[b]
      var lengths = [Int](repeating: 0, count: returns.count)
      var successes = [Bool](repeating: false, count: returns.count)
      var episode = 0
      for t in 0..<T where trajectories.live[t * B + b] && episode < returns.count {
        lengths[episode] += 1
        guard trajectories.episodeEnded[t * B + b] else { continue }
        successes[episode] = trajectories.rewards[t * B + b] > 0
        episode += 1
      }
      return ConfigurationOutcome(
        configurationID: b, episodeLengths: lengths, successes: successes,
        episodeReturns: returns)
    }
  }

  /// Per-episode success rate and mean successful length, for `progress.csv`.
  static func progressColumns(_ metrics: MazeEvaluationMetrics) -> [String: Double] {
    var columns: [String: Double] = [:]
    for (k, episode) in metrics.episodes.enumerated() {
      columns["success_rate_\(k + 1)"] = episode.successRate
      columns["success_length_\(k + 1)"] = episode.meanSuccessfulLength
    }
    return columns
  }
}
