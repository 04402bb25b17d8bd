import RL2Math

// Legend: T steps, B trials, I input width, H hidden units. Along a 3H axis the gates are
// ordered r (reset), u (update), c (candidate).

/// A gated recurrent unit in the RL² authors' form, batched over trials:
///
///     r  = σ(x·Wxrᵀ + h·Whrᵀ + b_r)
///     u  = σ(x·Wxuᵀ + h·Whuᵀ + b_u)
///     c  = relu(x·Wxcᵀ + b_c + r ⊙ (h·Whcᵀ))
///     h' = (1 − u) ⊙ h + u ⊙ c
///
/// Wx [3H, I] and Wh [3H, H] are weight-normalized (g = 1 at start); Wh starts orthogonal per
/// gate, Wx Xavier, biases zero. A trial that is not live at a step keeps its state unchanged
/// and receives no gradient there. Each step costs one GEMM over all live trials; the input
/// projection of all T steps is one GEMM up front.
public struct GRU<Scalar: TensorScalar>: Sendable {
  public let inputCount: Int
  public let hiddenCount: Int
  public let inputWeight: Linear<Scalar>
  public let recurrentWeight: ParameterSlice
  public let recurrentGain: ParameterSlice

  public init(inputCount: Int, hiddenCount: Int, name: String, layout: inout ParameterLayout) {
    self.inputCount = inputCount
    self.hiddenCount = hiddenCount
    inputWeight = Linear(
      inputCount: inputCount, outputCount: 3 * hiddenCount, weightNormalized: true,
      name: "\(name).input", layout: &layout)
    // The authors scale the orthogonal matrix by 1.1; under weight normalization with g = 1 the
    // scale of v cancels out of W, so 1 is used.
    recurrentWeight = layout.allocate(
      "\(name).recurrent.weight", shape: [3 * hiddenCount, hiddenCount],
      initializer: .orthogonal(blockRows: hiddenCount, scale: 1))
    recurrentGain = layout.allocate(
      "\(name).recurrent.gain", shape: [3 * hiddenCount], initializer: .ones)
  }

  /// The effective matrices, computed once per forward pass or rollout.
  public struct Weights: Sendable {
    /// Wx [3H, I] and Wh [3H, H].
    public let input: Tensor<Scalar>
    public let recurrent: Tensor<Scalar>
    /// b [3H].
    public let bias: [Scalar]
    let inputNorms: [Scalar]
    let recurrentNorms: [Scalar]
  }

  public func weights(_ parameters: Parameters<Scalar>) -> Weights {
    let (input, inputNorms) = inputWeight.effectiveWeight(parameters)
    var recurrent = Tensor<Scalar>(shape: [3 * hiddenCount, hiddenCount])
    let recurrentNorms = recurrent.withUnsafeMutableBufferPointer {
      WeightNorm.forward(
        v: parameters.values(recurrentWeight), g: parameters.values(recurrentGain),
        rows: 3 * hiddenCount, columns: hiddenCount, weight: $0.baseAddress!)
    }
    let bias = Array(parameters.values[inputWeight.bias.range])
    return Weights(
      input: input, recurrent: recurrent, bias: bias, inputNorms: inputNorms,
      recurrentNorms: recurrentNorms)
  }

  /// What `backward` needs from `forward`.
  public struct Cache: Sendable {
    public let stepCount: Int
    public let trialCount: Int
    let weights: Weights
    /// x [T, B, I].
    let input: Tensor<Scalar>
    /// h₀ … h_T [T+1, B, H].
    public let states: Tensor<Scalar>
    /// r, u, c after their activations [T, B, 3H].
    let gates: Tensor<Scalar>
    /// h·Whcᵀ [T, B, H], the recurrent part of the candidate before the reset gate.
    let recurrentCandidate: Tensor<Scalar>
    /// Whether each trial is live at each step [T·B]; nil means all live.
    let live: [Bool]?
  }

