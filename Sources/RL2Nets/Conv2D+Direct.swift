import CRL2Kernels
import RL2Math

// Legend: N images, H×W×C input, OH×OW output, F filters in G = F/16 blocks of 16 lanes,
// K kernel size, S stride, R = K·C one kernel row of a receptive field, L = K·R patch length.

/// Direct convolution kernels for filter counts that are multiples of 16, the paper's vision
/// encoder's case: 16 filters are one `SIMD16` register pair, so every product of a patch value
/// with all filters is one vector multiply and add (`addingProduct` would call the scalar
/// `fma` per lane), and no im2col matrix is built. With 16 filters
/// im2col + GEMM is bound by packing the patch matrix (each value used only 16 times); reading
/// the receptive fields in place avoids both the copy and the packing. Checked against the
/// im2col path and a direct reference loop in the tests.
extension Conv2D {
  typealias Lanes = SIMD16<Scalar>

  /// Whether the direct kernels apply (F a multiple of 16).
  var usesDirectKernels: Bool { outputChannels % 16 == 0 }

  /// Wt[k·G + g] = (W[16g + 0…15, k]): the weights regrouped so patch position k meets all
  /// filters of block g in one vector.
  func transposedWeights(_ w: UnsafePointer<Scalar>) -> [Lanes] {
    let (G, L) = (outputChannels / 16, patchLength)
    var wt = [Lanes](repeating: Lanes(), count: L * G)
    for g in 0..<G {
      for k in 0..<L {
        var lanes = Lanes()
        for lane in 0..<16 { lanes[lane] = w[(16 * g + lane) * L + k] }
        wt[k * G + g] = lanes
      }
    }
    return wt
  }

  /// y[n, i, j, ·] (+)= b + Σ_{ky, t} x[n, S·i + ky, S·j, t]·W[·, ky·R + t] for `images`, two
  /// output columns at a time so each weight vector is loaded once for both. `bias` nil adds no
  /// bias; `accumulate` adds into y instead of overwriting it.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  func simdForward(
    _ x: UnsafePointer<Scalar>, shape: [Int], images: Range<Int>, weights wt: UnsafePointer<Lanes>,
    bias: UnsafePointer<Scalar>?, accumulate: Bool, into y: UnsafeMutablePointer<Scalar>
  ) {
    let (H, W, C) = (shape[1], shape[2], shape[3])
    let (OH, OW) = outputSize(height: H, width: W)
    let (K, S, R, F, G) = (kernelSize, stride, kernelSize * C, outputChannels, outputChannels / 16)
    let raw = UnsafeMutableRawPointer(y)
    for n in images {
      for i in 0..<OH {
        var j = 0
        while j < OW {
          let pair = j + 1 < OW
          for g in 0..<G {
            let offset0 = ((n * OH + i) * OW + j) * F + 16 * g
            let start = bias.map { UnsafeRawPointer($0 + 16 * g).loadUnaligned(as: Lanes.self) }
            var acc0 =
              accumulate
              ? raw.loadUnaligned(fromByteOffset: offset0 * scalarBytes, as: Lanes.self) : Lanes()
            var acc1 =
              pair && accumulate
              ? raw.loadUnaligned(fromByteOffset: (offset0 + F) * scalarBytes, as: Lanes.self)
              : Lanes()
            if let start {
              acc0 += start
              acc1 += start
            }
            for ky in 0..<K {
              let row0 = x + ((n * H + S * i + ky) * W + S * j) * C
              let row1 = row0 + S * C
              let w = wt + ky * R * G + g
              if pair {
                for t in 0..<R {
                  let lanes = w[t * G]
                  acc0 += Lanes(repeating: row0[t]) * lanes
                  acc1 += Lanes(repeating: row1[t]) * lanes
                }
              } else {
                for t in 0..<R { acc0 += Lanes(repeating: row0[t]) * w[t * G] }
              }
            }
            raw.storeBytes(of: acc0, toByteOffset: offset0 * scalarBytes, as: Lanes.self)
            if pair {
              raw.storeBytes(of: acc1, toByteOffset: (offset0 + F) * scalarBytes, as: Lanes.self)
            }
          }
          j += 2
        }
      }
    }
  }

  /// Bytes per scalar, for raw byte offsets.
  private var scalarBytes: Int { MemoryLayout<Scalar>.stride }

  /// ∂L/∂W[·, ky·R + t] += Σ_{n, i, j} x[n, S·i + ky, S·j, t]·∂L/∂y[n, i, j, ·], accumulated in
  /// `dWt` (laid out like `transposedWeights`); positions whose 16 gradients are all 0 (ReLU
  /// zeros) are skipped.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  func simdWeightGradient(
    _ x: UnsafePointer<Scalar>, shape: [Int], images: Range<Int>,
    outputGradient dy: UnsafePointer<Scalar>, into dWt: UnsafeMutablePointer<Lanes>
  ) {
    let (H, W, C) = (shape[1], shape[2], shape[3])
    let (OH, OW) = outputSize(height: H, width: W)
    let (K, S, R, F, G) = (kernelSize, stride, kernelSize * C, outputChannels, outputChannels / 16)
    let raw = UnsafeRawPointer(dy)
    for n in images {
      for i in 0..<OH {
        for j in 0..<OW {
          for g in 0..<G {
            let gradient = raw.loadUnaligned(
              fromByteOffset: (((n * OH + i) * OW + j) * F + 16 * g) * scalarBytes, as: Lanes.self)
            if gradient == Lanes() { continue }
            for ky in 0..<K {
              let row = x + ((n * H + S * i + ky) * W + S * j) * C
              let target = dWt + ky * R * G + g
              for t in 0..<R {
                target[t * G] += Lanes(repeating: row[t]) * gradient
              }
            }
          }
        }
      }
    }
  }

  /// ∂L/∂x[n, S·i + ky, S·j + ·] += Σ_f ∂L/∂y[n, i, j, f]·W[f, ky·R + ·] (col2im fused in),
  /// skipping zero output gradients.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  func simdInputGradient(
    _ w: UnsafePointer<Scalar>, shape: [Int], images: Range<Int>,
    outputGradient dy: UnsafePointer<Scalar>, into dx: UnsafeMutablePointer<Scalar>
  ) {
    let (H, W, C) = (shape[1], shape[2], shape[3])
    let (OH, OW) = outputSize(height: H, width: W)
    let (K, S, R, F, L) = (kernelSize, stride, kernelSize * C, outputChannels, patchLength)
    for n in images {
      for i in 0..<OH {
        for j in 0..<OW {
          let gradients = dy + ((n * OH + i) * OW + j) * F
          for f in 0..<F where gradients[f] != 0 {
            let s = gradients[f]
            for ky in 0..<K {
              let target = dx + ((n * H + S * i + ky) * W + S * j) * C
              let source = w + f * L + ky * R
              for t in 0..<R { target[t] += s * source[t] }
            }
          }
        }
      }
    }
  }
}

