import RL2Math

// Legend: N rows (trials × steps flattened), A actions. Logits are [N, A]; any leading axes
// are flattened into N, the last axis is A.

/// The categorical policy distribution π = softmax(l) over A actions, row by row.
///
/// Every function works from the stable log-softmax
///
///     log πⱼ = lⱼ − m − log Σₖ e^(lₖ − m),   m = maxₖ lₖ,
///
/// so logits of any magnitude give finite log-probabilities. The gradient functions return
/// ∂(Σᵢ wᵢ·fᵢ)/∂l [N, A] for per-row weights w [N] (advantages, 1/N, a Fisher-vector
/// coefficient …), which is what TRPO's surrogate, entropy bonus and KL constraint need.
public enum Categorical {
  /// log π [N, A].
  public static func logProbabilities<Scalar: TensorScalar>(
    _ logits: Tensor<Scalar>
  ) -> Tensor<Scalar> {
    softmax(logits).logProbabilities
  }

  /// π [N, A]; each row sums to 1.
  public static func probabilities<Scalar: TensorScalar>(
    _ logits: Tensor<Scalar>
  ) -> Tensor<Scalar> {
    softmax(logits).probabilities
  }

  /// An action drawn from softmax(l) for one row of A logits, by inverse CDF: the first j with
  /// u·Σₖ e^(lₖ − m) < Σ_{k ≤ j} e^(lₖ − m), u uniform on [0, 1).
  public static func sample<Scalar: TensorScalar>(
    logits: UnsafePointer<Scalar>, actionCount: Int, random: inout RandomStream
  ) -> Int {
    precondition(actionCount > 0, "cannot sample from an empty set of actions")
    var m = logits[0]
    for j in 1..<actionCount { m = Swift.max(m, logits[j]) }
    var total = 0.0
    for j in 0..<actionCount { total += Double(Scalar.exp(logits[j] - m)) }
    var threshold = random.uniform() * total
    for j in 0..<actionCount {
      threshold -= Double(Scalar.exp(logits[j] - m))
      if threshold < 0 { return j }
    }
    // Rounding left the threshold at or just above the total: the draw was the last action.
    return actionCount - 1
  }

  /// log π(aᵢ) for each row i.
  public static func logProbability<Scalar: TensorScalar>(
    of actions: [Int], logits: Tensor<Scalar>
  ) -> [Scalar] {
    let (N, A) = rowsAndActions(logits)
    precondition(actions.count == N, "\(actions.count) actions for \(N) rows of logits")
    let logProbabilities = softmax(logits).logProbabilities
    return actions.enumerated().map { i, action in
      precondition(action >= 0 && action < A, "action \(action) of row \(i) is outside 0..<\(A)")
      return logProbabilities.scalars[i * A + action]
    }
  }

  /// ∂(Σᵢ wᵢ·log π(aᵢ))/∂lᵢⱼ = wᵢ·([j = aᵢ] − πᵢⱼ).
  public static func logProbabilityGradient<Scalar: TensorScalar>(
    of actions: [Int], logits: Tensor<Scalar>, weights: [Scalar]
  ) -> Tensor<Scalar> {
    let (N, A) = rowsAndActions(logits)
    precondition(actions.count == N && weights.count == N, "need one action and weight per row")
    var gradient = softmax(logits).probabilities
    for i in 0..<N {
      precondition(actions[i] >= 0 && actions[i] < A, "action \(actions[i]) is outside 0..<\(A)")
      for j in 0..<A { gradient.scalars[i * A + j] *= -weights[i] }
      gradient.scalars[i * A + actions[i]] += weights[i]
    }
    return gradient
  }

  /// Hᵢ = −Σⱼ πᵢⱼ log πᵢⱼ per row; log A for uniform logits.
  public static func entropy<Scalar: TensorScalar>(_ logits: Tensor<Scalar>) -> [Scalar] {
    let (N, A) = rowsAndActions(logits)
    let (logProbabilities, probabilities) = softmax(logits)
    return (0..<N).map { i in
      var sum: Scalar = 0
      for j in 0..<A {
        sum -= probabilities.scalars[i * A + j] * logProbabilities.scalars[i * A + j]
      }
      return sum
    }
  }

