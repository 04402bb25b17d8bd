import Foundation
import RL2Envs
import RL2Math
import RL2Nets
import XCTest

@testable import RL2Training

// Legend: T steps, B trials, I input width (φ), H hidden, A actions. Step-indexed arrays are
// time-major (trial b, step t at t·B + b).

/// Tiny policies and batches shared by the learner tests: small enough that a whole test runs in
/// milliseconds in a debug build, every random input drawn from a seeded `RandomStream`.
enum Fixtures {
  static let bandits = BernoulliBanditDistribution(arms: 3)
  /// Corridors whose episodes can end early, so trials have different lengths.
  static let corridors = CorridorDistribution(length: 3, horizon: 4)

  /// A freshly initialized policy for `distribution` with `hidden` GRU units.
  static func policy<D: TaskDistribution>(
    for distribution: D, hidden: Int, seed: UInt64, firstStepFlag: Double = 1
  ) -> (RecurrentNetwork<Float>, Parameters<Float>, TrialInputEncoder) {
    let encoder = distribution.makeEncoder(firstStepFlag: firstStepFlag)
    let policy = RecurrentNetwork<Float>.policy(
      inputCount: encoder.width, hiddenCount: hidden, actionCount: distribution.actionCount)
    var random = RandomStream(seed: seed).stream("initialization")
    return (policy, policy.makeParameters(random: &random), encoder)
  }

  /// The streams of `count` trials, children of one seeded root.
  static func streams(seed: UInt64, count: Int) -> [RandomStream] {
    let root = RandomStream(seed: seed).stream("trials")
    return (0..<count).map { root.stream(UInt64($0)) }
  }

  /// A batch of `trials` trials of `episodes` pulls of a 3-armed bandit under a fresh policy.
  static func banditBatch(
    trials: Int, episodes: Int, hidden: Int, seed: UInt64
  ) -> (RecurrentNetwork<Float>, Parameters<Float>, Trajectories) {
    let (policy, parameters, encoder) = policy(for: bandits, hidden: hidden, seed: seed)
    let trajectories = Rollout.run(
      policy: policy, parameters: parameters, distribution: bandits, episodes: episodes,
      streams: streams(seed: seed, count: trials), encoder: encoder)
    return (policy, parameters, trajectories)
  }

  /// Standard-normal values on live steps, normalized there; 0 elsewhere.
  static func randomAdvantages(_ trajectories: Trajectories, seed: UInt64) -> [Float] {
    var random = RandomStream(seed: seed).stream("advantages")
    let values = trajectories.live.map { $0 ? Float(random.normal()) : 0 }
    return Advantages.normalized(values, live: trajectories.live)
  }

