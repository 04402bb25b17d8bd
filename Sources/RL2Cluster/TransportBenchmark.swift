import Foundation
import RL2Math
import RL2Nets
import RL2Training
import RL2Wire
import ZeroMQ

/// The transport measurements of `ClusterBenchmark`, all over loopback TCP.
struct TransportBenchmark {
  let training: TrainingConfiguration
  let sampler: TrialSampler
  let messages: Int
  let batch: Rl2_V1_TrialBatch
  /// One encoded batch envelope (its size is what both transport measurements move).
  let payload: Data

  init(
    training: TrainingConfiguration, sampler: TrialSampler, parameters: Parameters<Float>,
    trajectories: Trajectories, messages: Int
  ) throws {
    self.training = training
    self.sampler = sampler
    self.messages = messages
    let origin = BatchOrigin(
      actorID: "bench", actorIncarnation: 1, learnerIncarnation: 0, weightsVersion: 0,
      sequence: 0, trialIDs: (0..<UInt64(trajectories.trialCount)).map { $0 },
      taskSeeds: Array(repeating: 0, count: trajectories.trialCount))
    batch = Rl2_V1_TrialBatch(trajectories, origin: origin)
    payload = Rl2_V1_Envelope(.trialBatch(batch)).encoded
  }

  /// Messages per second from a PUSH thread to a PULL socket, nothing else done with them.
  func rawPushPull() throws -> Double {
    let context = try Context(lingersByDefault: false)
    defer { context.shutdown() }
    let pull = try Socket(context: context, type: .pull)
    try pull.bind(to: "tcp://127.0.0.1:*")
    let endpoint = try pull.lastEndpoint ?? ""
    let push = try Socket(context: context, type: .push)
    try push.connect(to: endpoint)
    let (payload, count) = (self.payload, messages)
    let owned = UncheckedSendable(push)
    _ = try pull.receive(timeout: .milliseconds(1))
    let start = monotonicSeconds()
    let sender = Thread {
      for _ in 0..<count { _ = try? owned.value.send(bytes: payload) }
    }
    sender.start()
    for _ in 0..<count { _ = try pull.receive(timeout: .seconds(30)) }
    let seconds = monotonicSeconds() - start
    push.close()
    pull.close()
    return Double(count) / seconds
  }

  func makeService(maxPolicyLag: Int = 0) throws -> LearnerService {
    let shapes = sampler.shapes
    var settings = LearnerService.Configuration(
      control: Endpoint(host: "127.0.0.1", port: 0), spec: try Cluster.spec(training, shapes),
      expectation: BatchExpectation(
        inputWidth: shapes.inputWidth, actionCount: shapes.actionCount,
        episodesPerTrial: training.task.episodes, maximumSteps: shapes.stepCount))
    settings.maxPolicyLag = maxPolicyLag
    settings.actorTimeout = 30
    return try LearnerService(settings, log: { _ in })
  }

  /// Batches per second through the learner's data socket into its queue: decode, checks of
  /// every count, range and number, and the copy into `Trajectories`.
  func learnerIngest() throws -> Double {
    let service = try makeService()
    defer { service.shutdown(reason: "benchmark over") }
    let parameters = sampler.makeParameters()
    service.publish(version: 0, values: parameters.values)
    let context = try Context(lingersByDefault: false)
    defer { context.shutdown() }
    let dealer = try Socket(context: context, type: .dealer)
    try dealer.connect(to: service.control.description)
    var hello = Rl2_V1_Hello()
    hello.actorID = "bench"
    hello.incarnation = 1
    try dealer.send(bytes: Rl2_V1_Envelope(.hello(hello)).encoded)
    _ = try dealer.receive(timeout: .seconds(5))
    var batch = self.batch
    batch.learnerIncarnation = service.incarnation
    let payload = Rl2_V1_Envelope(.trialBatch(batch)).encoded
    let push = try Socket(context: context, type: .push)
    try push.connect(to: service.data.description)
    let (owned, count) = (UncheckedSendable(push), messages)
    let start = monotonicSeconds()
    let sender = Thread {
      for _ in 0..<count { _ = try? owned.value.send(bytes: payload) }
    }
    sender.start()
    var received = 0
    while received < count, service.nextBatch(timeout: 30) != nil { received += 1 }
    let seconds = monotonicSeconds() - start
    push.close()
    dealer.close()
    return Double(received) / seconds
  }

  /// Milliseconds from `publish` to the arrival of the weights at a subscriber.
  func broadcastLatencies(parameters: Parameters<Float>, count: Int) throws -> [Double] {
    let service = try makeService()
    defer { service.shutdown(reason: "benchmark over") }
    let context = try Context(lingersByDefault: false)
    defer { context.shutdown() }
    let sub = try Socket(context: context, type: .sub)
    try sub.subscribe(to: "")
    try sub.connect(to: service.weights.description)
    Thread.sleep(forTimeInterval: 0.3)
    var latencies: [Double] = []
    for version in 1...UInt64(count) {
      let start = monotonicSeconds()
      service.publish(version: version, values: parameters.values)
      guard try sub.receive(timeout: .seconds(5)) != nil else { continue }
      latencies.append((monotonicSeconds() - start) * 1000)
    }
    defer { sub.close() }
    return latencies.isEmpty ? [.nan] : latencies
  }

  /// Environment steps per second the learner receives from `actors` `rl2 actor` processes,
  /// after a warm-up in which every actor has sent a batch.
  func samplesPerSecond(
    actors: Int, trialsPerBatch: Int, seconds: Double, executable: URL,
    parameters: Parameters<Float>
  ) throws -> Double {
    let service = try makeService(maxPolicyLag: Int(Int32.max))
    service.publish(version: 0, values: parameters.values)
    let logs = FileManager.default.temporaryDirectory
      .appendingPathComponent("rl2-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: logs) }
    let processes = try ActorProcesses(
      executable: executable, count: actors, learner: service.control,
      trialsPerBatch: trialsPerBatch, logDirectory: logs, log: { _ in })
    defer {
      service.shutdown(reason: "benchmark over")
      processes.stop(grace: 5)
    }
    var warmedUp = Set<String>()
    let deadline = monotonicSeconds() + 120
    while warmedUp.count < actors, monotonicSeconds() < deadline {
      if let (_, origin) = service.nextBatch(timeout: 1) { warmedUp.insert(origin.actorID) }
    }
    while service.nextBatch(timeout: 0) != nil {}
    var steps = 0
    let start = monotonicSeconds()
    while monotonicSeconds() - start < seconds {
      if let (batch, _) = service.nextBatch(timeout: 0.1) { steps += batch.liveStepCount }
    }
    return Double(steps) / (monotonicSeconds() - start)
  }
}