  /// ∂(Σᵢ wᵢ·Hᵢ)/∂lᵢⱼ = −wᵢ·πᵢⱼ·(log πᵢⱼ + Hᵢ).
  public static func entropyGradient<Scalar: TensorScalar>(
    _ logits: Tensor<Scalar>, weights: [Scalar]
  ) -> Tensor<Scalar> {
    let (N, A) = rowsAndActions(logits)
    precondition(weights.count == N, "\(weights.count) weights for \(N) rows of logits")
    let (logProbabilities, probabilities) = softmax(logits)
    let entropies = entropy(logits)
    var gradient = Tensor<Scalar>(shape: logits.shape)
    for i in 0..<(N * A) {
      let row = i / A
      gradient.scalars[i] =
        -weights[row] * probabilities.scalars[i] * (logProbabilities.scalars[i] + entropies[row])
    }
    return gradient
  }

  /// KL(π_old ‖ π_new)ᵢ = Σⱼ π_old,ᵢⱼ·(log π_old,ᵢⱼ − log π_new,ᵢⱼ) per row; 0 when the two
  /// agree and positive otherwise.
  public static func klDivergence<Scalar: TensorScalar>(
    from old: Tensor<Scalar>, to new: Tensor<Scalar>
  ) -> [Scalar] {
    precondition(old.shape == new.shape, "old logits \(old.shape) and new \(new.shape) differ")
    let (N, A) = rowsAndActions(old)
    let (oldLogProbabilities, oldProbabilities) = softmax(old)
    let newLogProbabilities = softmax(new).logProbabilities
    return (0..<N).map { i in
      var sum: Scalar = 0
      for k in (i * A)..<((i + 1) * A) {
        sum +=
          oldProbabilities.scalars[k]
          * (oldLogProbabilities.scalars[k] - newLogProbabilities.scalars[k])
      }
      return sum
    }
  }

  /// ∂(Σᵢ wᵢ·KL(π_old ‖ π_new)ᵢ)/∂l_new,ᵢⱼ = wᵢ·(π_new,ᵢⱼ − π_old,ᵢⱼ); the old logits are
  /// constants.
  public static func klDivergenceGradient<Scalar: TensorScalar>(
    from old: Tensor<Scalar>, to new: Tensor<Scalar>, weights: [Scalar]
  ) -> Tensor<Scalar> {
    precondition(old.shape == new.shape, "old logits \(old.shape) and new \(new.shape) differ")
    let (N, A) = rowsAndActions(new)
    precondition(weights.count == N, "\(weights.count) weights for \(N) rows of logits")
    let oldProbabilities = softmax(old).probabilities
    var gradient = softmax(new).probabilities
    for i in 0..<(N * A) {
      gradient.scalars[i] = weights[i / A] * (gradient.scalars[i] - oldProbabilities.scalars[i])
    }
    return gradient
  }

  /// (N, A) of a logits tensor.
  private static func rowsAndActions<Scalar>(_ logits: Tensor<Scalar>) -> (Int, Int) {
    precondition(
      logits.rank >= 1 && logits.shape.last! > 0, "logits \(logits.shape) are not [N, A > 0]")
    let A = logits.shape.last!
    return (logits.count / A, A)
  }

  /// log π and π together: shift each row by its maximum, exponentiate the whole tensor in one
  /// vectorized call, then normalize row by row.
  private static func softmax<Scalar: TensorScalar>(_ logits: Tensor<Scalar>) -> (
    logProbabilities: Tensor<Scalar>, probabilities: Tensor<Scalar>
  ) {
    let (N, A) = rowsAndActions(logits)
    var shifted = logits
    for i in 0..<N {
      let row = (i * A)..<((i + 1) * A)
      let m = shifted.scalars[row].max()!
      for k in row { shifted.scalars[k] -= m }
    }
    var probabilities = shifted
    probabilities.withUnsafeMutableBufferPointer { p in
      guard let base = p.baseAddress else { return }
      Scalar.expInPlace(base, count: p.count)
    }
    var logProbabilities = shifted
    for i in 0..<N {
      let row = (i * A)..<((i + 1) * A)
      let total = probabilities.scalars[row].reduce(0, +)
      let logTotal = Scalar.log(total)
      for k in row {
        probabilities.scalars[k] /= total
        logProbabilities.scalars[k] -= logTotal
      }
    }
    return (logProbabilities, probabilities)
  }
}
