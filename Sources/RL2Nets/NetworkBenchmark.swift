import Foundation
import RL2Math

#if canImport(Glibc)
  import Glibc
#endif

/// Throughput of the network core in GFLOP/s, beside this machine's measured SGEMM peak.
///
/// FLOPs count the multiply–adds of the dense products (2 per multiply–add); elementwise work
/// is not counted, so the ratios to the SGEMM figure say how close a layer comes to pure GEMM.
public struct NetworkBenchmark: Sendable {
  public struct Configuration: Sendable {
    /// B trials, H hidden units, T steps, I input width (50-arm bandit: 50 + reward + flag).
    public var trials = 256, hidden = 256, steps = 100, inputWidth = 52
    /// Images per conv benchmark batch (40×30 RGB observations of the maze).
    public var images = 512
    /// SGEMM matrix size for the peak measurement.
    public var gemmSize = 2048
    /// Timed repetitions; the best is reported.
    public var repetitions = 5
    /// BLAS threads (0: every core).
    public var threads = 0

    public init() {}
  }

  public struct Report: Codable, Sendable {
    public var threads: Int
    /// OpenBLAS's kernel family and the CPU's widest instruction set (see `BLAS.fittingKernel`).
    public var blas_kernels: String
    public var instruction_set: String
    public var sgemm_gflops: Double
    public var gru_forward_gflops: Double
    public var gru_train_gflops: Double
    public var conv_train_gflops: Double
    public var gru_forward_ratio: Double
    public var gru_train_ratio: Double
    public var conv_train_ratio: Double
    public var gru_forward_seconds: Double
    public var gru_train_seconds: Double
    public var conv_train_seconds: Double
  }

