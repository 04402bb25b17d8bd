import Foundation
import RL2Math
import RL2Nets
import RL2Training
import RL2Wire
import ZeroMQ

/// Throughput of the distributed runtime on this machine, each figure beside the reference it
/// should be judged against, measured in the same run:
///
/// - an actor's rollout steps/s against the ceiling its forward pass allows at the measured
///   single-thread SGEMM rate (I·3H + H·3H + H·A multiply-adds per step);
/// - trial batches through the learner's data socket (decode, validation, queue) against raw
///   ZeroMQ PUSH/PULL of messages of the same size;
/// - weight-broadcast latency over loopback;
/// - total samples/s the learner receives from 1, 2, 4, … actor processes.
public struct ClusterBenchmark {
  public struct Configuration: Sendable {
    public var arms = 50
    public var episodes = 500
    public var hidden = 256
    public var trialsPerBatch = 64
    public var actorCounts = [1, 2, 4]
    /// Seconds each actor count is measured for.
    public var seconds = 8.0
    /// Messages per transport measurement.
    public var messages = 30
    public var executable: URL = ActorProcesses.currentExecutable

    public init() {}
  }

  public struct Report: Codable, Sendable {
    public var setting: String
    public var single_thread_sgemm_gflops: Double
    public var actor_steps_per_second: Double
    public var actor_forward_flops_per_step: Double
    public var actor_ceiling_steps_per_second: Double
    public var actor_ceiling_ratio: Double
    public var batch_bytes: Int
    public var raw_push_pull_batches_per_second: Double
    public var learner_ingest_batches_per_second: Double
    public var learner_ingest_megabytes_per_second: Double
    public var ingest_ratio: Double
    public var weights_bytes: Int
    public var broadcast_latency_ms_median: Double
    public var broadcast_latency_ms_max: Double
    /// Actor processes → environment steps per second received by the learner.
    public var samples_per_second: [String: Double]
  }

  public let configuration: Configuration
  let training: TrainingConfiguration
  let sampler: TrialSampler

  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
    var training = TrainingConfiguration(
      task: TaskSetting(kind: .bandit, episodes: configuration.episodes))
    training.task.arms = configuration.arms
    training.hidden = configuration.hidden
    self.training = training
    sampler = TrialSampler(configuration: training)
  }

  public func run(progress: (String) -> Void) throws -> Report {
    BLAS.threadCount = 1
    let sgemm = measureSingleThreadGEMM()
    progress(String(format: "sgemm 1024³, 1 thread: %.1f GFLOP/s", sgemm))
    var random = RandomStream(seed: 3)
    let parameters = sampler.makeParameters(random: &random)
    let (trajectories, rolloutSeconds) = measureRollout(parameters)
    let steps = Double(trajectories.liveStepCount)
    let (I, H, A) = (
      Double(sampler.shapes.inputWidth), Double(configuration.hidden),
      Double(sampler.shapes.actionCount)
    )
    let flopsPerStep = 2 * (I * 3 * H + H * 3 * H + H * A)
    let ceiling = sgemm * 1e9 / flopsPerStep
    progress(
      String(
        format: "actor rollout (%@, GRU %d, %d trials, 1 thread): %.0f steps/s, %.0f%% of the "
          + "%.0f steps/s its forward FLOPs allow", training.task.name, configuration.hidden,
        configuration.trialsPerBatch, steps / rolloutSeconds,
        100 * steps / rolloutSeconds / ceiling, ceiling))
    BLAS.threadCount = BLAS.coreCount
    let transport = try TransportBenchmark(
      training: training, sampler: sampler, parameters: parameters, trajectories: trajectories,
      messages: configuration.messages)
    let raw = try transport.rawPushPull()
    let ingest = try transport.learnerIngest()
    let megabytes = Double(transport.payload.count) / 1e6
    progress(
      String(
        format: "batches of %.1f MB: raw PUSH/PULL %.1f/s, learner ingest %.1f/s (%.0f%%, "
          + "%.0f MB/s)", megabytes, raw, ingest, 100 * ingest / raw, ingest * megabytes))
    let latencies = try transport.broadcastLatencies(parameters: parameters, count: 20)
    let sorted = latencies.sorted()
    progress(
      String(
        format: "weight broadcast (%.2f MB): median %.2f ms, max %.2f ms over loopback",
        Double(parameters.count * 4) / 1e6, sorted[sorted.count / 2], sorted.last ?? 0))
    var samples: [String: Double] = [:]
    for count in configuration.actorCounts {
      let rate = try transport.samplesPerSecond(
        actors: count, trialsPerBatch: configuration.trialsPerBatch,
        seconds: configuration.seconds, executable: configuration.executable,
        parameters: parameters)
      samples[String(count)] = rate
      progress(String(format: "%d actor processes: %.0f steps/s received", count, rate))
    }
    return Report(
      setting: "\(training.task.name), GRU \(configuration.hidden)",
      single_thread_sgemm_gflops: sgemm, actor_steps_per_second: steps / rolloutSeconds,
      actor_forward_flops_per_step: flopsPerStep, actor_ceiling_steps_per_second: ceiling,
      actor_ceiling_ratio: steps / rolloutSeconds / ceiling,
      batch_bytes: transport.payload.count, raw_push_pull_batches_per_second: raw,
      learner_ingest_batches_per_second: ingest,
      learner_ingest_megabytes_per_second: ingest * megabytes, ingest_ratio: ingest / raw,
      weights_bytes: parameters.count * 4,
      broadcast_latency_ms_median: sorted[sorted.count / 2],
      broadcast_latency_ms_max: sorted.last ?? 0, samples_per_second: samples)
  }

  func measureSingleThreadGEMM() -> Double {
    let n = 1024
    var random = RandomStream(seed: 1)
    let a = Tensor<Float>(shape: [n, n]) { Float(random.normal()) }
    let b = Tensor<Float>(shape: [n, n]) { Float(random.normal()) }
    _ = BLAS.matmul(a, b)
    var best = Double.infinity
    for _ in 0..<3 {
      let start = monotonicSeconds()
      _ = BLAS.matmul(a, b)
      best = min(best, monotonicSeconds() - start)
    }
    return 2 * Double(n * n * n) / best / 1e9
  }

  /// One actor batch with one thread: the best of two timed runs after a warm-up.
  func measureRollout(_ parameters: Parameters<Float>) -> (Trajectories, Double) {
    let root = RandomStream(seed: 11)
    let streams = (0..<configuration.trialsPerBatch).map { root.stream(UInt64($0)) }
    var trajectories = sampler.trials(parameters, streams: streams)
    var best = Double.infinity
    for _ in 0..<2 {
      let start = monotonicSeconds()
      trajectories = sampler.trials(parameters, streams: streams)
      best = min(best, monotonicSeconds() - start)
    }
    return (trajectories, best)
  }
}
