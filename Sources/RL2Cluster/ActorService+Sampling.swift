import Foundation
import RL2Math
import RL2Nets
import RL2Training
import RL2Wire
import ZeroMQ

/// The actor's sampling thread: owns the PUSH (batches) and SUB (weights) sockets.
struct SamplingLoop {
  /// Everything that follows from one welcome.
  struct Session {
    let welcome: Rl2_V1_Welcome
    let sampler: TrialSampler
    let parameters: Parameters<Float>
    let push: Socket
    let sub: Socket
    let random: RandomStream
    var version: UInt64
    /// Sampling waits for weights newer than this version (collection closed), if set.
    var pausedAt: UInt64?
    var sequence: UInt64 = 0
    /// Trials per batch: the configured number, fewer when one batch of them would not fit in a
    /// message (maze trials carry a 40×30 view per step).
    var trialsPerBatch: Int
  }

  /// Bytes one message of trials may take: half the learner's default ZMQ_MAXMSGSIZE.
  static let batchByteBudget = 128 << 20

  /// The most trials of `shapes` one batch message holds within `batchByteBudget`.
  static func trialsFitting(_ shapes: Training.Shapes) -> Int {
    let bytesPerStep = 4 * shapes.inputWidth + 16
    return max(1, batchByteBudget / max(1, shapes.stepCount * bytesPerStep))
  }

  let service: ActorService
  var session: Session?
  /// The coordinator's client, owned by the sampling thread like the other sockets.
  var coordinator: CoordinatorClient?
  /// Whether the last lease request failed (logged once until one succeeds again).
  var leaseFailing = false
  var generation = 0

  init(service: ActorService) { self.service = service }

  mutating func run(stop: StopSignal) -> String {
    var rate = RateMeter()
    while true {
      if let reason = service.stopReason { return reason }
      if stop.isRaised { return "stopped by a signal" }
      if service.parentIsGone() { return "the launching process is gone" }
      refreshSession()
      guard session != nil else {
        Thread.sleep(forTimeInterval: 0.05)
        continue
      }
      receiveWeights(wait: session!.pausedAt == nil ? nil : .milliseconds(100))
      // Paused actors stay alive in the coordinator's liveness table too.
      coordinator?.heartbeatIfDue()
      guard session!.pausedAt == nil else { continue }
      let (trajectories, origin) = sampleBatch()
      guard send(trajectories, origin, stop: stop) else { continue }
      let steps = UInt64(trajectories.liveStepCount)
      let perSecond = rate.record(steps: Double(steps))
      service.condition.withLock {
        service.statistics.environmentSteps += steps
        service.statistics.batchesSent += 1
        service.statistics.stepsPerSecond = perSecond
      }
    }
  }

  func close() {
    session?.push.close()
    session?.sub.close()
  }

  /// Starts over from the newest welcome when a (new) learner has welcomed this actor.
  private mutating func refreshSession() {
    let (welcome, latest) = service.condition.withLock {
      (service.welcome, service.welcomeGeneration)
    }
    guard latest != generation, let welcome else { return }
    generation = latest
    close()
    session = nil
    do {
      session = try makeSession(welcome)
      service.log(
        "sampling for learner \(String(welcome.learnerIncarnation, radix: 16)) from weights "
          + "version \(welcome.weights.version), \(session!.trialsPerBatch) trials per batch"
          + (session!.trialsPerBatch < service.configuration.trialsPerBatch
            ? " (fewer than --trials \(service.configuration.trialsPerBatch): a batch message "
              + "holds at most \(Self.batchByteBudget >> 20) MB)" : ""))
    } catch {
      service.log("cannot follow this learner's welcome: \(error)")
    }
  }

  private func makeSession(_ welcome: Rl2_V1_Welcome) throws -> Session {
    let configuration: TrainingConfiguration
    do {
      configuration = try JSONDecoder().decode(
        TrainingConfiguration.self, from: Data(welcome.spec.configurationJson.utf8))
    } catch {
      throw ClusterError.incompatible("the experiment specification does not decode: \(error)")
    }
    let sampler = TrialSampler(configuration: configuration)
    guard sampler.shapes.inputWidth == Int(welcome.spec.inputWidth),
      sampler.shapes.policyParameterCount == Int(welcome.spec.parameterCount)
    else {
      throw ClusterError.incompatible(
        "the learner's network has \(welcome.spec.parameterCount) parameters and inputs of "
          + "\(welcome.spec.inputWidth), this build makes \(sampler.shapes.policyParameterCount) "
          + "and \(sampler.shapes.inputWidth)")
    }
    let parameters = sampler.makeParameters()
    parameters.setValues(
      try welcome.weights.validatedValues(expectedCount: parameters.count))
    let host = service.configuration.learner.host
    let data = try Endpoint(parsing: welcome.dataEndpoint).reachable(through: host)
    let weights = try Endpoint(parsing: welcome.weightsEndpoint).reachable(through: host)
    let push = try Socket(context: service.context, type: .push)
    try service.settings.apply(to: push, highWaterMark: 4)
    try push.setOption(.sendTimeout, value: .seconds(1))
    try push.connect(to: data.description)
    let sub = try Socket(context: service.context, type: .sub)
    try service.settings.apply(to: sub, highWaterMark: 2)
    try sub.setOption(.conflate, value: true)
    try sub.subscribe(to: "")
    try sub.connect(to: weights.description)
    let random = RandomStream(seed: configuration.seed).stream("actors")
      .stream(service.incarnation)
    service.condition.withLock { service.statistics.weightsVersion = welcome.weights.version }
    return Session(
      welcome: welcome, sampler: sampler, parameters: parameters, push: push, sub: sub,
      random: random, version: welcome.weights.version,
      trialsPerBatch: min(
        service.configuration.trialsPerBatch, Self.trialsFitting(sampler.shapes)))
  }

