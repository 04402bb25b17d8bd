import RL2Envs
import RL2Math
import RL2Nets
import XCTest

@testable import RL2Training

final class ValueBaselineTests: XCTestCase {
  /// With the time input, the value GRU reads φ followed by t / T and the one-hot step within
  /// the episode; the step count restarts after every episode end, early ones included.
  func testTimeInputFollowsEachTrialsEpisodes() {
    let distribution = Fixtures.corridors
    let (policy, parameters, encoder) = Fixtures.policy(for: distribution, hidden: 4, seed: 7)
    let trajectories = Rollout.run(
      policy: policy, parameters: parameters, distribution: distribution, episodes: 3,
      streams: Fixtures.streams(seed: 8, count: 6), encoder: encoder)
    var configuration = ValueBaseline.Configuration()
    configuration.timeInput = true
    var random = RandomStream(seed: 9)
    let baseline = ValueBaseline(
      inputCount: encoder.width, hiddenCount: 4, configuration: configuration,
      horizon: distribution.horizon, random: &random)
    let H = distribution.horizon
    XCTAssertEqual(baseline.network.inputCount, encoder.width + 1 + H)
    let inputs = baseline.valueInputs(trajectories)
    let (T, B, I) = (trajectories.stepCount, trajectories.trialCount, encoder.width)
    XCTAssertEqual(inputs.shape, [T, B, I + 1 + H])
    var sawEarlyEnd = false
    for b in 0..<B {
      var step = 0
      for t in 0..<T {
        let row = Array(inputs.scalars[((t * B + b) * (I + 1 + H))...].prefix(I + 1 + H))
        let phi = Array(trajectories.inputs.scalars[((t * B + b) * I)...].prefix(I))
        XCTAssertEqual(Array(row.prefix(I)), phi, "φ is kept (trial \(b), step \(t))")
        XCTAssertEqual(row[I], Float(t) / Float(T), accuracy: 1e-7)
        var oneHot = [Float](repeating: 0, count: H)
        oneHot[min(step, H - 1)] = 1
        XCTAssertEqual(Array(row.suffix(H)), oneHot, "step in episode (trial \(b), step \(t))")
        if trajectories.episodeEnded[t * B + b] {
          sawEarlyEnd = sawEarlyEnd || step + 1 < H
          step = 0
        } else {
          step += 1
        }
      }
    }
    XCTAssertTrue(sawEarlyEnd, "the fixture should hold an episode that ends before its horizon")

    configuration.timeInput = false
    let plain = ValueBaseline(
      inputCount: encoder.width, hiddenCount: 4, configuration: configuration,
      horizon: distribution.horizon, random: &random)
    XCTAssertEqual(plain.network.inputCount, encoder.width)
    XCTAssertEqual(plain.valueInputs(trajectories).scalars, trajectories.inputs.scalars)
  }
}