  public let configuration: Configuration

  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
  }

  /// Runs every measurement; `progress` receives one line per finished measurement and a
  /// closing line with the ratios to the SGEMM peak.
  public func run(progress: (String) -> Void = { _ in }) -> Report {
    let c = configuration
    let threads = c.threads > 0 ? c.threads : BLAS.coreCount
    BLAS.threadCount = threads
    let firstPeak = measureGEMM()
    progress(
      String(
        format: "sgemm %d³, %d threads, OpenBLAS %@ kernels: %.1f GFLOP/s", c.gemmSize, threads,
        BLAS.kernelName, firstPeak))
    let (forward, forwardSeconds) = measureGRUForward()
    progress(
      String(
        format: "GRU forward B=%d H=%d T=%d I=%d: %.1f GFLOP/s (%.3f s)", c.trials, c.hidden,
        c.steps, c.inputWidth, forward, forwardSeconds))
    let (train, trainSeconds) = measureGRUTrain()
    progress(String(format: "GRU forward+backward: %.1f GFLOP/s (%.3f s)", train, trainSeconds))
    let (conv, convSeconds) = measureConvTrain()
    progress(
      String(
        format: "conv encoder forward+backward, %d images: %.1f GFLOP/s (%.3f s)", c.images,
        conv, convSeconds))
    // The peak is the best of a measurement before and after the layers, so a passing
    // disturbance on the machine does not flatter the ratios.
    let sgemm = max(firstPeak, measureGEMM())
    progress(
      String(
        format: "of the sgemm peak %.1f GFLOP/s: GRU forward %.0f%%, GRU train %.0f%%, conv %.0f%%",
        sgemm, 100 * forward / sgemm, 100 * train / sgemm, 100 * conv / sgemm))
    return Report(
      threads: threads, blas_kernels: BLAS.kernelName, instruction_set: BLAS.instructionSet,
      sgemm_gflops: sgemm, gru_forward_gflops: forward,
      gru_train_gflops: train, conv_train_gflops: conv, gru_forward_ratio: forward / sgemm,
      gru_train_ratio: train / sgemm, conv_train_ratio: conv / sgemm,
      gru_forward_seconds: forwardSeconds, gru_train_seconds: trainSeconds,
      conv_train_seconds: convSeconds)
  }

  func measureGEMM() -> Double {
    let n = configuration.gemmSize
    var random = RandomStream(seed: 1)
    let a = Tensor<Float>(shape: [n, n]) { Float(random.normal()) }
    let b = Tensor<Float>(shape: [n, n]) { Float(random.normal()) }
    let seconds = bestTime { _ = BLAS.matmul(a, b) }
    return 2 * Double(n * n * n) / seconds / 1e9
  }

  func makeGRU() -> (GRU<Float>, Parameters<Float>, Tensor<Float>) {
    let c = configuration
    var layout = ParameterLayout()
    let gru = GRU<Float>(
      inputCount: c.inputWidth, hiddenCount: c.hidden, name: "gru", layout: &layout)
    var random = RandomStream(seed: 2)
    let parameters = Parameters<Float>(layout: layout, random: &random)
    let input = Tensor<Float>(shape: [c.steps, c.trials, c.inputWidth]) {
      random.uniform() < 0.1 ? 1 : 0
    }
    return (gru, parameters, input)
  }

  /// 2·T·B·3H·(I + H): the input projection and the recurrent product of every step.
  var gruForwardFLOPs: Double {
    let c = configuration
    return 2 * Double(c.steps * c.trials * 3 * c.hidden * (c.inputWidth + c.hidden))
  }

  func measureGRUForward() -> (Double, Double) {
    let (gru, parameters, input) = makeGRU()
    let seconds = bestTime { _ = gru.forward(input, parameters) }
    return (gruForwardFLOPs / seconds / 1e9, seconds)
  }

  /// Forward, then backward without an input gradient (as in training on φ):
  /// per step ∂h_{t−1} (2·B·3H·H), and once ∂Wh (2·T·B·3H·H) and ∂Wx (2·T·B·3H·I).
  func measureGRUTrain() -> (Double, Double) {
    let c = configuration
    let (gru, parameters, input) = makeGRU()
    var random = RandomStream(seed: 3)
    let statesGradient = Tensor<Float>(shape: [c.steps, c.trials, c.hidden]) {
      Float(random.normal())
    }
    let backwardFLOPs =
      2 * Double(c.steps * c.trials * 3 * c.hidden * (2 * c.hidden + c.inputWidth))
    let seconds = bestTime {
      let (_, cache) = gru.forward(input, parameters)
      _ = gru.backward(statesGradient, cache, parameters, computeInputGradient: false)
    }
    return ((gruForwardFLOPs + backwardFLOPs) / seconds / 1e9, seconds)
  }

  /// The maze encoder of the paper: 30×40 RGB → conv 16 5×5 stride 2 → ReLU → conv 16 5×5
  /// stride 2 → ReLU, forward and backward (no gradient into the image itself).
  func measureConvTrain() -> (Double, Double) {
    var layout = ParameterLayout()
    let first = Conv2D<Float>(
      inputChannels: 3, outputChannels: 16, kernelSize: 5, stride: 2, name: "conv1",
      layout: &layout)
    let second = Conv2D<Float>(
      inputChannels: 16, outputChannels: 16, kernelSize: 5, stride: 2, name: "conv2",
      layout: &layout)
    var random = RandomStream(seed: 4)
    let parameters = Parameters<Float>(layout: layout, random: &random)
    let (N, height, width) = (configuration.images, 30, 40)
    let images = Tensor<Float>(shape: [N, height, width, 3]) { Float(2 * random.uniform() - 1) }
    let (middleHeight, middleWidth) = first.outputSize(height: height, width: width)
    let firstFLOPs = first.flops(
      batch: N, height: height, width: width, computeInputGradient: false)
    let secondFLOPs = second.flops(
      batch: N, height: middleHeight, width: middleWidth, computeInputGradient: true)
    let total =
      firstFLOPs.forward + firstFLOPs.backward + secondFLOPs.forward
      + secondFLOPs.backward
    let seconds = bestTime {
      let (z1, cache1) = first.forward(images, parameters)
      let a1 = Activations.relu(z1)
      let (z2, cache2) = second.forward(a1, parameters)
      let a2 = Activations.relu(z2)
      let d2 = Activations.reluBackward(a2, output: a2)
      let d1 = second.backward(d2, cache2, parameters)!
      first.backward(
        Activations.reluBackward(d1, output: a1), cache1, parameters,
        computeInputGradient: false)
    }
    return (total / seconds / 1e9, seconds)
  }

  func bestTime(_ body: () -> Void) -> Double {
    body()
    var best = Double.infinity
    for _ in 0..<configuration.repetitions {
      let start = monotonicSeconds()
      body()
      best = min(best, monotonicSeconds() - start)
    }
    return best
  }
}

/// Seconds on the monotonic clock.
public func monotonicSeconds() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_MONOTONIC, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}