extension Conv2D {
  /// This convolution on input `shape` as the C kernels describe it.
  private func kernelShape(_ shape: [Int]) -> rl2_conv_shape {
    rl2_conv_shape(
      height: Int32(shape[1]), width: Int32(shape[2]), channels: Int32(shape[3]),
      kernel: Int32(kernelSize), stride: Int32(stride), filters: Int32(outputChannels))
  }

  /// Single precision runs the C kernels (compiled for the CPU's widest vector unit, see
  /// CRL2Kernels); other scalars run the Swift SIMD16 loops above.
  private var usesCKernels: Bool { Scalar.self == Float.self }

  /// The instruction set the single-precision kernels use on this CPU.
  public static var kernelInstructionSet: String { String(cString: rl2_kernels_isa()) }

  /// `simdForward`, by the C kernel in single precision.
  func directForward(
    _ x: UnsafePointer<Scalar>, shape: [Int], images: Range<Int>, weights wt: UnsafePointer<Lanes>,
    bias: UnsafePointer<Scalar>?, accumulate: Bool, into y: UnsafeMutablePointer<Scalar>
  ) {
    guard usesCKernels else {
      return simdForward(
        x, shape: shape, images: images, weights: wt, bias: bias, accumulate: accumulate, into: y)
    }
    rl2_conv_forward(
      floats(x), kernelShape(shape), Int32(images.lowerBound), Int32(images.upperBound),
      floats(wt), bias.map(floats), accumulate ? 1 : 0, mutableFloats(y))
  }

  /// `simdWeightGradient`, by the C kernel in single precision.
  func directWeightGradient(
    _ x: UnsafePointer<Scalar>, shape: [Int], images: Range<Int>,
    outputGradient dy: UnsafePointer<Scalar>, into dWt: UnsafeMutablePointer<Lanes>
  ) {
    guard usesCKernels else {
      return simdWeightGradient(x, shape: shape, images: images, outputGradient: dy, into: dWt)
    }
    rl2_conv_weight_gradient(
      floats(x), kernelShape(shape), Int32(images.lowerBound), Int32(images.upperBound),
      floats(dy), mutableFloats(dWt))
  }

