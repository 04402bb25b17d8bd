import RL2Math
import XCTest

@testable import RL2Nets

/// The whole policy and value networks over trials whose episodes end inside the sequence.
final class RecurrentNetworkTests: XCTestCase {
  // B trials of `episodes` episodes of `horizon` steps; S states, A actions, H hidden.
  let (B, episodes, horizon, S, A, H) = (2, 2, 3, 3, 2, 4)
  var T: Int { episodes * horizon }

  /// φ for random trajectories: the termination flag is set after every episode's last step.
  func makeTrialInputs(_ random: inout RandomStream) -> (Tensor<Double>, [Int]) {
    let encoder = TrialInputEncoder(stateCount: S, actionCount: A)
    var input = Tensor<Double>(shape: [T, B, encoder.width])
    var actions = [Int](repeating: 0, count: T * B)
    for b in 0..<B {
      var previous: (action: Int, reward: Double, done: Bool)? = nil
      for t in 0..<T {
        let state = t % horizon == 0 ? 0 : Int(random.next() % UInt64(S))
        input.withUnsafeMutableBufferPointer {
          encoder.encode(
            state: state, previous: previous, into: $0.baseAddress! + (t * B + b) * encoder.width)
        }
        let action = Int(random.next() % UInt64(A))
        actions[t * B + b] = action
        previous = (action, random.normal(), (t + 1) % horizon == 0)
      }
    }
    return (input, actions)
  }

  func testPolicyGradientsMatchFiniteDifferencesAcrossEpisodeBoundaries() {
    var random = RandomStream(seed: 21)
    let (input0, actions) = makeTrialInputs(&random)
    var input = input0
    let policy = RecurrentNetwork<Double>.policy(
      inputCount: input.shape[2], hiddenCount: H, actionCount: A)
    let parameters = policy.makeParameters(random: &random)
    for i in parameters.values.indices { parameters.values[i] += 0.1 * random.normal() }
    var initialState = GradientCheck.randomTensor([B, H], &random)
    let advantages = (0..<(T * B)).map { _ in random.normal() }
    let entropyWeights = [Double](repeating: 0.01, count: T * B)
    let klWeights = [Double](repeating: 1, count: T * B)
    let oldLogits = GradientCheck.randomTensor([T * B, A], &random)

    // L = Σ Aₜ·log π(aₜ) + 0.01·Σ H(π) + Σ KL(π_old ‖ π): every term a TRPO step touches.
    func loss(_ input: Tensor<Double>, _ initialState: Tensor<Double>) -> Double {
      let (logits, _) = policy.forward(input, initialState: initialState, parameters)
      let flat = logits.reshaped([T * B, A])
      let logProbabilities = Categorical.logProbability(of: actions, logits: flat)
      let surrogate = zip(advantages, logProbabilities).reduce(0) { $0 + $1.0 * $1.1 }
      let entropy = Categorical.entropy(flat).reduce(0, +)
      let kl = Categorical.klDivergence(from: oldLogits, to: flat).reduce(0, +)
      return surrogate + 0.01 * entropy + kl
    }

    parameters.zeroGradients()
    let (logits, cache) = policy.forward(input, initialState: initialState, parameters)
    let flat = logits.reshaped([T * B, A])
    var logitsGradient = Categorical.logProbabilityGradient(
      of: actions, logits: flat, weights: advantages)
    for term in [
      Categorical.entropyGradient(flat, weights: entropyWeights),
      Categorical.klDivergenceGradient(from: oldLogits, to: flat, weights: klWeights),
    ] {
      for i in 0..<term.count { logitsGradient.scalars[i] += term.scalars[i] }
    }
    let gradients = policy.backward(
      logitsGradient.reshaped([T, B, A]), cache, parameters, computeInputGradient: true)

    GradientCheck.assertParameterGradients(parameters) { loss(input, initialState) }
    GradientCheck.assertTensorGradient(gradients.input!, of: &input, name: "φ") {
      loss($0, initialState)
    }
    GradientCheck.assertTensorGradient(gradients.initialState, of: &initialState, name: "h₀") {
      loss(input, $0)
    }
  }

