import RL2Math

// Legend: N rows, L layers; layer l maps sizes[l] to sizes[l + 1] units.

/// A multilayer perceptron: `Linear` layers with ReLU between them and none after the last,
///
///     h₀ = x,   hₗ = relu(hₗ₋₁·Wₗᵀ + bₗ) for l < L,   y = h_{L−1}·W_Lᵀ + b_L,
///
/// so the output is unbounded (logits, values). Layer l is named "\(name).\(l)".
public struct MLP<Scalar: TensorScalar>: Sendable {
  /// Widths from input to output; `layers.count == sizes.count − 1`.
  public let sizes: [Int]
  public let layers: [Linear<Scalar>]

  public init(sizes: [Int], weightNormalized: Bool, name: String, layout: inout ParameterLayout) {
    precondition(
      sizes.count >= 2 && sizes.allSatisfy { $0 > 0 },
      "\(name): sizes \(sizes) must list at least an input and an output width, all positive")
    self.sizes = sizes
    layers = (0..<(sizes.count - 1)).map { l in
      Linear(
        inputCount: sizes[l], outputCount: sizes[l + 1], weightNormalized: weightNormalized,
        name: "\(name).\(l)", layout: &layout)
    }
  }

  public var inputCount: Int { sizes.first! }
  public var outputCount: Int { sizes.last! }

  /// What `backward` needs from `forward`: each layer's cache. The input a layer l ≥ 1 cached
  /// is the ReLU output hₗ₋₁, which is also what the ReLU's backward gates on.
  public struct Cache: Sendable {
    public let layers: [Linear<Scalar>.Cache]
  }

  /// y [N, sizes.last] for x [N, sizes.first].
  public func forward(_ input: Tensor<Scalar>, _ parameters: Parameters<Scalar>) -> (
    output: Tensor<Scalar>, cache: Cache
  ) {
    var hidden = input
    var caches: [Linear<Scalar>.Cache] = []
    for (l, layer) in layers.enumerated() {
      let (output, cache) = layer.forward(hidden, parameters)
      caches.append(cache)
      hidden = l < layers.count - 1 ? Activations.relu(output) : output
    }
    return (hidden, Cache(layers: caches))
  }

  /// The layers of `forward` in reverse; accumulates every layer's parameter gradients and
  /// returns ∂L/∂x [N, sizes.first] unless `computeInputGradient` is false.
  @discardableResult
  public func backward(
    _ outputGradient: Tensor<Scalar>, _ cache: Cache, _ parameters: Parameters<Scalar>,
    computeInputGradient: Bool = true
  ) -> Tensor<Scalar>? {
    var gradient = outputGradient
    for l in stride(from: layers.count - 1, through: 1, by: -1) {
      let hiddenGradient = layers[l].backward(gradient, cache.layers[l], parameters)!
      gradient = Activations.reluBackward(hiddenGradient, output: cache.layers[l].input)
    }
    return layers[0].backward(
      gradient, cache.layers[0], parameters, computeInputGradient: computeInputGradient)
  }
}
