import RL2Math
import XCTest

@testable import RL2Nets

final class CategoricalTests: XCTestCase {
  // N rows, A actions.
  let (N, A) = (4, 5)

  func randomLogits(seed: UInt64, scale: Double = 2) -> Tensor<Double> {
    var random = RandomStream(seed: seed)
    return Tensor(shape: [N, A]) { scale * random.normal() }
  }

  func randomWeights(seed: UInt64) -> [Double] {
    var random = RandomStream(seed: seed)
    return (0..<N).map { _ in random.normal() }
  }

  func testProbabilitiesSumToOneAndMatchLogProbabilities() {
    let logits = randomLogits(seed: 1, scale: 5)
    let probabilities = Categorical.probabilities(logits)
    let logProbabilities = Categorical.logProbabilities(logits)
    for i in 0..<N {
      var sum = 0.0
      for j in 0..<A {
        sum += probabilities[i, j]
        XCTAssertEqual(Foundation.log(probabilities[i, j]), logProbabilities[i, j], accuracy: 1e-12)
      }
      XCTAssertEqual(sum, 1, accuracy: 1e-12, "row \(i)")
    }
  }

  func testLogSoftmaxIsStableForHugeLogits() {
    let scalars: [Double] = [1000, -1000, 0, -1000, -1000, -1000]
    let double = Categorical.logProbabilities(Tensor(shape: [2, 3], scalars: scalars))
    let float = Categorical.logProbabilities(
      Tensor<Float>(shape: [2, 3], scalars: scalars.map(Float.init)))
    let expected = [0, -2000, -1000] + Array(repeating: -Foundation.log(3.0), count: 3)
    for k in 0..<6 {
      XCTAssertEqual(double.scalars[k], expected[k], accuracy: 1e-12, "Double element \(k)")
      XCTAssertEqual(Double(float.scalars[k]), expected[k], accuracy: 1e-4, "Float element \(k)")
    }
    let probabilities = Categorical.probabilities(
      Tensor<Float>(shape: [2, 3], scalars: scalars.map(Float.init)))
    XCTAssertTrue(probabilities.scalars.allSatisfy(\.isFinite))
    XCTAssertEqual(probabilities[0, 0], 1, accuracy: 1e-6)
    XCTAssertTrue(
      Categorical.entropy(Tensor(shape: [2, 3], scalars: scalars)).allSatisfy(\.isFinite))
  }

  func testEntropyOfUniformIsLogA() {
    let logits = Tensor<Double>(shape: [N, A], repeating: 3.7)
    for h in Categorical.entropy(logits) {
      XCTAssertEqual(h, Foundation.log(Double(A)), accuracy: 1e-12)
    }
  }

  func testKLDivergenceIsZeroForIdenticalAndPositiveOtherwise() {
    let old = randomLogits(seed: 2)
    for kl in Categorical.klDivergence(from: old, to: old) {
      XCTAssertEqual(kl, 0, accuracy: 1e-12)
    }
    for seed in UInt64(3)..<UInt64(8) {
      let new = randomLogits(seed: seed)
      for kl in Categorical.klDivergence(from: old, to: new) { XCTAssertGreaterThan(kl, 0) }
    }
  }

  func testLogProbabilityPicksTheActionsEntries() {
    let logits = randomLogits(seed: 9)
    let actions = [4, 0, 2, 2]
    let logProbabilities = Categorical.logProbabilities(logits)
    let picked = Categorical.logProbability(of: actions, logits: logits)
    for i in 0..<N { XCTAssertEqual(picked[i], logProbabilities[i, actions[i]]) }
  }

  func testGradientsMatchFiniteDifferences() {
    var logits = randomLogits(seed: 10)
    let old = randomLogits(seed: 11)
    let weights = randomWeights(seed: 12)
    let actions = [1, 4, 0, 1]
    func weighted(_ values: [Double]) -> Double {
      zip(weights, values).reduce(0) { $0 + $1.0 * $1.1 }
    }

    GradientCheck.assertTensorGradient(
      Categorical.logProbabilityGradient(of: actions, logits: logits, weights: weights),
      of: &logits, name: "log-probability"
    ) { weighted(Categorical.logProbability(of: actions, logits: $0)) }
    GradientCheck.assertTensorGradient(
      Categorical.entropyGradient(logits, weights: weights), of: &logits, name: "entropy"
    ) { weighted(Categorical.entropy($0)) }
    GradientCheck.assertTensorGradient(
      Categorical.klDivergenceGradient(from: old, to: logits, weights: weights), of: &logits,
      name: "KL divergence"
    ) { weighted(Categorical.klDivergence(from: old, to: $0)) }
  }

  func testSampleFrequenciesMatchProbabilities() {
    let logits: [Double] = [0.5, -1, 2, 0, -0.3]
    let probabilities = Categorical.probabilities(Tensor(shape: [1, 5], scalars: logits)).scalars
    let draws = 20_000
    var counts = [Int](repeating: 0, count: 5)
    var random = RandomStream(seed: 13)
    for _ in 0..<draws {
      counts[Categorical.sample(logits: logits, actionCount: 5, random: &random)] += 1
    }
    for (j, p) in probabilities.enumerated() {
      let expected = Double(draws) * p
      let standardError = (Double(draws) * p * (1 - p)).squareRoot()
      XCTAssertLessThan(
        abs(Double(counts[j]) - expected), 4 * standardError,
        "action \(j): \(counts[j]) draws, expected \(expected) ± \(standardError)")
    }
  }

  func testSamplingIsDeterministicForASeed() {
    let logits: [Float] = [0.1, 0.2, -0.4, 1.0]
    func draws(seed: UInt64) -> [Int] {
      var random = RandomStream(seed: seed)
      return (0..<200).map { _ in
        Categorical.sample(logits: logits, actionCount: 4, random: &random)
      }
    }
    XCTAssertEqual(draws(seed: 14), draws(seed: 14))
    XCTAssertNotEqual(draws(seed: 14), draws(seed: 15))
  }
}
