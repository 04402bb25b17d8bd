import Foundation
import RL2Math

/// Adam (Kingma & Ba 2015) over a flat parameter vector:
///
///     m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,
///     θ ← θ − α · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
///
/// The state is `Codable` so a checkpoint resumes the optimizer exactly.
public struct Adam: Codable, Sendable, Equatable {
  public var learningRate: Double
  public var beta1 = 0.9
  public var beta2 = 0.999
  public var epsilon = 1e-8
  public private(set) var step = 0
  private var firstMoment: FloatVector
  private var secondMoment: FloatVector

  public init(parameterCount: Int, learningRate: Double) {
    self.learningRate = learningRate
    firstMoment = FloatVector(Array(repeating: 0, count: parameterCount))
    secondMoment = FloatVector(Array(repeating: 0, count: parameterCount))
  }

  /// One update of `values` from `gradients` (a descent step on the loss they are the gradient of).
  public mutating func update(
    _ values: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>
  ) {
    precondition(
      values.count == firstMoment.values.count,
      "Adam was made for \(firstMoment.values.count) parameters, got \(values.count)")
    step += 1
    let (b1, b2) = (Float(beta1), Float(beta2))
    let correction1 = Float(1 - pow(beta1, Double(step)))
    let correction2 = Float(1 - pow(beta2, Double(step)))
    let (rate, eps) = (Float(learningRate), Float(epsilon))
    firstMoment.values.withUnsafeMutableBufferPointer { m in
      secondMoment.values.withUnsafeMutableBufferPointer { v in
        for i in 0..<values.count {
          let g = gradients[i]
          m[i] = b1 * m[i] + (1 - b1) * g
          v[i] = b2 * v[i] + (1 - b2) * g * g
          values[i] -= rate * (m[i] / correction1) / ((v[i] / correction2).squareRoot() + eps)
        }
      }
    }
  }
}
