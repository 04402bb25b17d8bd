import Dispatch

// Legend: s successes and f failures seen on the arm, d = s + f, h remaining pulls, λ the
// known arm's payment per pull, γ the discount, N the truncation depth, G the λ grid intervals.

/// Gittins indices of a Beta(1 + s, 1 + f) Bernoulli arm by calibration against a known arm
/// (Gittins, Glazebrook & Weber, "Multi-armed Bandit Allocation Indices", 2nd ed. 2011, ch. 8):
/// the index of a state is the payment λ per pull at which retiring to the known arm for good
/// ties with pulling the unknown arm once more and continuing optimally, retiring later if that
/// pays.
///
/// In excess-over-retiring form, U = V − (value of retiring now) obeys, at every λ,
///
///     D(λ) = (p − λ) + c · (p · U⁺ + (1 − p) · U⁻),    U = max(0, D),    p = (1 + s)/(2 + d),
///
/// with U⁺, U⁻ the successor states after a success or a failure, c = 1 undiscounted
/// (finite horizon: the successors have h − 1 pulls left, and U = 0 when h = 0) or c = γ
/// (discounted: the successors are one row deeper, and the look-ahead is cut at depth N where
/// the arm is treated as known at its mean, U = max(0, p − λ)/(1 − γ)). D is the advantage of
/// pulling once more over retiring; the index is its root. D is convex and decreasing in λ
/// with slope at most −1, positive at λ = 0 and negative at λ = 1.
///
/// Every state's root is found on one pass over a grid λ_j = j/G: the recursion is run for
/// 8 grid points at once (a block of SIMD lanes; consecutive blocks share their end points),
/// and the slope dD/dλ is carried beside D (a subgradient, −1 + c·(p·G⁺ + (1 − p)·G⁻) with
/// G = dU/dλ). On the grid interval where D changes sign the root r is bracketed: the tangents
/// at both ends, lying below the convex D, give r ≥ max(t₀, t₁); the chord, lying above, gives
/// r ≤ the secant root. The table keeps max(t₀, t₁), exact when D has at most one kink in the
/// interval, and the largest bracket width as its certified error.
enum GittinsCalibration {
  typealias Lanes = SIMD8<Double>
  /// Grid intervals per block: 8 lanes, the last shared with the next block.
  static let intervalsPerBlock = Lanes.scalarCount - 1

  /// Where a state's root went: its offset in the table, and the bracket's width.
  struct Output {
    let values: UnsafeMutableBufferPointer<Float>
    var largestBracket = 0.0

    mutating func store(_ offset: Int, root: Double, bracket: Double) {
      values[offset] = Float(root)
      largestBracket = max(largestBracket, bracket)
    }
  }

  /// The finite-horizon index of every state with s + f + h ≤ `horizon`, stored at
  /// `FiniteHorizonLayout.offset`. States with the same e = s + f + h depend only on each
  /// other (a pull moves one observation from h to d), so each e is a chain of rows computed
  /// from its terminal row d = e, h = 0 up to d = 0, h = e, in cache-sized buffers.
  static func finiteHorizon(horizon: Int, gridIntervals: Int, threads: Int) -> (
    values: [Float], largestBracket: Double
  ) {
    let count = FiniteHorizonLayout(horizon: horizon).count
    return calibrate(count: count, gridIntervals: gridIntervals, threads: threads) {
      lambda, rows, output in
      for e in stride(from: 1, through: horizon, by: 1) {
        rows.setTerminal(width: e + 1) { _ in (Lanes(), Lanes()) }
        for h in 1...e {
          rows.step(row: e - h, lambda: lambda, continuation: 1) { s, root, bracket in
            output.store(
              FiniteHorizonLayout.offset(successes: s, failures: e - h - s, remaining: h),
              root: root, bracket: bracket)
          }
        }
      }
    }
  }

  /// The discounted index of every state with s + f ≤ `observations`, stored at
  /// d(d + 1)/2 + s, from one backward sweep over the rows d = N − 1, …, 0 below the terminal
  /// row d = N = `truncation`.
  static func discounted(
    discount gamma: Double, observations: Int, truncation: Int, gridIntervals: Int, threads: Int
  ) -> (values: [Float], largestBracket: Double) {
    let count = (observations + 1) * (observations + 2) / 2
    let knownArmScale = 1 / (1 - gamma)
    return calibrate(count: count, gridIntervals: gridIntervals, threads: threads) {
      lambda, rows, output in
      rows.setTerminal(width: truncation + 1) { s in
        let p = Double(1 + s) / Double(2 + truncation)
        let pulling = Lanes(repeating: p) .> lambda
        return (
          Lanes(repeating: 0).replacing(
            with: (Lanes(repeating: p) - lambda) * knownArmScale, where: pulling),
          Lanes(repeating: 0).replacing(with: -knownArmScale, where: pulling)
        )
      }
      for d in stride(from: truncation - 1, through: 0, by: -1) {
        rows.step(row: d, lambda: lambda, continuation: gamma) { s, root, bracket in
          if d <= observations { output.store(d * (d + 1) / 2 + s, root: root, bracket: bracket) }
        }
      }
    }
  }