  func testValueGradientsMatchFiniteDifferences() {
    var random = RandomStream(seed: 22)
    let (input, _) = makeTrialInputs(&random)
    let value = RecurrentNetwork<Double>.valueFunction(inputCount: input.shape[2], hiddenCount: H)
    let parameters = value.makeParameters(random: &random)
    let targets = GradientCheck.randomTensor([T, B, 1], &random)

    // L = ½ Σ (V − target)².
    func loss() -> Double {
      let (values, _) = value.forward(input, parameters)
      return zip(values.scalars, targets.scalars).reduce(0) {
        $0 + 0.5 * ($1.0 - $1.1) * ($1.0 - $1.1)
      }
    }

    parameters.zeroGradients()
    let (values, cache) = value.forward(input, parameters)
    var residual = values
    for i in 0..<residual.count { residual.scalars[i] -= targets.scalars[i] }
    value.backward(residual, cache, parameters)
    GradientCheck.assertParameterGradients(parameters, loss: loss)
  }

  /// The hidden state is carried across the episode boundary inside a trial: the second
  /// episode's outputs differ from those of the same inputs started from a zero state.
  func testStateIsCarriedAcrossEpisodeBoundariesInsideATrial() {
    var random = RandomStream(seed: 23)
    let (input, _) = makeTrialInputs(&random)
    let policy = RecurrentNetwork<Double>.policy(
      inputCount: input.shape[2], hiddenCount: H, actionCount: A)
    let parameters = policy.makeParameters(random: &random)
    let (whole, _) = policy.forward(input, parameters)
    let secondEpisode = Tensor(
      shape: [horizon, B, input.shape[2]],
      scalars: Array(input.scalars[(horizon * B * input.shape[2])...]))
    let (fresh, _) = policy.forward(secondEpisode, parameters)
    let carried = Array(whole.scalars[(horizon * B * A)...])
    let difference = zip(carried, fresh.scalars).map { abs($0 - $1) }.max()!
    XCTAssertGreaterThan(difference, 1e-6, "episode 2 ignored the state from episode 1")
  }

  /// Trials in a batch are independent: each starts from zero and no state leaks between them.
  func testTrialsInABatchMatchTheSameTrialsRunAlone() {
    var random = RandomStream(seed: 24)
    let (input, _) = makeTrialInputs(&random)
    let width = input.shape[2]
    let policy = RecurrentNetwork<Double>.policy(inputCount: width, hiddenCount: H, actionCount: A)
    let parameters = policy.makeParameters(random: &random)
    let (batched, _) = policy.forward(input, parameters)
    for b in 0..<B {
      var alone = Tensor<Double>(shape: [T, 1, width])
      for t in 0..<T {
        for i in 0..<width { alone[t, 0, i] = input[t, b, i] }
      }
      let (single, _) = policy.forward(alone, parameters)
      for t in 0..<T {
        for a in 0..<A {
          XCTAssertEqual(single[t, 0, a], batched[t, b, a], accuracy: 1e-12, "trial \(b) step \(t)")
        }
      }
    }
  }

  func testEncoderLayout() {
    let bandit = TrialInputEncoder(stateCount: 1, actionCount: 50)
    XCTAssertEqual(bandit.width, 52)
    var row = [Float](repeating: 9, count: bandit.width)
    bandit.encode(state: 0, previous: nil, into: &row)
    XCTAssertEqual(row.filter { $0 != 0 }, [1], "first step: only the flag is set")
    XCTAssertEqual(row[51], 1)
    bandit.encode(state: 0, previous: (action: 7, reward: 1, done: true), into: &row)
    XCTAssertEqual(row[7], 1)
    XCTAssertEqual(row[50], 1)
    XCTAssertEqual(row[51], 1)
    XCTAssertEqual(row.reduce(0, +), 3)

    let mdp = TrialInputEncoder(stateCount: 10, actionCount: 5, firstStepFlag: 0)
    XCTAssertEqual(mdp.width, 17)
    var mdpRow = [Double](repeating: 0, count: mdp.width)
    mdp.encode(state: 3, previous: nil, into: &mdpRow)
    XCTAssertEqual(mdpRow, [0, 0, 0, 1] + [Double](repeating: 0, count: 13))
    mdp.encode(state: 9, previous: (action: 4, reward: -0.5, done: false), into: &mdpRow)
    XCTAssertEqual(mdpRow[9], 1)
    XCTAssertEqual(mdpRow[14], 1)
    XCTAssertEqual(mdpRow[15], -0.5)
    XCTAssertEqual(mdpRow[16], 0)
  }
}
