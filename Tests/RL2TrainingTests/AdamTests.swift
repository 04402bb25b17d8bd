import Foundation
import RL2Math
import XCTest

@testable import RL2Training

/// Adam against its update written out by hand, and its state surviving a JSON round trip.
final class AdamTests: XCTestCase {
  let start: [Float] = [1, -2, 0.5]
  let gradients: [[Float]] = [[0.1, -0.2, 0.3], [-0.4, 0.5, 0.05]]

  func step(_ adam: inout Adam, _ values: inout [Float], _ gradient: [Float]) {
    values.withUnsafeMutableBufferPointer { values in
      gradient.withUnsafeBufferPointer { adam.update(values, gradients: $0) }
    }
  }

  func testFirstAndSecondUpdateMatchTheFormulas() {
    var adam = Adam(parameterCount: 3, learningRate: 0.1)
    var values = start
    // Step 1: m̂ = g and v̂ = g², so θ moves by α·g / (|g| + ε): α against the sign of g.
    step(&adam, &values, gradients[0])
    let first: [Double] = (0..<3).map { i in
      let g = Double(gradients[0][i])
      return Double(start[i]) - 0.1 * g / (abs(g) + 1e-8)
    }
    assertElementsClose(values, first, tolerance: 1e-6, "θ after the first update")
    XCTAssertEqual(adam.step, 1, "step count")
    // Step 2: m = 0.9·0.1·g₁ + 0.1·g₂, v = 0.999·0.001·g₁² + 0.001·g₂², bias-corrected.
    step(&adam, &values, gradients[1])
    let second: [Double] = (0..<3).map { i in
      let (g1, g2) = (Double(gradients[0][i]), Double(gradients[1][i]))
      let m = 0.9 * 0.1 * g1 + 0.1 * g2
      let v = 0.999 * 0.001 * g1 * g1 + 0.001 * g2 * g2
      let (mHat, vHat) = (m / (1 - 0.9 * 0.9), v / (1 - 0.999 * 0.999))
      return first[i] - 0.1 * mHat / (vHat.squareRoot() + 1e-8)
    }
    assertElementsClose(values, second, tolerance: 1e-6, "θ after the second update")
    XCTAssertEqual(adam.step, 2, "step count")
  }

  func testCodableRoundTripContinuesIdentically() throws {
    var adam = Adam(parameterCount: 3, learningRate: 0.01)
    var values = start
    for gradient in gradients { step(&adam, &values, gradient) }
    var restored = try JSONDecoder().decode(Adam.self, from: JSONEncoder().encode(adam))
    XCTAssertEqual(restored, adam, "decoded state")
    var restoredValues = values
    var random = RandomStream(seed: 71)
    for _ in 0..<3 {
      let gradient = (0..<3).map { _ in Float(random.normal()) }
      step(&adam, &values, gradient)
      step(&restored, &restoredValues, gradient)
    }
    assertBitIdentical(restoredValues, values, "θ after three more steps from the decoded state")
    XCTAssertEqual(restored, adam, "state after three more steps")
  }
}
