/// Samplers for the distributions the task priors and the Bayesian baselines need: Gamma, Beta,
/// Dirichlet, Bernoulli and uniform integers. Each draws only from `self`, so a task sampled
/// from a stream is a pure function of that stream.
extension RandomStream {
  /// Gamma(shape, 1) by Marsaglia & Tsang, "A simple method for generating gamma variables"
  /// (ACM TOMS 26(3), 2000).
  ///
  /// For shape a ≥ 1, with d = a − ⅓ and c = 1/√(9d): draw x ~ N(0, 1), v = (1 + c·x)³, u ~ U(0, 1)
  /// and accept d·v when v > 0 and log u < x²/2 + d − d·v + d·log v (the squeeze
  /// u < 1 − 0.0331·x⁴ skips the logarithms most of the time). For a < 1 the same paper's boost:
  /// Gamma(a) = Gamma(a + 1) · u^(1/a).
  public mutating func gamma(shape: Double) -> Double {
    precondition(
      shape > 0 && shape.isFinite, "gamma shape must be positive and finite, got \(shape)")
    if shape < 1 {
      let u = 1 - uniform()
      return gamma(shape: shape + 1) * LibM.exp(LibM.log(u) / shape)
    }
    let d = shape - 1.0 / 3
    let c = 1 / (9 * d).squareRoot()
    while true {
      let x = normal()
      var v = 1 + c * x
      guard v > 0 else { continue }
      v = v * v * v
      let u = uniform()
      let xSquared = x * x
      if u < 1 - 0.0331 * xSquared * xSquared { return d * v }
      if LibM.log(u) < 0.5 * xSquared + d * (1 - v + LibM.log(v)) { return d * v }
    }
  }

  /// Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
  public mutating func beta(_ a: Double, _ b: Double) -> Double {
    precondition(a > 0 && b > 0, "beta parameters must be positive, got (\(a), \(b))")
    let x = gamma(shape: a)
    let y = gamma(shape: b)
    // Both underflow only for tiny parameters, where the Beta puts its mass at the ends.
    guard x + y > 0 else { return bernoulli(a / (a + b)) ? 1 : 0 }
    return x / (x + y)
  }

  /// Dirichlet(α₁, …, α_K) as (G₁, …, G_K) / Σ Gᵢ with Gᵢ ~ Gamma(αᵢ) independent.
  public mutating func dirichlet(_ alpha: [Double]) -> [Double] {
    precondition(!alpha.isEmpty, "a Dirichlet needs at least one concentration parameter")
    var draws = alpha.map { gamma(shape: $0) }
    let total = draws.reduce(0, +)
    // Every Gᵢ underflows only when all αᵢ are tiny; the limit puts all mass on one corner.
    guard total > 0 else {
      let corner = alpha.withUnsafeBufferPointer { index(weightedBy: $0) }
      return alpha.indices.map { $0 == corner ? 1 : 0 }
    }
    for i in draws.indices { draws[i] /= total }
    return draws
  }

  /// Dirichlet(1, …, 1) on `count` categories, the uniform distribution on the simplex: normalized
  /// standard exponentials −log u (Gamma(1) exactly).
  public mutating func dirichlet(flat count: Int) -> [Double] {
    precondition(count >= 1, "a Dirichlet needs at least one category, got \(count)")
    var draws = (0..<count).map { _ in -LibM.log(1 - uniform()) }
    let total = draws.reduce(0, +)
    guard total > 0 else { return dirichlet(flat: count) }
    for i in draws.indices { draws[i] /= total }
    return draws
  }

  /// True with probability `p`.
  public mutating func bernoulli(_ p: Double) -> Bool {
    precondition(p >= 0 && p <= 1, "Bernoulli probability must lie in [0, 1], got \(p)")
    return uniform() < p
  }

  /// Uniform on 0..<n without modulo bias, by Lemire, "Fast random integer generation in an
  /// interval" (ACM TOMACS 29(1), 2019): the high word of a 64×64-bit product, rejecting the
  /// (2⁶⁴ mod n) low words that would over-represent some results.
  public mutating func integer(below n: Int) -> Int {
    precondition(n > 0, "integer(below:) needs a positive bound, got \(n)")
    let bound = UInt64(n)
    var product = next().multipliedFullWidth(by: bound)
    if product.low < bound {
      let threshold = (0 &- bound) % bound
      while product.low < threshold {
        product = next().multipliedFullWidth(by: bound)
      }
    }
    return Int(product.high)
  }
}
