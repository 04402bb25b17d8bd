import RL2Math
import XCTest

@testable import RL2Nets

final class VisionNetworkTests: XCTestCase {
  /// A small network with every part of the real one: 9×11×2 images, 3×3 stride-2 convolutions
  /// of 2 filters (4×5 then 1×2 positions), embedding 3, FC 4, GRU 3, 3 actions.
  func makeNetwork(seed: UInt64 = 5) -> (VisionNetwork<Double>, Parameters<Double>) {
    var architecture = VisionNetwork<Double>.Architecture()
    architecture.filters = 2
    architecture.kernelSize = 3
    architecture.actionEmbedding = 3
    architecture.fullyConnected = 4
    architecture.hidden = 3
    var network = VisionNetwork<Double>(
      input: VisionInputLayout(height: 9, width: 11, channels: 2, actionCount: 3),
      architecture: architecture)
    network.encoderChunkRows = 2
    var random = RandomStream(seed: seed)
    let parameters = network.makeParameters(random: &random)
    for i in parameters.values.indices { parameters.values[i] += 0.2 * random.normal() }
    return (network, parameters)
  }

  /// T = 3 steps of B = 2 trials; trial 1 ends after step 2. Rows hold random images, the
  /// one-hot of a previous action (none at t = 0), a reward and a flag.
  func makeInput(_ network: VisionNetwork<Double>, seed: UInt64 = 9) -> (Tensor<Double>, [Bool]) {
    let layout = network.input
    let (T, B) = (3, 2)
    var random = RandomStream(seed: seed)
    var input = Tensor<Double>(shape: [T, B, layout.rowWidth])
    for t in 0..<T {
      for b in 0..<B {
        let base = (t * B + b) * layout.rowWidth
        for i in 0..<layout.imageCount { input.scalars[base + i] = random.uniform() * 2 - 1 }
        if t > 0 { input.scalars[base + layout.actionOffset + (t + b) % 3] = 1 }
        input.scalars[base + layout.rewardOffset] = random.normal()
        input.scalars[base + layout.flagOffset] = t == 2 ? 1 : 0
      }
    }
    let live = [true, true, true, true, true, false]
    return (input, live)
  }

  func testForwardShapesAndFeatureCount() {
    let (network, parameters) = makeNetwork()
    XCTAssertEqual(network.featureCount, 4)
    let (input, live) = makeInput(network)
    let (logits, values, _) = network.forward(input, live: live, parameters)
    XCTAssertEqual(logits.shape, [3, 2, 3])
    XCTAssertEqual(values.shape, [3, 2])
    let full = VisionNetwork<Float>(input: VisionInputLayout())
    XCTAssertEqual(full.featureCount, 5 * 7 * 16, "40×30 → 18×13 → 7×5 positions of 16 filters")
    XCTAssertEqual(full.input.rowWidth, 3600 + 4 + 2)
  }

  func testChunkingDoesNotChangeTheOutputs() {
    var (network, parameters) = makeNetwork()
    let (input, live) = makeInput(network)
    let (chunked, chunkedValues, _) = network.forward(input, live: live, parameters)
    network.encoderChunkRows = 100
    let (whole, wholeValues, _) = network.forward(input, live: live, parameters)
    XCTAssertLessThan(chunked.maxAbsoluteDifference(to: whole), 1e-12)
    XCTAssertLessThan(chunkedValues.maxAbsoluteDifference(to: wholeValues), 1e-12)
  }

  /// L = Σ_live (c·logits + k·value), checked against central differences for every slice,
  /// with the encoder's activations kept (the default) and recomputed (no cache budget).
  func testGradientsMatchFiniteDifferences() {
    for budget in [VisionNetwork<Double>(input: VisionInputLayout()).encoderCacheBytes, 0] {
      var (network, parameters) = makeNetwork()
      network.encoderCacheBytes = budget
      checkGradients(network, parameters)
    }
  }

