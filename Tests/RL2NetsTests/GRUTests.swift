import RL2Math
import XCTest

@testable import RL2Nets

final class GRUTests: XCTestCase {
  // T steps, B trials, I inputs, H hidden.
  let (T, B, I, H) = (6, 3, 4, 5)

  func makeGRU() -> (GRU<Double>, Parameters<Double>) {
    var layout = ParameterLayout()
    let gru = GRU<Double>(inputCount: I, hiddenCount: H, name: "gru", layout: &layout)
    var random = RandomStream(seed: 11)
    let parameters = Parameters<Double>(layout: layout, random: &random)
    // Non-trivial gains and biases so their gradients are exercised away from the initial point.
    for i in parameters.values.indices { parameters.values[i] += 0.1 * random.normal() }
    return (gru, parameters)
  }

  func testGradientsMatchFiniteDifferencesForParametersInputsAndInitialState() {
    let (gru, parameters) = makeGRU()
    var random = RandomStream(seed: 3)
    var input = GradientCheck.randomTensor([T, B, I], &random)
    var initialState = GradientCheck.randomTensor([B, H], &random)
    let readout = GradientCheck.randomTensor([T, B, H], &random)
    let finalReadout = GradientCheck.randomTensor([B, H], &random)
    // Trial 2 ends after step 3: its state must freeze and its late steps carry no gradient.
    var live = [Bool](repeating: true, count: T * B)
    for t in 4..<T { live[t * B + 2] = false }

    func loss(_ input: Tensor<Double>, _ initialState: Tensor<Double>) -> Double {
      let (states, _) = gru.forward(input, initialState: initialState, live: live, parameters)
      let final = Tensor(shape: [B, H], scalars: Array(states.scalars[((T - 1) * B * H)...]))
      return GradientCheck.readout(states, readout) + GradientCheck.readout(final, finalReadout)
    }

    parameters.zeroGradients()
    let (_, cache) = gru.forward(input, initialState: initialState, live: live, parameters)
    let gradients = gru.backward(readout, finalStateGradient: finalReadout, cache, parameters)

    GradientCheck.assertParameterGradients(parameters) { loss(input, initialState) }
    GradientCheck.assertTensorGradient(gradients.input!, of: &input, name: "input") {
      loss($0, initialState)
    }
    GradientCheck.assertTensorGradient(
      gradients.initialState, of: &initialState, name: "initialState"
    ) { loss(input, $0) }
  }

  func testTrialThatIsNotLiveKeepsItsState() {
    let (gru, parameters) = makeGRU()
    var random = RandomStream(seed: 5)
    let input = GradientCheck.randomTensor([T, B, I], &random)
    var live = [Bool](repeating: true, count: T * B)
    for t in 2..<T { live[t * B + 1] = false }
    let (states, _) = gru.forward(input, live: live, parameters)
    for t in 2..<T {
      for j in 0..<H {
        XCTAssertEqual(states[t, 1, j], states[1, 1, j], "trial 1 changed at step \(t)")
      }
    }
    XCTAssertNotEqual(states[T - 1, 0, 0], states[1, 0, 0])
  }

  func testStepMatchesForwardStepByStep() {
    let (gru, parameters) = makeGRU()
    var random = RandomStream(seed: 8)
    let input = GradientCheck.randomTensor([T, B, I], &random)
    let (states, _) = gru.forward(input, parameters)
    let weights = gru.weights(parameters)
    var scratch = GRU<Double>.StepScratch()
    var state = [Double](repeating: 0, count: B * H)
    for t in 0..<T {
      input.withUnsafeBufferPointer { x in
        gru.step(
          x.baseAddress! + t * B * I, state: &state, live: nil, trialCount: B, weights: weights,
          scratch: &scratch)
      }
      let expected = Array(states.scalars[(t * B * H)..<((t + 1) * B * H)])
      XCTAssertEqual(state, expected, "step \(t)")
    }
  }

  func testRecurrentInitIsOrthogonalPerGateAndRowsHaveUnitNorm() {
    let (gru, _) = makeGRU()
    var layout = ParameterLayout()
    _ = GRU<Double>(inputCount: I, hiddenCount: H, name: "gru", layout: &layout)
    var random = RandomStream(seed: 1)
    let fresh = Parameters<Double>(layout: layout, random: &random)
    let w = fresh.tensor(gru.recurrentWeight)
    for gate in 0..<3 {
      for i in 0..<H {
        for k in 0..<H {
          var dot = 0.0
          for j in 0..<H { dot += w[gate * H + i, j] * w[gate * H + k, j] }
          XCTAssertEqual(dot, i == k ? 1 : 0, accuracy: 1e-12, "gate \(gate) rows \(i),\(k)")
        }
      }
    }
    XCTAssertEqual(fresh.tensor(gru.recurrentGain).scalars, Array(repeating: 1, count: 3 * H))
    XCTAssertEqual(fresh.tensor(gru.inputWeight.bias).scalars, Array(repeating: 0, count: 3 * H))
  }
}
