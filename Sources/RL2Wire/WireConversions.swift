import Foundation
import RL2Math
import RL2Training

/// Why an incoming message was refused; every rejection is logged and counted with this text.
public struct WireRejection: Error, CustomStringConvertible, Equatable {
  public let reason: String
  public init(_ reason: String) { self.reason = reason }
  public var description: String { reason }
}

/// What a batch must match to be usable by this learner.
public struct BatchExpectation: Sendable, Equatable {
  public var inputWidth: Int
  public var actionCount: Int
  public var episodesPerTrial: Int
  /// Upper bounds that keep a hostile message from asking for unbounded memory.
  public var maximumSteps: Int
  public var maximumTrials: Int

  public init(
    inputWidth: Int, actionCount: Int, episodesPerTrial: Int, maximumSteps: Int,
    maximumTrials: Int = 1 << 16
  ) {
    self.inputWidth = inputWidth
    self.actionCount = actionCount
    self.episodesPerTrial = episodesPerTrial
    self.maximumSteps = maximumSteps
    self.maximumTrials = maximumTrials
  }
}

extension Rl2_V1_Weights {
  /// A weights message for θ, with its CRC-32C.
  public init(version: UInt64, learnerIncarnation: UInt64, values: [Float]) {
    self.init()
    self.version = version
    self.learnerIncarnation = learnerIncarnation
    parameterCount = UInt32(values.count)
    self.values = RawTensors.encode(values)
    checksum = CRC32C.checksum(self.values)
  }

  /// θ, after checking the count, the checksum and that every value is finite.
  public func validatedValues(expectedCount: Int) throws(WireRejection) -> [Float] {
    guard Int(parameterCount) == expectedCount else {
      throw WireRejection(
        "weights carry \(parameterCount) parameters, the network has \(expectedCount)")
    }
    guard values.count == expectedCount * 4 else {
      throw WireRejection(
        "weights hold \(values.count) bytes, \(expectedCount) float32 need \(expectedCount * 4)")
    }
    guard CRC32C.checksum(values) == checksum else {
      throw WireRejection("weights checksum mismatch (version \(version))")
    }
    let floats = RawTensors.floats(values)
    guard floats.allSatisfy(\.isFinite) else {
      throw WireRejection("weights version \(version) contain non-finite values")
    }
    return floats
  }
}

/// Where a batch came from.
public struct BatchOrigin: Sendable, Equatable {
  public var actorID: String
  public var actorIncarnation: UInt64
  public var learnerIncarnation: UInt64
  public var weightsVersion: UInt64
  public var sequence: UInt64
  public var trialIDs: [UInt64]
  public var taskSeeds: [UInt64]

  public init(
    actorID: String, actorIncarnation: UInt64, learnerIncarnation: UInt64, weightsVersion: UInt64,
    sequence: UInt64, trialIDs: [UInt64], taskSeeds: [UInt64]
  ) {
    self.actorID = actorID
    self.actorIncarnation = actorIncarnation
    self.learnerIncarnation = learnerIncarnation
    self.weightsVersion = weightsVersion
    self.sequence = sequence
    self.trialIDs = trialIDs
    self.taskSeeds = taskSeeds
  }
}

extension Rl2_V1_TrialBatch {
  /// The wire form of a batch of trials (structure of arrays as raw bytes).
  public init(_ trajectories: Trajectories, origin: BatchOrigin) {
    self.init()
    actorID = origin.actorID
    actorIncarnation = origin.actorIncarnation
    learnerIncarnation = origin.learnerIncarnation
    weightsVersion = origin.weightsVersion
    sequence = origin.sequence
    trialIds = origin.trialIDs
    taskSeeds = origin.taskSeeds
    trialCount = UInt32(trajectories.trialCount)
    stepCount = UInt32(trajectories.stepCount)
    inputWidth = UInt32(trajectories.inputs.shape[2])
    actionCount = UInt32(trajectories.actionCount)
    episodesPerTrial = UInt32(trajectories.episodeReturns.first?.count ?? 0)
    inputs = RawTensors.encode(trajectories.inputs.scalars)
    actions = RawTensors.encode(trajectories.actions.map { Int32($0) })
    rewards = RawTensors.encode(trajectories.rewards)
    episodeEnded = RawTensors.encode(trajectories.episodeEnded)
    live = RawTensors.encode(trajectories.live)
    behaviourLogProbabilities = RawTensors.encode(trajectories.behaviourLogProbabilities)
    episodeReturns = RawTensors.encode(trajectories.episodeReturns.flatMap { $0 })
    optimalReturns = RawTensors.encode(trajectories.optimalReturns)
  }

  public var origin: BatchOrigin {
    BatchOrigin(
      actorID: actorID, actorIncarnation: actorIncarnation, learnerIncarnation: learnerIncarnation,
      weightsVersion: weightsVersion, sequence: sequence, trialIDs: trialIds, taskSeeds: taskSeeds)
  }