  /// `simdInputGradient`, by the C kernel in single precision.
  func directInputGradient(
    _ w: UnsafePointer<Scalar>, shape: [Int], images: Range<Int>,
    outputGradient dy: UnsafePointer<Scalar>, into dx: UnsafeMutablePointer<Scalar>
  ) {
    guard usesCKernels else {
      return simdInputGradient(w, shape: shape, images: images, outputGradient: dy, into: dx)
    }
    rl2_conv_input_gradient(
      floats(w), kernelShape(shape), Int32(images.lowerBound), Int32(images.upperBound),
      floats(dy), mutableFloats(dx))
  }
}

/// The same memory seen as floats (callers check that the scalar is `Float`).
private func floats<T>(_ pointer: UnsafePointer<T>) -> UnsafePointer<Float> {
  UnsafeRawPointer(pointer).assumingMemoryBound(to: Float.self)
}

private func mutableFloats<T>(_ pointer: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
  UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: Float.self)
}

extension Conv2D {
  /// `forward` by the direct kernels, images split across the cores.
  func directForward(_ input: Tensor<Scalar>, _ parameters: Parameters<Scalar>) -> (
    output: Tensor<Scalar>, cache: Cache
  ) {
    let (N, H, W) = (input.shape[0], input.shape[1], input.shape[2])
    let (OH, OW) = outputSize(height: H, width: W)
    var output = Tensor<Scalar>(shape: [N, OH, OW, outputChannels])
    let wt = transposedWeights(parameters.values(weight))
    let b = parameters.values(bias)
    input.withUnsafeBufferPointer { x in
      output.withUnsafeMutableBufferPointer { y in
        wt.withUnsafeBufferPointer { wt in
          let (x, y, wt) = (x.baseAddress!, y.baseAddress!, wt.baseAddress!)
          Parallel.forEachRange(count: N) { images in
            directForward(
              x, shape: input.shape, images: images, weights: wt, bias: b, accumulate: false,
              into: y)
          }
        }
      }
    }
    return (
      output,
      Cache(patches: Tensor(shape: [0, patchLength]), input: input, inputShape: input.shape)
    )
  }

  /// `backward` by the direct kernels: each worker accumulates ∂W of its images in its own
  /// vectors, summed at the end.
  func directBackward(
    _ outputGradient: Tensor<Scalar>, _ cache: Cache, _ parameters: Parameters<Scalar>,
    computeInputGradient: Bool
  ) -> Tensor<Scalar>? {
    let shape = cache.inputShape
    let (N, F, L, G) = (shape[0], outputChannels, patchLength, outputChannels / 16)
    let parts = max(1, min(BLAS.threadCount, N))
    var partials = [Lanes](repeating: Lanes(), count: parts * L * G)
    var inputGradient = Tensor<Scalar>(shape: computeInputGradient ? shape : [0])
    outputGradient.withUnsafeBufferPointer { dy in
      cache.input.withUnsafeBufferPointer { x in
        partials.withUnsafeMutableBufferPointer { partials in
          inputGradient.withUnsafeMutableBufferPointer { dx in
            let (dy, x, partials) = (dy.baseAddress!, x.baseAddress!, partials.baseAddress!)
            let dx = computeInputGradient ? dx.baseAddress : nil
            let w = UnsafePointer(parameters.values(weight))
            Parallel.forEachRange(count: parts, partitions: parts) { workers in
              for part in workers {
                let images = (part * N / parts)..<((part + 1) * N / parts)
                directWeightGradient(
                  x, shape: shape, images: images, outputGradient: dy,
                  into: partials + part * L * G)
                if let dx {
                  directInputGradient(
                    w, shape: shape, images: images, outputGradient: dy, into: dx)
                }
              }
            }
            Reductions.addColumnSums(
              dy, rows: outputGradient.count / F, columns: F, to: parameters.gradients(bias))
          }
        }
      }
    }
    let dW = parameters.gradients(weight)
    for part in 0..<parts {
      for k in 0..<L {
        for g in 0..<G {
          let lanes = partials[(part * L + k) * G + g]
          for lane in 0..<16 { dW[(16 * g + lane) * L + k] += lanes[lane] }
        }
      }
    }
    return computeInputGradient ? inputGradient : nil
  }
}
