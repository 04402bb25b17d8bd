import RL2Math

// Legend: N images, H height, W width, C input channels, F filters (output channels),
// K kernel size, S stride, OH × OW output size, P = N·OH·OW output positions.

/// A 2-D convolution over NHWC images without padding ("valid"), square K×K kernel, stride S:
///
///     y[n, i, j, f] = b[f] + Σ_{ky, kx, c} x[n, S·i + ky, S·j + kx, c] · W[f, (ky·K + kx)·C + c]
///
/// with OH = (H − K)/S + 1 and OW = (W − K)/S + 1. It runs as im2col + GEMM: every receptive
/// field is copied into one row of a patch matrix [P, K·K·C] (ordered ky, kx, c), so that
/// y = patches·Wᵀ + b is a single GEMM. Backward is two GEMMs and col2im, the scatter-add
/// adjoint of im2col.
public struct Conv2D<Scalar: TensorScalar>: Sendable {
  public let inputChannels: Int
  public let outputChannels: Int
  public let kernelSize: Int
  public let stride: Int
  /// W [F, K·K·C], Xavier with fan-in K·K·C and fan-out K·K·F.
  public let weight: ParameterSlice
  /// b [F], zeros.
  public let bias: ParameterSlice

  public init(
    inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int, name: String,
    layout: inout ParameterLayout
  ) {
    precondition(
      inputChannels > 0 && outputChannels > 0 && kernelSize > 0 && stride > 0,
      "\(name): channels, kernel size and stride must be positive")
    self.inputChannels = inputChannels
    self.outputChannels = outputChannels
    self.kernelSize = kernelSize
    self.stride = stride
    let area = kernelSize * kernelSize
    weight = layout.allocate(
      "\(name).weight", shape: [outputChannels, area * inputChannels],
      initializer: .xavier(fanIn: area * inputChannels, fanOut: area * outputChannels))
    bias = layout.allocate("\(name).bias", shape: [outputChannels], initializer: .zeros)
  }

  /// K·K·C, the length of one patch row.
  var patchLength: Int { kernelSize * kernelSize * inputChannels }