  /// Runs T steps for B trials from `initialState` (zeros when nil).
  /// - Returns: the states h₁ … h_T [T, B, H] and the cache for `backward`.
  public func forward(
    _ input: Tensor<Scalar>, initialState: Tensor<Scalar>? = nil, live: [Bool]? = nil,
    _ parameters: Parameters<Scalar>
  ) -> (states: Tensor<Scalar>, cache: Cache) {
    precondition(
      input.rank == 3 && input.shape[2] == inputCount, "input must be [T, B, \(inputCount)]")
    let (T, B, H) = (input.shape[0], input.shape[1], hiddenCount)
    precondition(live == nil || live!.count == T * B, "live mask must have T·B entries")
    let weights = weights(parameters)
    var states = Tensor<Scalar>(shape: [T + 1, B, H])
    if let initialState {
      precondition(initialState.count == B * H, "initial state must be [B, H]")
      states.scalars.replaceSubrange(0..<(B * H), with: initialState.scalars)
    }
    var gates = projectInputs(input, weights)
    var candidate = Tensor<Scalar>(shape: [T, B, H])
    let liveMask = live ?? Array(repeating: true, count: T * B)
    liveMask.withUnsafeBufferPointer { liveMask in
      states.withUnsafeMutableBufferPointer { states in
        gates.withUnsafeMutableBufferPointer { gates in
          candidate.withUnsafeMutableBufferPointer { candidate in
            weights.recurrent.withUnsafeBufferPointer { wh in
              let buffers = StepBuffers(
                states: states.baseAddress!, gates: gates.baseAddress!,
                candidate: candidate.baseAddress!, recurrentWeight: wh.baseAddress!,
                live: liveMask.baseAddress!, stepCount: T, trialCount: B)
              Parallel.forEachRange(count: B) { trials in forwardSteps(buffers, trials: trials) }
            }
          }
        }
      }
    }
    let outputs = Tensor(shape: [T, B, H], scalars: Array(states.scalars[(B * H)...]))
    let cache = Cache(
      stepCount: T, trialCount: B, weights: weights, input: input, states: states, gates: gates,
      recurrentCandidate: candidate, live: live)
    return (outputs, cache)
  }

  /// Pointers into a forward pass's cache tensors, shared by the workers of one pass; each
  /// worker touches only its own trials' rows.
  private struct StepBuffers {
    /// h₀ … h_T [T+1, B, H], gates [T, B, 3H], candidate [T, B, H].
    let states: UnsafeMutablePointer<Scalar>
    let gates: UnsafeMutablePointer<Scalar>
    let candidate: UnsafeMutablePointer<Scalar>
    /// Wh [3H, H].
    let recurrentWeight: UnsafePointer<Scalar>
    /// [T, B].
    let live: UnsafePointer<Bool>
    let stepCount: Int
    let trialCount: Int
  }

  /// The time loop of `forward` for one contiguous range of trials: per step one GEMM of the
  /// range's states with Wh, then the cell's elementwise part.
  private func forwardSteps(_ buffers: StepBuffers, trials: Range<Int>) {
    let (B, H, b0) = (buffers.trialCount, hiddenCount, trials.lowerBound)
    var recurrent = [Scalar](repeating: 0, count: trials.count * 3 * H)
    recurrent.withUnsafeMutableBufferPointer { recurrent in
      for t in 0..<buffers.stepCount {
        let previous = buffers.states + (t * B + b0) * H
        BLAS.gemm(
          transposeB: true, m: trials.count, n: 3 * H, k: H, a: previous, lda: H,
          b: buffers.recurrentWeight, ldb: H, c: recurrent.baseAddress!, ldc: 3 * H)
        cellForward(
          gates: buffers.gates + (t * B + b0) * 3 * H, recurrent: recurrent.baseAddress!,
          candidate: buffers.candidate + (t * B + b0) * H, previous: previous,
          next: previous + B * H, live: buffers.live + t * B + b0, trialCount: trials.count)
      }
    }
  }

  /// One step for B trials without a cache, for rollouts: h ← GRU(x, h) where live.
  public func step(
    _ input: UnsafePointer<Scalar>, state: UnsafeMutablePointer<Scalar>,
    live: UnsafePointer<Bool>?,
    trialCount B: Int, weights: Weights, scratch: inout StepScratch
  ) {
    let H = hiddenCount
    scratch.reserve(trialCount: B, hiddenCount: H)
    scratch.gates.withUnsafeMutableBufferPointer { gates in
      scratch.recurrent.withUnsafeMutableBufferPointer { recurrent in
        scratch.candidate.withUnsafeMutableBufferPointer { candidate in
          scratch.next.withUnsafeMutableBufferPointer { next in
            project(input, rows: B, weights, into: gates.baseAddress!)
            weights.recurrent.withUnsafeBufferPointer { wh in
              BLAS.gemm(
                transposeB: true, m: B, n: 3 * H, k: H, a: state, lda: H, b: wh.baseAddress!,
                ldb: H, c: recurrent.baseAddress!, ldc: 3 * H)
            }
            cellForward(
              gates: gates.baseAddress!, recurrent: recurrent.baseAddress!,
              candidate: candidate.baseAddress!, previous: state, next: next.baseAddress!,
              live: live, trialCount: B)
            state.update(from: next.baseAddress!, count: B * H)
          }
        }
      }
    }
  }

