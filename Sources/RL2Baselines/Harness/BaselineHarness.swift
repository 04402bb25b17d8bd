import Dispatch
import Foundation
import RL2Envs
import RL2Math

/// How the baselines of a setting are evaluated.
public struct HarnessOptions: Sendable {
  /// Reported instances (the fixed test set every method, RL² included, plays).
  public var instances = 1000
  /// Instances of the separate tuning set the hyperparameters are chosen on.
  public var tuningInstances = 500
  public var seed = EvaluationSet.defaultSeed
  /// Worker threads (instances are split across them; results do not depend on the count).
  public var threads = ProcessInfo.processInfo.activeProcessorCount
  /// Only these method keys (nil: all).
  public var methods: Set<String>? = nil

  public init() {}
}

/// The evaluation harness shared by every method: fixed, seeded instance sets, hyperparameters
/// chosen on the tuning set, never on the reported one, mean ± standard error on the reported
/// set, and the best method marked with those not significantly worse.
///
/// Instance i of a set is driven by its stream: the task from its "task" child, the rewards and
/// transitions from "dynamics" (exactly as an RL² trial of `rl2 eval`), and the baseline's own
/// choices from "baseline".
public enum BaselineHarness {
  public static func runBandits(
    arms: Int, pulls: Int, options: HarnessOptions, cacheDirectory: URL?,
    progress: (String) -> Void
  ) -> SettingResult {
    let distribution = BernoulliBanditDistribution(arms: arms)
    let families = BanditBaselines.families(
      arms: arms, pulls: pulls, cacheDirectory: cacheDirectory)
    let players = makePlayers(families) { algorithm, stream in
      var taskRandom = stream.stream("task")
      let bandit = distribution.sampleTask(random: &taskRandom)
      var dynamics = stream.stream("dynamics")
      var random = stream.stream("baseline")
      let rewards = algorithm.play(bandit, pulls: pulls, dynamics: &dynamics, random: &random)
      return Outcome(rewards: rewards, oracle: bandit.optimalEpisodeReturn * Double(pulls))
    }
    return run(
      setting: "bandit-k\(arms)-n\(pulls)", families: players, options: options,
      progress: progress)
  }

  public static func runMDPs(
    states: Int, actions: Int, horizon: Int, episodes: Int, priorMean: Double,
    options: HarnessOptions, progress: (String) -> Void
  ) -> SettingResult {
    let distribution = RandomMDPDistribution(
      stateCount: states, actionCount: actions, horizon: horizon)
    let families = MDPBaselines.families(
      states: states, actions: actions, horizon: horizon, priorMean: priorMean)
    let players = makePlayers(families) { algorithm, stream in
      var taskRandom = stream.stream("task")
      let mdp = distribution.sampleTask(random: &taskRandom)
      var dynamics = stream.stream("dynamics")
      var random = stream.stream("baseline")
      let returns = algorithm.play(mdp, episodes: episodes, dynamics: &dynamics, random: &random)
      return Outcome(rewards: returns, oracle: mdp.optimalEpisodeReturn * Double(episodes))
    }
    return run(
      setting: "mdp-s\(states)-a\(actions)-h\(horizon)-n\(episodes)", families: players,
      options: options, progress: progress)
  }

  /// What one instance produced: the reward of every episode and the oracle's expected total.
  struct Outcome: Sendable {
    var rewards: [Double]
    var oracle: Double
  }

  typealias Player = @Sendable (RandomStream) -> Outcome

  struct PlayerFamily {
    var key: String
    var title: String
    var candidates: [(String, Player)]
  }

  /// Every candidate of every family as a player of one instance stream.
  static func makePlayers<Algorithm: Sendable>(
    _ families: [BaselineFamily<Algorithm>],
    _ play: @escaping @Sendable (Algorithm, RandomStream) -> Outcome
  ) -> [PlayerFamily] {
    families.map { family in
      PlayerFamily(
        key: family.key, title: family.title,
        candidates: family.candidates.map { candidate in
          let algorithm = candidate.algorithm
          return (candidate.hyperparameter, { stream in play(algorithm, stream) })
        })
    }
  }