  /// (OH, OW) = ((H − K)/S + 1, (W − K)/S + 1); rows and columns the stride steps past are
  /// not read.
  public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
    precondition(
      height >= kernelSize && width >= kernelSize,
      "a \(height)×\(width) image is smaller than the \(kernelSize)×\(kernelSize) kernel; "
        + "use larger images or a smaller kernel")
    return ((height - kernelSize) / stride + 1, (width - kernelSize) / stride + 1)
  }

  /// What `backward` needs from `forward`.
  public struct Cache: Sendable {
    /// The im2col matrix [P, K·K·C]: row (n·OH + i)·OW + j is the receptive field of y[n, i, j]
    /// (empty when the direct kernels ran, which read `input` in place).
    public let patches: Tensor<Scalar>
    /// x [N, H, W, C] (kept without a copy).
    public let input: Tensor<Scalar>
    /// [N, H, W, C] of the input.
    public let inputShape: [Int]
  }

  /// y = patches·Wᵀ + b for x [N, H, W, C]; y is [N, OH, OW, F].
  public func forward(_ input: Tensor<Scalar>, _ parameters: Parameters<Scalar>) -> (
    output: Tensor<Scalar>, cache: Cache
  ) {
    precondition(
      input.rank == 4 && input.shape[3] == inputChannels,
      "input \(input.shape) is not [N, H, W, \(inputChannels)]")
    if usesDirectKernels { return directForward(input, parameters) }
    let (N, H, W) = (input.shape[0], input.shape[1], input.shape[2])
    let (OH, OW) = outputSize(height: H, width: W)
    let (P, F, length) = (N * OH * OW, outputChannels, patchLength)
    var patches = Tensor<Scalar>(shape: [P, length])
    var output = Tensor<Scalar>(shape: [N, OH, OW, F])
    let b = parameters.values(bias)
    let w = parameters.values(weight)
    let rowsPerImage = OH * OW
    input.withUnsafeBufferPointer { x in
      patches.withUnsafeMutableBufferPointer { patches in
        output.withUnsafeMutableBufferPointer { y in
          let (x, patches, y) = (x.baseAddress!, patches.baseAddress!, y.baseAddress!)
          // Images are independent: each worker builds and multiplies its own patch rows.
          Parallel.forEachRange(count: N) { images in
            im2col(x, shape: input.shape, images: images, into: patches)
            let first = images.lowerBound * rowsPerImage
            let rows = images.count * rowsPerImage
            for row in first..<(first + rows) { (y + row * F).update(from: b, count: F) }
            BLAS.gemm(
              transposeB: true, m: rows, n: F, k: length, a: patches + first * length,
              lda: length, b: w, ldb: length, beta: 1, c: y + first * F, ldc: F)
          }
        }
      }
    }
    return (output, Cache(patches: patches, input: input, inputShape: input.shape))
  }

  /// Accumulates ∂L/∂W += ∂L/∂yᵀ·patches and ∂L/∂b += column sums of ∂L/∂y [P, F]; returns
  /// ∂L/∂x [N, H, W, C] = col2im(∂L/∂y·W) unless `computeInputGradient` is false.
  @discardableResult
  public func backward(
    _ outputGradient: Tensor<Scalar>, _ cache: Cache, _ parameters: Parameters<Scalar>,
    computeInputGradient: Bool = true
  ) -> Tensor<Scalar>? {
    if usesDirectKernels {
      return directBackward(
        outputGradient, cache, parameters, computeInputGradient: computeInputGradient)
    }
    let (P, F, length) = (cache.patches.shape[0], outputChannels, patchLength)
    precondition(
      outputGradient.count == P * F,
      "output gradient \(outputGradient.shape) does not match the \(P)×\(F) output of forward")
    outputGradient.withUnsafeBufferPointer { dy in
      let dy = dy.baseAddress!
      Reductions.addColumnSums(dy, rows: P, columns: F, to: parameters.gradients(bias))
      cache.patches.withUnsafeBufferPointer { patches in
        BLAS.gemm(
          transposeA: true, m: F, n: length, k: P, a: dy, lda: F, b: patches.baseAddress!,
          ldb: length, beta: 1, c: parameters.gradients(weight), ldc: length)
      }
    }
    guard computeInputGradient else { return nil }
    var patchesGradient = Tensor<Scalar>(shape: [P, length])
    var inputGradient = Tensor<Scalar>(shape: cache.inputShape)
    let rowsPerImage = P / cache.inputShape[0]
    outputGradient.withUnsafeBufferPointer { dy in
      patchesGradient.withUnsafeMutableBufferPointer { dPatches in
        inputGradient.withUnsafeMutableBufferPointer { dx in
          let (dy, dPatches, dx) = (dy.baseAddress!, dPatches.baseAddress!, dx.baseAddress!)
          let w = parameters.values(weight)
          Parallel.forEachRange(count: cache.inputShape[0]) { images in
            let first = images.lowerBound * rowsPerImage
            BLAS.gemm(
              m: images.count * rowsPerImage, n: length, k: F, a: dy + first * F, lda: F, b: w,
              ldb: length, c: dPatches + first * length, ldc: length)
            col2im(dPatches, shape: cache.inputShape, images: images, into: dx)
          }
        }
      }
    }
    return inputGradient
  }

  /// FLOPs of the GEMMs (2 per multiply–add): forward 2·P·F·K·K·C; backward the same for ∂W
  /// and again for ∂patches when the input gradient is computed. Bias, im2col and col2im are
  /// not counted.
  public func flops(batch: Int, height: Int, width: Int, computeInputGradient: Bool) -> (
    forward: Double, backward: Double
  ) {
    let (OH, OW) = outputSize(height: height, width: width)
    let product = 2 * Double(batch * OH * OW) * Double(outputChannels * patchLength)
    return (product, computeInputGradient ? 2 * product : product)
  }

  /// patches[(n·OH + i)·OW + j, (ky·K + kx)·C + c] = x[n, S·i + ky, S·j + kx, c]. For fixed
  /// (n, i, j, ky) the K·C values are one contiguous run of x, copied at once.
  func im2col(
    _ x: UnsafePointer<Scalar>, shape: [Int], images: Range<Int>,
    into patches: UnsafeMutablePointer<Scalar>
  ) {
    let (H, W, C) = (shape[1], shape[2], shape[3])
    let (OH, OW) = outputSize(height: H, width: W)
    let (K, S, run) = (kernelSize, stride, kernelSize * C)
    for n in images {
      for i in 0..<OH {
        for j in 0..<OW {
          let patch = patches + ((n * OH + i) * OW + j) * K * run
          for ky in 0..<K {
            let source = x + ((n * H + S * i + ky) * W + S * j) * C
            (patch + ky * run).update(from: source, count: run)
          }
        }
      }
    }
  }

  /// The adjoint of `im2col`: x[n, S·i + ky, S·j + kx, c] += patches[…], so overlapping
  /// receptive fields add up and pixels no field covers stay as they are.
  private func col2im(
    _ patches: UnsafePointer<Scalar>, shape: [Int], images: Range<Int>,
    into x: UnsafeMutablePointer<Scalar>
  ) {
    let (H, W, C) = (shape[1], shape[2], shape[3])
    let (OH, OW) = outputSize(height: H, width: W)
    let (K, S, run) = (kernelSize, stride, kernelSize * C)
    for n in images {
      for i in 0..<OH {
        for j in 0..<OW {
          let patch = patches + ((n * OH + i) * OW + j) * K * run
          for ky in 0..<K {
            let target = x + ((n * H + S * i + ky) * W + S * j) * C
            let source = patch + ky * run
            for t in 0..<run { target[t] += source[t] }
          }
        }
      }
    }
  }
}
