import RL2Math
import RL2Nets
import XCTest

@testable import RL2Training

final class SharedValueHeadTests: XCTestCase {
  /// A 7×7×1-image network (3×3 stride-2 convolutions, 2 filters) and 8 trials of 5 steps whose
  /// return is the step's reward input, so the value is learnable from φ.
  func makeProblem() -> (VisionNetwork<Float>, Parameters<Float>, Trajectories, [Float]) {
    var architecture = VisionNetwork<Float>.Architecture()
    (architecture.filters, architecture.kernelSize, architecture.actionEmbedding) = (2, 3, 4)
    (architecture.fullyConnected, architecture.hidden) = (8, 8)
    let layout = VisionInputLayout(height: 7, width: 7, channels: 1, actionCount: 3)
    let network = VisionNetwork<Float>(input: layout, architecture: architecture)
    var random = RandomStream(seed: 4)
    let parameters = network.makeParameters(random: &random)
    let (T, B) = (5, 8)
    var trajectories = Trajectories(
      stepCount: T, trialCount: B, inputWidth: layout.rowWidth, actionCount: 3, episodes: 1)
    var returns = [Float](repeating: 0, count: T * B)
    for row in 0..<(T * B) {
      let base = row * layout.rowWidth
      for i in 0..<layout.imageCount {
        trajectories.inputs.scalars[base + i] = Float(random.uniform() * 2 - 1)
      }
      let reward = Float(random.normal())
      trajectories.inputs.scalars[base + layout.rewardOffset] = reward
      trajectories.live[row] = true
      returns[row] = 3 + 2 * reward
    }
    return (network, parameters, trajectories, returns)
  }

  func testFitLowersTheLossWithinTheKLBound() {
    let (network, parameters, trajectories, returns) = makeProblem()
    var configuration = ValueBaseline.Configuration()
    (configuration.epochs, configuration.minibatchTrials, configuration.learningRate) = (
      20, 4, 1e-2
    )
    var head = SharedValueHead(parameterCount: parameters.count, configuration: configuration)
    let first = head.fit(network, parameters, trajectories, returns: returns, maxKL: 0.05)
    let second = head.fit(network, parameters, trajectories, returns: returns, maxKL: 0.05)
    XCTAssertLessThan(second.loss, first.loss, "a second fit on the same data fits it better")
    XCTAssertLessThanOrEqual(first.policyKL, 0.05)
    XCTAssertLessThanOrEqual(second.policyKL, 0.05)
    let predictions = head.predict(network, parameters, trajectories)
    let error = zip(predictions, returns).map { Double(($0 - $1) * ($0 - $1)) }.reduce(0, +)
    let spread = returns.map { Double(($0 - 3) * ($0 - 3)) }.reduce(0, +)
    XCTAssertLessThan(error, spread, "predictions explain part of the returns' variance")
  }

  func testAFitThatWouldMoveThePolicyKeepsOnlyTheValueHead() {
    let (network, parameters, trajectories, returns) = makeProblem()
    var configuration = ValueBaseline.Configuration()
    (configuration.epochs, configuration.learningRate) = (5, 1e-1)
    var head = SharedValueHead(parameterCount: parameters.count, configuration: configuration)
    let before = Array(parameters.values)
    let statistics = head.fit(network, parameters, trajectories, returns: returns, maxKL: 0)
    XCTAssertEqual(statistics.policyKL, 0)
    let valueHead = Set(network.valueHead.weight.range).union(network.valueHead.bias.range)
    var headChanged = false
    for i in 0..<before.count {
      if valueHead.contains(i) {
        headChanged = headChanged || parameters.values[i] != before[i]
      } else {
        XCTAssertEqual(parameters.values[i], before[i], "parameter \(i) outside the value head")
      }
    }
    XCTAssertTrue(headChanged, "the value head keeps its fit")
  }
}
