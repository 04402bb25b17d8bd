import RL2Math

// Legend: T steps, B trials, I input width, H hidden units. Along a 3H axis the gates are
// ordered r (reset), u (update), c (candidate).

extension GRU {
  /// Forward mode (a Jacobian-vector product): the directional derivative of the states
  /// h₁ … h_T along the parameter tangent θ̇ (a flat vector laid out like `parameters.values`,
  /// i.e. the whole network's vector) and an optional input tangent ẋ [T, B, I], at the
  /// trajectory recorded in `cache`. The initial state's tangent is 0.
  ///
  /// With the pre-activations Gx = x·Wxᵀ + b and R = h_{t−1}·Whᵀ of `forward`:
  ///
  ///     Ġx  = ẋ·Wxᵀ + x·Ẇxᵀ + ḃ
  ///     Ṙ   = ḣ_{t−1}·Whᵀ + h_{t−1}·Ẇhᵀ
  ///     ṙ   = r(1 − r)(Ġx_r + Ṙ_r),   u̇ = u(1 − u)(Ġx_u + Ṙ_u)
  ///     ċ   = [c > 0]·(Ġx_c + ṙ ⊙ R_c + r ⊙ Ṙ_c)
  ///     ḣ_t = ḣ_{t−1} + u̇ ⊙ (c − h_{t−1}) + u ⊙ (ċ − ḣ_{t−1})
  ///
  /// and ḣ_t = ḣ_{t−1} where a trial is not live. Ẇx and Ẇh go through weight normalization
  /// (`WeightNorm.tangent`), once per call. x·Ẇxᵀ, ẋ·Wxᵀ and h_{t−1}·Ẇhᵀ are GEMMs over all
  /// T·B rows up front, so each step costs one GEMM, ḣ_{t−1}·Whᵀ, as in `forward`.
  /// - Returns: ḣ₁ … ḣ_T [T, B, H].
  public func tangent(
    _ cache: Cache, parameterTangent: UnsafePointer<Scalar>, inputTangent: Tensor<Scalar>? = nil,
    _ parameters: Parameters<Scalar>
  ) -> Tensor<Scalar> {
    let (T, B, H) = (cache.stepCount, cache.trialCount, hiddenCount)
    precondition(
      inputTangent == nil || inputTangent!.count == T * B * inputCount,
      "input tangent must be [\(T), \(B), \(inputCount)] like the cached input")
    let inputCache = Linear<Scalar>.Cache(
      input: cache.input, effectiveWeight: cache.weights.input, norms: cache.weights.inputNorms)
    var gatesTangent = inputWeight.tangent(
      inputCache, parameterTangent: parameterTangent, inputTangent: inputTangent, parameters)
    var statesTangent = Tensor<Scalar>(shape: [T, B, H])
    addRecurrentWeightTangent(
      cache, parameterTangent: parameterTangent, parameters, gatesTangent: &gatesTangent,
      candidateTangent: &statesTangent)
    let liveMask = cache.live ?? Array(repeating: true, count: T * B)
    liveMask.withUnsafeBufferPointer { live in
      gatesTangent.withUnsafeBufferPointer { dGates in
        statesTangent.withUnsafeMutableBufferPointer { dStates in
          cache.states.withUnsafeBufferPointer { states in
            cache.gates.withUnsafeBufferPointer { gates in
              cache.recurrentCandidate.withUnsafeBufferPointer { candidate in
                cache.weights.recurrent.withUnsafeBufferPointer { wh in
                  let buffers = TangentBuffers(
                    gatesTangent: dGates.baseAddress!, statesTangent: dStates.baseAddress!,
                    states: states.baseAddress!, gates: gates.baseAddress!,
                    candidate: candidate.baseAddress!, recurrentWeight: wh.baseAddress!,
                    live: live.baseAddress!, stepCount: T, trialCount: B)
                  Parallel.forEachRange(count: B) { tangentSteps(buffers, trials: $0) }
                }
              }
            }
          }
        }
      }
    }
    return statesTangent
  }

  /// The parameter part of Ṙ for all steps at once, h_{t−1}·Ẇhᵀ over the cached h₀ … h_{T−1}:
  /// its r and u columns are added to `gatesTangent` [T, B, 3H] (only Ġx + Ṙ enters those
  /// gates), its c columns are written to `candidateTangent` [T, B, H].
  private func addRecurrentWeightTangent(
    _ cache: Cache, parameterTangent: UnsafePointer<Scalar>, _ parameters: Parameters<Scalar>,
    gatesTangent: inout Tensor<Scalar>, candidateTangent: inout Tensor<Scalar>
  ) {
    let (rows, H) = (cache.stepCount * cache.trialCount, hiddenCount)
    var weightTangent = Tensor<Scalar>(shape: [3 * H, H])
    weightTangent.withUnsafeMutableBufferPointer {
      WeightNorm.tangent(
        v: parameters.values(recurrentWeight), g: parameters.values(recurrentGain),
        vTangent: parameterTangent + recurrentWeight.offset,
        gTangent: parameterTangent + recurrentGain.offset, norms: cache.weights.recurrentNorms,
        rows: 3 * H, columns: H, weightTangent: $0.baseAddress!)
    }
    cache.states.withUnsafeBufferPointer { states in
      weightTangent.withUnsafeBufferPointer { dWh in
        gatesTangent.withUnsafeMutableBufferPointer { dGates in
          BLAS.gemm(
            transposeB: true, m: rows, n: 2 * H, k: H, a: states.baseAddress!, lda: H,
            b: dWh.baseAddress!, ldb: H, beta: 1, c: dGates.baseAddress!, ldc: 3 * H)
        }
        candidateTangent.withUnsafeMutableBufferPointer { dCandidate in
          BLAS.gemm(
            transposeB: true, m: rows, n: H, k: H, a: states.baseAddress!, lda: H,
            b: dWh.baseAddress! + 2 * H * H, ldb: H, c: dCandidate.baseAddress!, ldc: H)
        }
      }
    }
  }