  /// The trajectories, after checking every count, byte length, range and number; a batch that
  /// fails any check is refused whole with the first reason found.
  public func validatedTrajectories(
    _ expected: BatchExpectation
  ) throws(WireRejection) -> Trajectories {
    let (T, B, I, A, n) = (
      Int(stepCount), Int(trialCount), Int(inputWidth), Int(actionCount), Int(episodesPerTrial)
    )
    try checkShape(T: T, B: B, I: I, A: A, n: n, expected)
    let rows = T * B
    try checkLength(inputs, rows * I * 4, "inputs")
    try checkLength(actions, rows * 4, "actions")
    try checkLength(rewards, rows * 4, "rewards")
    try checkLength(episodeEnded, rows, "episode_ended")
    try checkLength(live, rows, "live")
    try checkLength(behaviourLogProbabilities, rows * 4, "behaviour_log_probabilities")
    try checkLength(episodeReturns, B * n * 8, "episode_returns")
    try checkLength(optimalReturns, B * 8, "optimal_returns")
    var trajectories = Trajectories(
      stepCount: T, trialCount: B, inputWidth: I, actionCount: A, episodes: n)
    trajectories.inputs = Tensor(shape: [T, B, I], scalars: RawTensors.floats(inputs))
    trajectories.live = try flags(live, "live")
    trajectories.episodeEnded = try flags(episodeEnded, "episode_ended")
    trajectories.actions = try validatedActions(live: trajectories.live, A)
    trajectories.rewards = RawTensors.floats(rewards)
    trajectories.behaviourLogProbabilities = RawTensors.floats(behaviourLogProbabilities)
    let returns = RawTensors.doubles(episodeReturns)
    trajectories.episodeReturns = (0..<B).map { Array(returns[($0 * n)..<(($0 + 1) * n)]) }
    trajectories.optimalReturns = RawTensors.doubles(optimalReturns)
    try checkNumbers(trajectories)
    return trajectories
  }

  private func checkShape(
    T: Int, B: Int, I: Int, A: Int, n: Int, _ expected: BatchExpectation
  ) throws(WireRejection) {
    guard B >= 1, B <= expected.maximumTrials else {
      throw WireRejection("trial_count \(B) outside 1...\(expected.maximumTrials)")
    }
    guard T >= 1, T <= expected.maximumSteps else {
      throw WireRejection("step_count \(T) outside 1...\(expected.maximumSteps)")
    }
    guard I == expected.inputWidth else {
      throw WireRejection("input_width \(I), the policy takes \(expected.inputWidth)")
    }
    guard A == expected.actionCount else {
      throw WireRejection("action_count \(A), the task has \(expected.actionCount)")
    }
    guard n == expected.episodesPerTrial else {
      throw WireRejection("episodes_per_trial \(n), the run uses \(expected.episodesPerTrial)")
    }
    guard trialIds.count == B, taskSeeds.count == B else {
      throw WireRejection(
        "\(trialIds.count) trial ids and \(taskSeeds.count) task seeds for \(B) trials")
    }
  }

  private func checkLength(_ data: Data, _ expected: Int, _ name: String) throws(WireRejection) {
    guard data.count == expected else {
      throw WireRejection("\(name) holds \(data.count) bytes, the shape needs \(expected)")
    }
  }

  private func flags(_ data: Data, _ name: String) throws(WireRejection) -> [Bool] {
    var result = [Bool]()
    result.reserveCapacity(data.count)
    for byte in data {
      guard byte <= 1 else { throw WireRejection("\(name) holds \(byte), flags are 0 or 1") }
      result.append(byte == 1)
    }
    return result
  }

  private func validatedActions(live: [Bool], _ A: Int) throws(WireRejection) -> [Int] {
    let raw = RawTensors.int32s(actions)
    var result = [Int](repeating: 0, count: raw.count)
    for (i, action) in raw.enumerated() {
      guard !live[i] || (action >= 0 && Int(action) < A) else {
        throw WireRejection("action \(action) at row \(i) outside 0..<\(A)")
      }
      result[i] = live[i] ? Int(action) : 0
    }
    return result
  }

  private func checkNumbers(_ t: Trajectories) throws(WireRejection) {
    guard t.inputs.scalars.allSatisfy(\.isFinite) else {
      throw WireRejection("inputs are not all finite")
    }
    guard t.rewards.allSatisfy(\.isFinite) else {
      throw WireRejection("rewards are not all finite")
    }
    for (i, logP) in t.behaviourLogProbabilities.enumerated() where t.live[i] {
      guard logP.isFinite, logP <= 1e-4 else {
        throw WireRejection(
          "behaviour log-probability \(logP) at row \(i) is not a log-probability")
      }
    }
    guard t.episodeReturns.allSatisfy({ $0.allSatisfy(\.isFinite) }),
      t.optimalReturns.allSatisfy(\.isFinite)
    else { throw WireRejection("episode statistics are not all finite") }
  }
}
