import RL2Math

/// The fixed, seeded test instances every method plays: instance i is the trial driven by
/// `stream(i)` (its task from the "task" child, its dynamics from "dynamics"), so RL² checkpoints
/// and hand-designed baselines meet exactly the same tasks and the same reward draws.
public enum EvaluationSet {
  /// The default seed of the reported sets (the paper's arXiv date).
  public static let defaultSeed: UInt64 = 2016_11_02

  public static func streams(seed: UInt64, instances: Int) -> [RandomStream] {
    (0..<instances).map { stream(seed: seed, instance: $0) }
  }

  /// The stream of instance `instance` alone (what `streams` holds at that index).
  public static func stream(seed: UInt64, instance: Int) -> RandomStream {
    RandomStream(seed: seed).stream("evaluation").stream(UInt64(instance))
  }

  /// Instances for choosing hyperparameters: a separate family of streams under the same seed,
  /// disjoint from the reported instances, so no method is tuned on the set it is judged on.
  public static func tuningStreams(seed: UInt64, instances: Int) -> [RandomStream] {
    let root = RandomStream(seed: seed).stream("tuning")
    return (0..<instances).map { root.stream(UInt64($0)) }
  }
}
