import RL2Math

/// Elementwise activation functions, each beside its backward. Backward takes the forward
/// output, which is all it needs and what the caller already keeps.
public enum Activations {
  /// y = relu(x) = max(0, x).
  public static func relu<Scalar: TensorScalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    var y = x
    y.withUnsafeMutableBufferPointer { y in
      for i in y.indices where !(y[i] > 0) { y[i] = 0 }
    }
    return y
  }

  /// ∂L/∂x = ∂L/∂y ⊙ [y > 0], from y = relu(x).
  public static func reluBackward<Scalar: TensorScalar>(
    _ outputGradient: Tensor<Scalar>, output: Tensor<Scalar>
  ) -> Tensor<Scalar> {
    precondition(
      outputGradient.shape == output.shape,
      "output gradient \(outputGradient.shape) and output \(output.shape) differ in shape")
    var inputGradient = outputGradient
    inputGradient.withUnsafeMutableBufferPointer { dx in
      output.withUnsafeBufferPointer { y in
        for i in dx.indices where !(y[i] > 0) { dx[i] = 0 }
      }
    }
    return inputGradient
  }
}