  /// Reusable buffers for `step`, so a rollout allocates nothing per step.
  public struct StepScratch: Sendable {
    var gates: [Scalar] = []
    var recurrent: [Scalar] = []
    var candidate: [Scalar] = []
    var next: [Scalar] = []

    public init() {}

    mutating func reserve(trialCount B: Int, hiddenCount H: Int) {
      guard gates.count != B * 3 * H else { return }
      gates = Array(repeating: 0, count: B * 3 * H)
      recurrent = gates
      candidate = Array(repeating: 0, count: B * H)
      next = candidate
    }
  }

  /// x·Wxᵀ + b for all rows of x at once [rows, 3H].
  private func projectInputs(_ input: Tensor<Scalar>, _ weights: Weights) -> Tensor<Scalar> {
    let rows = input.count / inputCount
    var gates = Tensor<Scalar>(shape: [input.shape[0], input.shape[1], 3 * hiddenCount])
    input.withUnsafeBufferPointer { x in
      gates.withUnsafeMutableBufferPointer { g in
        project(x.baseAddress!, rows: rows, weights, into: g.baseAddress!)
      }
    }
    return gates
  }

  private func project(
    _ x: UnsafePointer<Scalar>, rows: Int, _ weights: Weights, into g: UnsafeMutablePointer<Scalar>
  ) {
    let width = 3 * hiddenCount
    weights.bias.withUnsafeBufferPointer { b in
      for row in 0..<rows { (g + row * width).update(from: b.baseAddress!, count: width) }
    }
    weights.input.withUnsafeBufferPointer { wx in
      BLAS.gemm(
        transposeB: true, m: rows, n: width, k: inputCount, a: x, lda: inputCount,
        b: wx.baseAddress!, ldb: inputCount, beta: 1, c: g, ldc: width)
    }
  }

  /// The elementwise part of one step. On entry `gates` holds x·Wxᵀ + b and `recurrent`
  /// h·Whᵀ; on exit `gates` holds r, u, c and `candidate` h·Whcᵀ.
  @inline(__always)
  private func cellForward(
    gates: UnsafeMutablePointer<Scalar>, recurrent: UnsafePointer<Scalar>,
    candidate: UnsafeMutablePointer<Scalar>, previous: UnsafePointer<Scalar>,
    next: UnsafeMutablePointer<Scalar>, live: UnsafePointer<Bool>?, trialCount B: Int
  ) {
    let H = hiddenCount
    for b in 0..<B {
      let g = gates + b * 3 * H
      let rec = recurrent + b * 3 * H
      let hc = candidate + b * H
      let hPrevious = previous + b * H
      let hNext = next + b * H
      for j in 0..<(2 * H) { g[j] += rec[j] }
      Scalar.sigmoidInPlace(g, count: 2 * H)
      let isLive = live?[b] ?? true
      for j in 0..<H {
        let recurrentCandidate = rec[2 * H + j]
        hc[j] = recurrentCandidate
        let c = Swift.max(0, g[2 * H + j] + g[j] * recurrentCandidate)
        g[2 * H + j] = c
        let h = hPrevious[j]
        hNext[j] = isLive ? h + g[H + j] * (c - h) : h
      }
    }
  }

  /// Gradients with respect to the inputs of `forward`.
  public struct InputGradients: Sendable {
    /// ∂L/∂x [T, B, I], when requested.
    public let input: Tensor<Scalar>?
    /// ∂L/∂h₀ [B, H].
    public let initialState: Tensor<Scalar>
  }

