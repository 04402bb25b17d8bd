// Slow, plainly written references for the Gittins tests, sharing no code with the fast
// calibration: a memoized recursive DP for the value of the arm-or-retire problem at one λ,
// and bisection on λ for the index.

/// The value of a Beta(1 + s, 1 + f) arm with h pulls left and the option to retire to a known
/// arm paying λ per pull: V = max(hλ, p(1 + V(s + 1, f, h − 1)) + (1 − p)V(s, f + 1, h − 1)).
struct FiniteHorizonReference {
  let lambda: Double
  private var memo: [Int: Double] = [:]

  init(lambda: Double) { self.lambda = lambda }

  mutating func value(_ s: Int, _ f: Int, _ h: Int) -> Double {
    if h == 0 { return 0 }
    let key = (s * 1000 + f) * 1000 + h
    if let known = memo[key] { return known }
    let result = max(Double(h) * lambda, continuing(s, f, h))
    memo[key] = result
    return result
  }

  /// Pull now, then act optimally.
  mutating func continuing(_ s: Int, _ f: Int, _ h: Int) -> Double {
    let p = Double(1 + s) / Double(2 + s + f)
    return p * (1 + value(s + 1, f, h - 1)) + (1 - p) * value(s, f + 1, h - 1)
  }

  /// The λ at which pulling once more ties with retiring, by 60 halvings of [0, 1].
  static func index(_ s: Int, _ f: Int, _ h: Int) -> Double {
    bisect { lambda in
      var reference = FiniteHorizonReference(lambda: lambda)
      return reference.continuing(s, f, h) > Double(h) * lambda
    }
  }
}

/// The γ-discounted arm-or-retire problem, cut at depth s + f = N where the arm counts as known
/// at its mean: V = max(λ/(1 − γ), p(1 + γV(s + 1, f)) + (1 − p)γV(s, f + 1)).
struct DiscountedReference {
  let lambda: Double
  let gamma: Double
  let truncation: Int
  private var memo: [Int: Double] = [:]

  init(lambda: Double, gamma: Double, truncation: Int) {
    (self.lambda, self.gamma, self.truncation) = (lambda, gamma, truncation)
  }

  mutating func value(_ s: Int, _ f: Int) -> Double {
    let retire = lambda / (1 - gamma)
    if s + f == truncation {
      return max(retire, Double(1 + s) / Double(2 + s + f) / (1 - gamma))
    }
    if let known = memo[s * 100_000 + f] { return known }
    let result = max(retire, continuing(s, f))
    memo[s * 100_000 + f] = result
    return result
  }

  mutating func continuing(_ s: Int, _ f: Int) -> Double {
    let p = Double(1 + s) / Double(2 + s + f)
    return p * (1 + gamma * value(s + 1, f)) + (1 - p) * gamma * value(s, f + 1)
  }

  static func index(_ s: Int, _ f: Int, gamma: Double, truncation: Int) -> Double {
    bisect { lambda in
      var reference = DiscountedReference(lambda: lambda, gamma: gamma, truncation: truncation)
      return reference.continuing(s, f) > lambda / (1 - gamma)
    }
  }
}

/// The boundary of a predicate true below it and false above it on [0, 1].
private func bisect(_ isBelowIndex: (Double) -> Bool) -> Double {
  var (low, high) = (0.0, 1.0)
  for _ in 0..<60 {
    let middle = (low + high) / 2
    if isBelowIndex(middle) { low = middle } else { high = middle }
  }
  return (low + high) / 2
}

/// Two-armed Bernoulli bandits with independent U[0, 1] priors, solved exactly over the joint
/// posterior state (s₁, f₁, s₂, f₂): the Bayes-optimal expected total reward, and the expected
/// total reward of an index policy (ties split evenly, as a uniform random tie break does).
struct TwoArmedBayesProblem {
  let pulls: Int

  func bayesOptimalValue() -> Double {
    var memo: [Int: Double] = [:]
    func value(_ state: [Int]) -> Double {
      let h = pulls - state.reduce(0, +)
      if h == 0 { return 0 }
      let key = state.reduce(0) { $0 * 64 + $1 }
      if let known = memo[key] { return known }
      let result = max(pullValue(0, state, value), pullValue(1, state, value))
      memo[key] = result
      return result
    }
    return value([0, 0, 0, 0])
  }

  /// `index(s, f, h)` scores an arm with s successes and f failures when h pulls remain.
  func value(ofIndexPolicy index: (Int, Int, Int) -> Double) -> Double {
    var memo: [Int: Double] = [:]
    func value(_ state: [Int]) -> Double {
      let h = pulls - state.reduce(0, +)
      if h == 0 { return 0 }
      let key = state.reduce(0) { $0 * 64 + $1 }
      if let known = memo[key] { return known }
      let first = index(state[0], state[1], h)
      let second = index(state[2], state[3], h)
      let result =
        first > second
        ? pullValue(0, state, value)
        : first < second
          ? pullValue(1, state, value)
          : (pullValue(0, state, value) + pullValue(1, state, value)) / 2
      memo[key] = result
      return result
    }
    return value([0, 0, 0, 0])
  }

  /// Expected reward of pulling `arm` now plus `next` of the resulting state.
  private func pullValue(_ arm: Int, _ state: [Int], _ next: ([Int]) -> Double) -> Double {
    let (s, f) = (state[2 * arm], state[2 * arm + 1])
    let p = Double(1 + s) / Double(2 + s + f)
    var success = state
    success[2 * arm] += 1
    var failure = state
    failure[2 * arm + 1] += 1
    return p * (1 + next(success)) + (1 - p) * next(failure)
  }
}