  func checkGradients(_ network: VisionNetwork<Double>, _ parameters: Parameters<Double>) {
    let (input, live) = makeInput(network)
    var random = RandomStream(seed: 21)
    let (T, B, A) = (3, 2, 3)
    var logitWeights = Tensor<Double>(shape: [T, B, A]) { random.normal() }
    var valueWeights = Tensor<Double>(shape: [T, B]) { random.normal() }
    for row in 0..<(T * B) where !live[row] {
      for a in 0..<A { logitWeights.scalars[row * A + a] = 0 }
      valueWeights.scalars[row] = 0
    }
    func loss() -> Double {
      let (logits, values, _) = network.forward(input, live: live, parameters)
      return zip(logits.scalars, logitWeights.scalars).reduce(0) { $0 + $1.0 * $1.1 }
        + zip(values.scalars, valueWeights.scalars).reduce(0) { $0 + $1.0 * $1.1 }
    }
    parameters.zeroGradients()
    let (_, _, cache) = network.forward(input, live: live, parameters)
    network.backward(
      logitsGradient: logitWeights, valuesGradient: valueWeights, cache, parameters)
    GradientCheck.assertParameterGradients(parameters, loss: loss)
  }

  /// J·θ̇ of the logits against the central difference of the logits along θ̇.
  func testLogitsTangentMatchesDirectionalDifference() {
    for budget in [VisionNetwork<Double>(input: VisionInputLayout()).encoderCacheBytes, 0] {
      var (network, parameters) = makeNetwork()
      network.encoderCacheBytes = budget
      checkTangent(network, parameters)
    }
  }

  func checkTangent(_ network: VisionNetwork<Double>, _ parameters: Parameters<Double>) {
    let (input, live) = makeInput(network)
    var random = RandomStream(seed: 33)
    let direction = (0..<parameters.count).map { _ in random.normal() }
    let (_, _, cache) = network.forward(input, live: live, parameters)
    let tangent = direction.withUnsafeBufferPointer {
      network.logitsTangent(cache, parameterTangent: $0.baseAddress!, parameters)
    }
    let epsilon = 1e-6
    let saved = Array(parameters.values)
    parameters.setValues(zip(saved, direction).map { $0 + epsilon * $1 })
    let plus = network.forward(input, live: live, parameters).logits
    parameters.setValues(zip(saved, direction).map { $0 - epsilon * $1 })
    let minus = network.forward(input, live: live, parameters).logits
    parameters.setValues(saved)
    for row in 0..<6 where live[row] {
      for a in 0..<3 {
        let i = row * 3 + a
        let numerical = (plus.scalars[i] - minus.scalars[i]) / (2 * epsilon)
        XCTAssertEqual(
          tangent.scalars[i], numerical, accuracy: 1e-6 * max(1, abs(numerical)),
          "logit tangent at row \(row), action \(a)")
      }
    }
  }
}

extension VisionNetworkTests {
  /// The rollout stepper computes, step by step, the logits of `forward` over whole trials.
  func testStepperMatchesForward() {
    let (network, parameters) = makeNetwork()
    let (input, live) = makeInput(network)
    let (logits, _, _) = network.forward(input, live: live, parameters)
    var stepper = VisionStepper(network: network, parameters: parameters, trialCount: 2)
    let I = network.input.rowWidth
    for t in 0..<3 {
      let rows = Array(input.scalars[(t * 2 * I)..<((t + 1) * 2 * I)])
      let stepLive = Array(live[(t * 2)..<(t * 2 + 2)])
      rows.withUnsafeBufferPointer { rows in
        stepLive.withUnsafeBufferPointer { stepper.step(rows.baseAddress!, live: $0.baseAddress!) }
      }
      for b in 0..<2 where stepLive[b] {
        for a in 0..<3 {
          XCTAssertEqual(
            stepper.logits[b * 3 + a], logits[t, b, a], accuracy: 1e-10,
            "logit \(a) of trial \(b) at step \(t)")
        }
      }
    }
  }
}