  /// Pointers into a tangent pass's tensors, shared by the workers of one pass; each worker
  /// touches only its own trials' rows.
  private struct TangentBuffers {
    /// Ġx with h_{t−1}·Ẇhᵀ added in the r and u columns [T, B, 3H].
    let gatesTangent: UnsafePointer<Scalar>
    /// [T, B, H]: row t holds h_{t−1}·Ẇhcᵀ until step t overwrites it with ḣ_t.
    let statesTangent: UnsafeMutablePointer<Scalar>
    /// The forward cache: h₀ … h_T [T+1, B, H], gates [T, B, 3H], candidate [T, B, H].
    let states: UnsafePointer<Scalar>
    let gates: UnsafePointer<Scalar>
    let candidate: UnsafePointer<Scalar>
    /// Wh [3H, H].
    let recurrentWeight: UnsafePointer<Scalar>
    /// [T, B].
    let live: UnsafePointer<Bool>
    let stepCount: Int
    let trialCount: Int
  }

  /// The time loop of `tangent` for one contiguous range of trials, in the order of
  /// `forwardSteps`: per step one GEMM ḣ_{t−1}·Whᵀ, then the cell's elementwise part.
  private func tangentSteps(_ buffers: TangentBuffers, trials: Range<Int>) {
    let (B, H, b0, n) = (buffers.trialCount, hiddenCount, trials.lowerBound, trials.count)
    var recurrent = [Scalar](repeating: 0, count: n * 3 * H)
    let initialTangent = [Scalar](repeating: 0, count: n * H)
    recurrent.withUnsafeMutableBufferPointer { recurrent in
      initialTangent.withUnsafeBufferPointer { initialTangent in
        for t in 0..<buffers.stepCount {
          let row = t * B + b0
          let previousTangent =
            t == 0
            ? initialTangent.baseAddress! : UnsafePointer(buffers.statesTangent + (row - B) * H)
          if t > 0 {
            BLAS.gemm(
              transposeB: true, m: n, n: 3 * H, k: H, a: previousTangent, lda: H,
              b: buffers.recurrentWeight, ldb: H, c: recurrent.baseAddress!, ldc: 3 * H)
          }
          cellTangent(
            gatesTangent: buffers.gatesTangent + row * 3 * H,
            recurrentTangent: recurrent.baseAddress!, gates: buffers.gates + row * 3 * H,
            candidate: buffers.candidate + row * H, previous: buffers.states + row * H,
            previousTangent: previousTangent, live: buffers.live + row, trialCount: n,
            next: buffers.statesTangent + row * H)
        }
      }
    }
  }

  /// The elementwise part of one step. On entry `gatesTangent` holds Ġx + h·Ẇhᵀ (r, u) and Ġx
  /// (c), `recurrentTangent` ḣ_{t−1}·Whᵀ, and `next` h_{t−1}·Ẇhcᵀ; on exit `next` holds ḣ_t.
  @inline(__always)
  private func cellTangent(
    gatesTangent dG: UnsafePointer<Scalar>, recurrentTangent dR: UnsafePointer<Scalar>,
    gates: UnsafePointer<Scalar>, candidate: UnsafePointer<Scalar>,
    previous: UnsafePointer<Scalar>, previousTangent: UnsafePointer<Scalar>,
    live: UnsafePointer<Bool>, trialCount B: Int, next: UnsafeMutablePointer<Scalar>
  ) {
    let H = hiddenCount
    for b in 0..<B {
      let dhPrevious = previousTangent + b * H
      let dh = next + b * H
      guard live[b] else {
        dh.update(from: dhPrevious, count: H)
        continue
      }
      let g = gates + b * 3 * H
      let dGRow = dG + b * 3 * H
      let dRRow = dR + b * 3 * H
      let hc = candidate + b * H
      let hPrevious = previous + b * H
      for j in 0..<H {
        let (r, u, c) = (g[j], g[H + j], g[2 * H + j])
        let dReset = r * (1 - r) * (dGRow[j] + dRRow[j])
        let dUpdate = u * (1 - u) * (dGRow[H + j] + dRRow[H + j])
        let dRecurrentCandidate = dh[j] + dRRow[2 * H + j]
        let dCandidate: Scalar =
          c > 0 ? dGRow[2 * H + j] + dReset * hc[j] + r * dRecurrentCandidate : 0
        let d = dhPrevious[j]
        dh[j] = d + dUpdate * (c - hPrevious[j]) + u * (dCandidate - d)
      }
    }
  }
}
