import RL2Envs
import RL2Math
import RL2Nets

/// Where an iteration's trials come from: sampled in this process (`LocalTrialSource`), or — in a
/// distributed run — received from actor processes. The learner's update is the same either way.
public protocol TrialSource {
  /// The trials of `iteration`, produced by the policy θ = `parameters` of `weightsVersion`.
  mutating func trials(
    iteration: Int, weightsVersion: Int, parameters: Parameters<Float>
  ) throws -> Trajectories

  /// Figures about the last `trials` call for `progress.csv` (live actors, late batches, …).
  var iterationMetrics: [String: Double] { get }
}

extension TrialSource {
  public var iterationMetrics: [String: Double] { [:] }
}

/// Thrown by a source when the run was asked to stop while it waited for trials; the trainer
/// checkpoints the last finished iteration and returns.
public struct TrialCollectionInterrupted: Error, CustomStringConvertible {
  public init() {}
  public var description: String { "stopped while collecting trials" }
}

/// Samples each iteration's trials in this process, across the machine's cores. Trial b of
/// iteration i is driven by the stream `iteration`/i/b of the run's root stream.
public struct LocalTrialSource<Distribution: TaskDistribution>: TrialSource {
  public let distribution: Distribution
  public let policy: RecurrentNetwork<Float>
  public let episodes: Int
  public let encoder: TrialInputEncoder
  public let trialsPerIteration: Int
  public let random: RandomStream

  public init(
    distribution: Distribution, policy: RecurrentNetwork<Float>, episodes: Int,
    encoder: TrialInputEncoder, trialsPerIteration: Int, random: RandomStream
  ) {
    self.distribution = distribution
    self.policy = policy
    self.episodes = episodes
    self.encoder = encoder
    self.trialsPerIteration = trialsPerIteration
    self.random = random
  }

  public func trials(
    iteration: Int, weightsVersion: Int, parameters: Parameters<Float>
  ) -> Trajectories {
    let iterationRandom = random.stream("iteration").stream(UInt64(iteration))
    let streams = (0..<trialsPerIteration).map { iterationRandom.stream(UInt64($0)) }
    return Rollout.run(
      policy: policy, parameters: parameters, distribution: distribution, episodes: episodes,
      streams: streams, encoder: encoder)
  }
}
