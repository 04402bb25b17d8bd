import Foundation
import RL2Math

/// One method's result on a setting's reported instances.
public struct MethodResult: Codable, Sendable, Equatable {
  /// "ucb1", "gittins", "rl2", …
  public var key: String
  public var title: String
  /// The setting kept (chosen on the tuning set), or "none", or a checkpoint's path for RL².
  public var hyperparameter: String
  public var mean: Double
  public var stderr: Double
  /// Mean reward of episode (or pull) 1, 2, …, n.
  public var episodeMeans: [Double]
  /// Mean total reward on the tuning set of every candidate setting (empty: nothing to tune).
  public var tuning: [String: Double]
  /// The total reward of every reported instance, in instance order (for the t-tests).
  public var returns: [Double]
  /// The best method of the setting, or not significantly worse than it.
  public var isBestOrTied = false
  /// One-sided Welch p-value of "the best method is better than this one".
  public var pValueAgainstBest: Double?

  public init(
    key: String, title: String, hyperparameter: String, returns: [Double],
    episodeMeans: [Double], tuning: [String: Double] = [:]
  ) {
    self.key = key
    self.title = title
    self.hyperparameter = hyperparameter
    self.returns = returns
    self.episodeMeans = episodeMeans
    self.tuning = tuning
    mean = Statistics.mean(returns)
    stderr = returns.count > 1 ? Statistics.standardError(returns) : 0
  }

  init(
    key: String, title: String, hyperparameter: String, outcomes: [BaselineHarness.Outcome],
    tuning: [String: Double]
  ) {
    let n = outcomes.first?.rewards.count ?? 0
    let episodeMeans = (0..<n).map { e in Statistics.mean(outcomes.map { $0.rewards[e] }) }
    self.init(
      key: key, title: title, hyperparameter: hyperparameter,
      returns: outcomes.map { $0.rewards.reduce(0, +) }, episodeMeans: episodeMeans,
      tuning: tuning)
  }

  enum CodingKeys: String, CodingKey {
    case key, title, hyperparameter, mean, stderr, tuning, returns
    case episodeMeans = "episode_means"
    case isBestOrTied = "best_or_tied"
    case pValueAgainstBest = "p_value_against_best"
  }
}

/// Every method's result on one setting (one cell row of a table).
public struct SettingResult: Codable, Sendable, Equatable {
  /// "bandit-k5-n10", "mdp-s10-a5-h10-n10", the names of `rl2 train` runs.
  public var setting: String
  public var instances: Int
  public var tuningInstances: Int
  public var seed: UInt64
  /// Mean expected total of an oracle that knows each task.
  public var oracleMean: Double
  public var methods: [MethodResult]
  public var seconds: Double

  public func method(_ key: String) -> MethodResult? { methods.first { $0.key == key } }

  /// The `rl2 baselines --json` object: {"setting": …, "methods": {"ucb1": {"mean", "stderr",
  /// "hyperparameter", …}}}; per-instance returns only when `includingReturns`.
  public func jsonObject(includingReturns: Bool) -> [String: Any] {
    var methodsObject: [String: Any] = [:]
    for method in methods {
      var object: [String: Any] = [
        "title": method.title, "mean": method.mean, "stderr": method.stderr,
        "hyperparameter": method.hyperparameter, "best_or_tied": method.isBestOrTied,
        "episode_means": method.episodeMeans,
      ]
      if !method.tuning.isEmpty { object["tuning"] = method.tuning }
      if let p = method.pValueAgainstBest { object["p_value_against_best"] = p }
      if includingReturns { object["returns"] = method.returns }
      methodsObject[method.key] = object
    }
    return [
      "setting": setting, "instances": instances, "tuning_instances": tuningInstances,
      "seed": seed, "oracle_mean": oracleMean, "seconds": seconds, "methods": methodsObject,
    ]
  }
}