  /// Takes the newest message of the weights socket, waiting up to `wait` for one.
  private mutating func receiveWeights(wait: Duration?) {
    guard var session else { return }
    defer { self.session = session }
    let payload: Data?
    if let wait {
      payload = try? session.sub.receive(timeout: wait)
    } else {
      payload = try? session.sub.receive(flags: .dontWait)
    }
    guard let payload, let envelope = try? Rl2_V1_Envelope(decoding: payload) else { return }
    let incarnation = session.welcome.learnerIncarnation
    switch envelope.body {
    case .weights(let weights) where weights.learnerIncarnation == incarnation:
      guard weights.version > session.version else { return }
      do {
        session.parameters.setValues(
          try weights.validatedValues(expectedCount: session.parameters.count))
      } catch {
        service.log("ignored weights: \(error.reason)")
        return
      }
      session.version = weights.version
      if let paused = session.pausedAt, weights.version > paused { session.pausedAt = nil }
      let latency = Double(unixMilliseconds()) - Double(envelope.sentAtUnixMs)
      service.condition.withLock {
        service.statistics.weightsVersion = weights.version
        service.statistics.weightsLatencyMilliseconds = max(0, latency)
      }
    case .collectionClosed(let closed) where closed.learnerIncarnation == incarnation:
      if closed.weightsVersion >= session.version { session.pausedAt = closed.weightsVersion }
    case .shutdown(let shutdown):
      service.condition.withLock {
        service.shutdownReason = "the learner shut down: \(shutdown.reason)"
      }
    default:
      break
    }
  }

  /// One batch of whole trials with the current weights. Trial ids are unique across actors
  /// (the actor's index in the high 32 bits); each trial's task seed is the key of its stream.
  private mutating func sampleBatch() -> (Trajectories, BatchOrigin) {
    let session = self.session!
    let B = session.trialsPerBatch
    let batchRandom = session.random.stream(session.sequence)
    let streams = (0..<B).map { batchRandom.stream(UInt64($0)) }
    let trajectories = session.sampler.trials(
      session.parameters, streams: streams, configurationIDs: leasedConfigurations(B, session))
    let first = session.sequence * UInt64(B)
    let origin = BatchOrigin(
      actorID: service.configuration.actorID, actorIncarnation: service.incarnation,
      learnerIncarnation: session.welcome.learnerIncarnation, weightsVersion: session.version,
      sequence: session.sequence,
      trialIDs: (0..<UInt64(B)).map { session.welcome.actorIndex << 32 | (first + $0) },
      taskSeeds: streams.map(\.key))
    self.session!.sequence += 1
    return (trajectories, origin)
  }

  /// Pushes a batch, retrying while the learner's queue is full or the learner is gone; gives
  /// up when the session changes or the actor stops. Between tries it reads the weights
  /// socket, where the learner's shutdown also arrives: a learner that exits while this actor
  /// waits may have lost the control connection's copy (seen with packet loss and a link
  /// outage), and the actor must still stop.
  private mutating func send(
    _ trajectories: Trajectories, _ origin: BatchOrigin, stop: StopSignal
  ) -> Bool {
    guard let push = session?.push else { return false }
    let payload = Rl2_V1_Envelope(.trialBatch(Rl2_V1_TrialBatch(trajectories, origin: origin)))
      .encoded
    while service.stopReason == nil, !stop.isRaised, !service.parentIsGone() {
      let latest = service.condition.withLock { service.welcomeGeneration }
      guard latest == generation else { return false }
      if (try? push.send(bytes: payload)) == true { return true }
      receiveWeights(wait: nil)
    }
    return false
  }

  /// B training configuration ids leased from the coordinator, or nil (no coordinator, not a
  /// maze run, or no answer: the trials' streams draw their own, and the failure is logged).
  mutating func leasedConfigurations(_ B: Int, _ session: Session) -> [Int]? {
    guard session.sampler.takesConfigurationIDs,
      let endpoint = service.configuration.coordinator
    else { return nil }
    do {
      if coordinator == nil {
        coordinator = try CoordinatorClient(
          coordinator: endpoint, actorID: service.configuration.actorID,
          security: service.configuration.coordinatorSecurity)
      }
      if coordinator!.welcome == nil { try coordinator!.connect(timeout: 2) }
      let lease = try coordinator!.requestLease(.training, configurations: B, timeout: 2)
      guard lease.configurationIds.count == B else {
        throw ClusterError.failed(
          "a training lease of \(lease.configurationIds.count) ids for \(B) trials")
      }
      leaseFailing = false
      return lease.configurationIds.map { Int($0) }
    } catch {
      if !leaseFailing {
        service.log(
          "no training lease from the coordinator at \(endpoint) (\(error)); trials "
            + "draw their own configurations until it answers")
      }
      leaseFailing = true
      return nil
    }
  }
}

/// Environment steps per second over a sliding window of about ten seconds.
struct RateMeter {
  var samples: [(time: Double, steps: Double)] = []

  mutating func record(steps: Double) -> Double {
    let now = monotonicSeconds()
    samples.append((now, steps))
    samples.removeAll { now - $0.time > 10 }
    guard samples.count > 1, let first = samples.first else { return 0 }
    let steps = samples.dropFirst().reduce(0) { $0 + $1.steps }
    return steps / max(1e-9, now - first.time)
  }
}