  /// Backpropagation through time: the step loop of `forward` in exact reverse.
  ///
  /// `statesGradient` is ∂L/∂h₁ … ∂L/∂h_T [T, B, H]; `finalStateGradient` optionally adds
  /// ∂L/∂h_T from beyond the sequence. Parameter gradients accumulate into `parameters`.
  public func backward(
    _ statesGradient: Tensor<Scalar>, finalStateGradient: Tensor<Scalar>? = nil,
    _ cache: Cache, _ parameters: Parameters<Scalar>, computeInputGradient: Bool = true
  ) -> InputGradients {
    let (T, B, H) = (cache.stepCount, cache.trialCount, hiddenCount)
    precondition(statesGradient.count == T * B * H, "states gradient must be [T, B, H]")
    var gatesGradient = Tensor<Scalar>(shape: [T, B, 3 * H])
    var recurrentGradient = Tensor<Scalar>(shape: [T, B, 3 * H])
    let liveMask = cache.live ?? Array(repeating: true, count: T * B)
    var initialStateGradient = finalStateGradient ?? Tensor<Scalar>(shape: [B, H])
    initialStateGradient.withUnsafeMutableBufferPointer { dh in
      statesGradient.withUnsafeBufferPointer { dStates in
        cache.states.withUnsafeBufferPointer { states in
          cache.gates.withUnsafeBufferPointer { gates in
            cache.recurrentCandidate.withUnsafeBufferPointer { candidate in
              gatesGradient.withUnsafeMutableBufferPointer { dGates in
                recurrentGradient.withUnsafeMutableBufferPointer { dRecurrent in
                  cache.weights.recurrent.withUnsafeBufferPointer { wh in
                    liveMask.withUnsafeBufferPointer { live in
                      let buffers = BackwardBuffers(
                        stateGradient: dh.baseAddress!, statesGradient: dStates.baseAddress!,
                        states: states.baseAddress!, gates: gates.baseAddress!,
                        candidate: candidate.baseAddress!, gatesGradient: dGates.baseAddress!,
                        recurrentGradient: dRecurrent.baseAddress!,
                        recurrentWeight: wh.baseAddress!, live: live.baseAddress!,
                        stepCount: T, trialCount: B)
                      Parallel.forEachRange(count: B) { backwardSteps(buffers, trials: $0) }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    accumulateRecurrentGradient(recurrentGradient, cache, parameters)
    let inputCache = Linear<Scalar>.Cache(
      input: cache.input, effectiveWeight: cache.weights.input, norms: cache.weights.inputNorms)
    let inputGradient = inputWeight.backward(
      gatesGradient.reshaped([T * B, 3 * H]), inputCache, parameters,
      computeInputGradient: computeInputGradient)
    return InputGradients(
      input: inputGradient?.reshaped([T, B, inputCount]),
      initialState: initialStateGradient)
  }

  /// Pointers into a backward pass's tensors; each worker touches only its own trials' rows.
  private struct BackwardBuffers {
    /// ∂L/∂h [B, H]: on entry ∂L/∂h_T from beyond the sequence, on exit ∂L/∂h₀.
    let stateGradient: UnsafeMutablePointer<Scalar>
    /// ∂L/∂h₁ … ∂L/∂h_T [T, B, H].
    let statesGradient: UnsafePointer<Scalar>
    /// The forward cache: h₀ … h_T [T+1, B, H], gates [T, B, 3H], candidate [T, B, H].
    let states: UnsafePointer<Scalar>
    let gates: UnsafePointer<Scalar>
    let candidate: UnsafePointer<Scalar>
    /// Pre-activation gradients of the input path and of the recurrent path [T, B, 3H].
    let gatesGradient: UnsafeMutablePointer<Scalar>
    let recurrentGradient: UnsafeMutablePointer<Scalar>
    /// Wh [3H, H].
    let recurrentWeight: UnsafePointer<Scalar>
    /// [T, B].
    let live: UnsafePointer<Bool>
    let stepCount: Int
    let trialCount: Int
  }

  /// The time loop of `backward` for one contiguous range of trials, in exact reverse of
  /// `forwardSteps`: ∂L/∂h_{t−1} = (1 − u) ⊙ ∂L/∂h_t + dR_t·Wh.
  private func backwardSteps(_ buffers: BackwardBuffers, trials: Range<Int>) {
    let (B, H, b0, n) = (buffers.trialCount, hiddenCount, trials.lowerBound, trials.count)
    let dh = buffers.stateGradient + b0 * H
    var previousGradient = [Scalar](repeating: 0, count: n * H)
    previousGradient.withUnsafeMutableBufferPointer { previousGradient in
      let dPrevious = previousGradient.baseAddress!
      for t in stride(from: buffers.stepCount - 1, through: 0, by: -1) {
        let row = t * B + b0
        BLAS.axpy(count: n * H, alpha: 1, x: buffers.statesGradient + row * H, y: dh)
        cellBackward(
          stateGradient: dh, gates: buffers.gates + row * 3 * H,
          candidate: buffers.candidate + row * H, previous: buffers.states + row * H,
          live: buffers.live + row, trialCount: n,
          gatesGradient: buffers.gatesGradient + row * 3 * H,
          recurrentGradient: buffers.recurrentGradient + row * 3 * H,
          previousGradient: dPrevious)
        BLAS.gemm(
          m: n, n: H, k: 3 * H, a: buffers.recurrentGradient + row * 3 * H, lda: 3 * H,
          b: buffers.recurrentWeight, ldb: H, beta: 1, c: dPrevious, ldc: H)
        dh.update(from: dPrevious, count: n * H)
      }
    }
  }

  /// The elementwise part of one step in reverse: from ∂L/∂h_t to the pre-activation gradients
  /// (input path into `gatesGradient`, recurrent path into `recurrentGradient`) and the direct
  /// part of ∂L/∂h_{t−1}.
  @inline(__always)
  private func cellBackward(
    stateGradient dh: UnsafePointer<Scalar>, gates: UnsafePointer<Scalar>,
    candidate: UnsafePointer<Scalar>, previous: UnsafePointer<Scalar>,
    live: UnsafePointer<Bool>, trialCount B: Int, gatesGradient: UnsafeMutablePointer<Scalar>,
    recurrentGradient: UnsafeMutablePointer<Scalar>,
    previousGradient dPrevious: UnsafeMutablePointer<Scalar>
  ) {
    let H = hiddenCount
    for b in 0..<B {
      let dhRow = dh + b * H
      let dPreviousRow = dPrevious + b * H
      guard live[b] else {
        dPreviousRow.update(from: dhRow, count: H)
        continue
      }
      let g = gates + b * 3 * H
      let hc = candidate + b * H
      let hPrevious = previous + b * H
      let dG = gatesGradient + b * 3 * H
      let dR = recurrentGradient + b * 3 * H
      for j in 0..<H {
        let (r, u, c) = (g[j], g[H + j], g[2 * H + j])
        let d = dhRow[j]
        dPreviousRow[j] = d * (1 - u)
        let dCandidate: Scalar = c > 0 ? d * u : 0
        let dReset = dCandidate * hc[j] * r * (1 - r)
        let dUpdate = d * (c - hPrevious[j]) * u * (1 - u)
        dG[j] = dReset
        dG[H + j] = dUpdate
        dG[2 * H + j] = dCandidate
        dR[j] = dReset
        dR[H + j] = dUpdate
        dR[2 * H + j] = dCandidate * r
      }
    }
  }

  /// ∂L/∂Wh = Σ_t dR_tᵀ·h_{t−1} as one GEMM over all steps, then through weight normalization.
  private func accumulateRecurrentGradient(
    _ recurrentGradient: Tensor<Scalar>, _ cache: Cache, _ parameters: Parameters<Scalar>
  ) {
    let (rows, H) = (cache.stepCount * cache.trialCount, hiddenCount)
    var weightGradient = Tensor<Scalar>(shape: [3 * H, H])
    recurrentGradient.withUnsafeBufferPointer { dR in
      cache.states.withUnsafeBufferPointer { states in
        weightGradient.withUnsafeMutableBufferPointer { dW in
          BLAS.gemm(
            transposeA: true, m: 3 * H, n: H, k: rows, a: dR.baseAddress!, lda: 3 * H,
            b: states.baseAddress!, ldb: H, c: dW.baseAddress!, ldc: H)
        }
      }
    }
    weightGradient.withUnsafeBufferPointer { dW in
      WeightNorm.backward(
        weightGradient: dW.baseAddress!, v: parameters.values(recurrentWeight),
        g: parameters.values(recurrentGain), norms: cache.weights.recurrentNorms, rows: 3 * H,
        columns: H, vGradient: parameters.gradients(recurrentWeight),
        gGradient: parameters.gradients(recurrentGain))
    }
  }
}