  static func run(
    setting: String, families: [PlayerFamily], options: HarnessOptions,
    progress: (String) -> Void
  ) -> SettingResult {
    let start = monotonicClock()
    let tuning = EvaluationSet.tuningStreams(seed: options.seed, instances: options.tuningInstances)
    let reported = EvaluationSet.streams(seed: options.seed, instances: options.instances)
    var methods: [MethodResult] = []
    var oracleMean = 0.0
    for family in families where options.methods?.contains(family.key) ?? true {
      let familyStart = monotonicClock()
      var scores: [String: Double] = [:]
      var best = family.candidates[0]
      if family.candidates.count > 1 {
        var bestScore = -Double.infinity
        for candidate in family.candidates {
          let outcomes = play(candidate.1, tuning, threads: options.threads)
          let score = Statistics.mean(outcomes.map { $0.rewards.reduce(0, +) })
          scores[candidate.0] = score
          if score > bestScore { (best, bestScore) = (candidate, score) }
        }
      }
      let outcomes = play(best.1, reported, threads: options.threads)
      oracleMean = Statistics.mean(outcomes.map(\.oracle))
      let result = MethodResult(
        key: family.key, title: family.title, hyperparameter: best.0, outcomes: outcomes,
        tuning: scores)
      methods.append(result)
      progress(
        String(
          format: "%@  %@ (%@): %.2f ± %.2f on %d instances%@, %.1f s", setting, family.title,
          best.0, result.mean, result.stderr, options.instances,
          scores.isEmpty
            ? ""
            : ", chosen among \(scores.count) settings on \(options.tuningInstances) others",
          monotonicClock() - familyStart))
    }
    markBest(&methods)
    return SettingResult(
      setting: setting, instances: options.instances, tuningInstances: options.tuningInstances,
      seed: options.seed, oracleMean: oracleMean, methods: methods,
      seconds: monotonicClock() - start)
  }

  /// Plays every instance, split across `threads` workers; the outcome of instance i depends on
  /// its stream only.
  static func play(_ player: Player, _ streams: [RandomStream], threads: Int) -> [Outcome] {
    let results = OutcomeBuffer(count: streams.count)
    let parts = max(1, min(threads, streams.count))
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      for i in stride(from: part, to: streams.count, by: parts) {
        results.store(player(streams[i]), at: i)
      }
    }
    return results.outcomes
  }

  /// Marks the best method (highest mean) and every method not significantly worse than it:
  /// one-sided Welch t-test of "best > method" not significant at `alpha` (the paper: 0.05).
  public static func markBest(_ methods: inout [MethodResult], alpha: Double = 0.05) {
    guard let best = methods.indices.max(by: { methods[$0].mean < methods[$1].mean }) else {
      return
    }
    for i in methods.indices {
      if i == best || methods[i].returns.count < 2 || methods[best].returns.count < 2 {
        methods[i].pValueAgainstBest = i == best ? nil : methods[i].pValueAgainstBest
        methods[i].isBestOrTied = i == best
        continue
      }
      let test = WelchTest(methods[best].returns, methods[i].returns)
      methods[i].pValueAgainstBest = test.pValue
      methods[i].isBestOrTied = !test.isSignificant(at: alpha)
    }
  }
}

/// Outcomes written by the workers at disjoint indices.
final class OutcomeBuffer: @unchecked Sendable {
  private var storage: [BaselineHarness.Outcome?]
  private let lock = NSLock()

  init(count: Int) { storage = Array(repeating: nil, count: count) }

  func store(_ outcome: BaselineHarness.Outcome, at index: Int) {
    lock.withLock { storage[index] = outcome }
  }

  var outcomes: [BaselineHarness.Outcome] { lock.withLock { storage.map { $0! } } }
}

func monotonicClock() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_MONOTONIC, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}