  /// A fresh, uniquely named folder under the temporary directory.
  static func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("RL2TrainingTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

/// Recomputations of what the learner measures, written directly from the definitions.
enum Reference {
  /// Logits [T·B, A] of the whole batch at `parameters`, from one batched forward pass.
  static func logits(
    _ policy: RecurrentNetwork<Float>, _ parameters: Parameters<Float>,
    _ trajectories: Trajectories
  ) -> Tensor<Float> {
    let (outputs, _) = policy.forward(trajectories.inputs, live: trajectories.live, parameters)
    return outputs.reshaped([trajectories.stepCount * trajectories.trialCount, policy.outputCount])
  }

  /// (1/N) Σ_live KL(π_old ‖ π_new), in Double and accurate even for tiny steps: with
  /// dⱼ = l_new,j − l_old,j and d̄ = Σⱼ π_old,j dⱼ,
  ///
  ///     KL = log Σⱼ π_old,j e^(dⱼ) − d̄ = log1p(Σⱼ π_old,j (expm1(dⱼ − d̄) − (dⱼ − d̄))),
  ///
  /// a sum of non-negative terms, so it keeps its digits where a difference of log-probabilities
  /// would cancel.
  static func meanKL(from old: Tensor<Float>, to new: Tensor<Float>, live: [Bool]) -> Double {
    let A = old.shape.last!
    var (sum, count) = (0.0, 0)
    for row in 0..<(old.count / A) where live[row] {
      let l = (0..<A).map { Double(old.scalars[row * A + $0]) }
      let d = (0..<A).map { Double(new.scalars[row * A + $0]) - l[$0] }
      let m = l.max()!
      let weights = l.map { exp($0 - m) }
      let total = weights.reduce(0, +)
      let probabilities = weights.map { $0 / total }
      let mean = zip(probabilities, d).reduce(0) { $0 + $1.0 * $1.1 }
      let excess = zip(probabilities, d).reduce(0) {
        $0 + $1.0 * (expm1($1.1 - mean) - ($1.1 - mean))
      }
      sum += log1p(excess)
      count += 1
    }
    return sum / Double(max(1, count))
  }

  /// (1/N) Σ_live exp(log π(aₜ) − log π_b(aₜ))·Âₜ, in Double.
  static func surrogate(
    _ logits: Tensor<Float>, _ trajectories: Trajectories, _ advantages: [Float]
  ) -> Double {
    let logProbabilities = Categorical.logProbability(of: trajectories.actions, logits: logits)
    var (sum, count) = (0.0, 0)
    for i in 0..<logProbabilities.count where trajectories.live[i] {
      let ratio = exp(
        Double(logProbabilities[i]) - Double(trajectories.behaviourLogProbabilities[i]))
      sum += ratio * Double(advantages[i])
      count += 1
    }
    return sum / Double(max(1, count))
  }

  static func dot(_ x: [Double], _ y: [Double]) -> Double {
    zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
  }
}

/// Fails unless the largest elementwise error, divided by `scale` (by default the largest
/// magnitude in `expected`, or 1 when that is zero), is within `tolerance`; reports the worst
/// element. NaN in `actual` counts as an infinite error.
func assertElementsClose<S: BinaryFloatingPoint, E: BinaryFloatingPoint>(
  _ actual: [S], _ expected: [E], tolerance: Double, scale: Double? = nil, _ name: String,
  file: StaticString = #filePath, line: UInt = #line
) {
  guard actual.count == expected.count else {
    XCTFail("\(name): \(actual.count) elements, expected \(expected.count)", file: file, line: line)
    return
  }
  let largest = expected.reduce(0.0) { max($0, abs(Double($1))) }
  let divisor = scale ?? (largest == 0 ? 1 : largest)
  var (worst, worstIndex) = (0.0, 0)
  for (i, (a, e)) in zip(actual, expected).enumerated() {
    let error = a.isNaN ? .infinity : abs(Double(a) - Double(e)) / divisor
    if error > worst { (worst, worstIndex) = (error, i) }
  }
  XCTAssertTrue(
    worst <= tolerance,
    "\(name): max error \(worst) (relative to \(divisor)) > \(tolerance) at \(worstIndex): "
      + "got \(actual.isEmpty ? 0 : Double(actual[worstIndex])), "
      + "expected \(expected.isEmpty ? 0 : Double(expected[worstIndex]))",
    file: file, line: line)
}

/// Fails unless the two vectors hold the same bit patterns, naming the first difference.
func assertBitIdentical(
  _ actual: [Float], _ expected: [Float], _ name: String,
  file: StaticString = #filePath, line: UInt = #line
) {
  guard actual.count == expected.count else {
    XCTFail("\(name): \(actual.count) values, expected \(expected.count)", file: file, line: line)
    return
  }
  let differing = zip(actual, expected).filter { $0.0.bitPattern != $0.1.bitPattern }.count
  if let i = actual.indices.first(where: { actual[$0].bitPattern != expected[$0].bitPattern }) {
    XCTFail(
      "\(name): \(differing) of \(actual.count) values differ; first at \(i): "
        + "\(actual[i]) vs \(expected[i])", file: file, line: line)
  }
}