  /// Runs `sweep` once per λ block, the blocks split across `threads` workers. Each state's
  /// root lies in exactly one block, so the workers write disjoint entries.
  static func calibrate(
    count: Int, gridIntervals: Int, threads: Int,
    sweep: (_ lambda: Lanes, _ rows: inout Rows, _ output: inout Output) -> Void
  ) -> (values: [Float], largestBracket: Double) {
    precondition(
      gridIntervals > 0 && gridIntervals % intervalsPerBlock == 0,
      "the λ grid needs a positive multiple of \(intervalsPerBlock) intervals, got \(gridIntervals)"
    )
    let blocks = gridIntervals / intervalsPerBlock
    let workers = max(1, min(threads, blocks))
    var values = [Float](repeating: .nan, count: count)
    var brackets = [Double](repeating: 0, count: workers)
    values.withUnsafeMutableBufferPointer { buffer in
      let shared = SendableBuffer(values: buffer)
      brackets.withUnsafeMutableBufferPointer { bracketBuffer in
        let largest = SendableBuffer(values: bracketBuffer)
        withoutActuallyEscaping(sweep) { sweep in
          let work = SendableSweep(body: sweep)
          DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var output = Output(values: shared.values)
            var rows = Rows()
            for block in stride(from: worker, to: blocks, by: workers) {
              let first = Double(block * intervalsPerBlock)
              let lambda = (Lanes(0, 1, 2, 3, 4, 5, 6, 7) + first) / Double(gridIntervals)
              work.body(lambda, &rows, &output)
            }
            largest.values[worker] = output.largestBracket
          }
        }
      }
    }
    precondition(!values.contains { $0.isNaN }, "a Gittins index was not bracketed on the λ grid")
    return (values, brackets.max() ?? 0)
  }
}

/// Two rows of (U, dU/dλ) over one λ block, reused from row to row: `next` holds row d + 1
/// while row d is computed into `current`. The hot loop uses whole-vector operations only
/// (reading single lanes of a SIMD8 there is slow).
struct GittinsCalibrationRows {
  typealias Lanes = GittinsCalibration.Lanes
  private var next: [Lanes] = []
  private var nextSlope: [Lanes] = []
  private var current: [Lanes] = []
  private var currentSlope: [Lanes] = []

  /// Sets row d + 1 = width − 1 to the terminal values (U, dU/dλ) of each s.
  mutating func setTerminal(width: Int, _ terminal: (Int) -> (Lanes, Lanes)) {
    if next.count < width {
      next = Array(repeating: Lanes(), count: width)
      nextSlope = next
      current = next
      currentSlope = next
    }
    for s in 0..<width { (next[s], nextSlope[s]) = terminal(s) }
  }

  /// Computes row d (states s = 0…d) from row d + 1, reports every state whose root lies in
  /// this block as (s, root, bracket width), and makes row d the next row.
  mutating func step(
    row d: Int, lambda: Lanes, continuation c: Double, found: (Int, Double, Double) -> Void
  ) {
    next.withUnsafeBufferPointer { next in
      nextSlope.withUnsafeBufferPointer { nextSlope in
        current.withUnsafeMutableBufferPointer { current in
          currentSlope.withUnsafeMutableBufferPointer { currentSlope in
            let rowScale = 1 / Double(2 + d)
            // From the most successful state down: D grows with s by at least 1/(2 + d) in
            // every lane, so once a state retires in every lane all below it do too.
            for s in stride(from: d, through: 0, by: -1) {
              let p = Double(1 + s) * rowScale
              let (up, down) = (next[s + 1], next[s])
              let (upSlope, downSlope) = (nextSlope[s + 1], nextSlope[s])
              let excess = (p - lambda) + c * (down + p * (up - down))
              let slope = c * (downSlope + p * (upSlope - downSlope)) - 1
              let retiring = excess .<= 0
              current[s] = excess.replacing(with: 0, where: retiring)
              currentSlope[s] = slope.replacing(with: 0, where: retiring)
              if all(retiring) {
                for below in 0..<s { (current[below], currentSlope[below]) = (Lanes(), Lanes()) }
                break
              }
              // D decreases along the lanes, so a mixed mask is a sign change inside the block.
              if any(retiring) {
                let (root, bracket) = Self.root(excess, slope, lambda)
                found(s, root, bracket)
              }
            }
          }
        }
      }
    }
    swap(&next, &current)
    swap(&nextSlope, &currentSlope)
  }

  /// The root on the grid interval where D turns non-positive: the larger tangent root, and
  /// the distance to the secant root above it.
  static func root(_ excess: Lanes, _ slope: Lanes, _ lambda: Lanes) -> (Double, Double) {
    var j = 0
    while excess[j + 1] > 0 { j += 1 }
    let (low, high) = (lambda[j], lambda[j + 1])
    let secant = low + (high - low) * excess[j] / (excess[j] - excess[j + 1])
    let leftTangent = low - excess[j] / slope[j]
    let rightTangent = high - excess[j + 1] / slope[j + 1]
    let tangent = min(max(leftTangent, rightTangent, low), secant)
    return (tangent, secant - tangent)
  }
}

extension GittinsCalibration {
  typealias Rows = GittinsCalibrationRows
}

/// A buffer the workers of `GittinsCalibration.calibrate` write at disjoint indices.
private struct SendableBuffer<Element>: @unchecked Sendable {
  let values: UnsafeMutableBufferPointer<Element>
}

private struct SendableSweep: @unchecked Sendable {
  let body:
    (GittinsCalibration.Lanes, inout GittinsCalibration.Rows, inout GittinsCalibration.Output)
      -> Void
}
