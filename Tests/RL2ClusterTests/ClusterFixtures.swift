import Foundation
import RL2Math
import RL2Nets
import RL2Training
import RL2Wire
import XCTest
import ZeroMQ

@testable import RL2Cluster

/// A tiny bandit run, its learner service on free loopback ports, and clients that speak to it
/// with raw sockets the way an actor (or a broken peer) would.
struct ClusterFixture {
  let configuration: TrainingConfiguration
  let sampler: TrialSampler
  let parameters: Parameters<Float>
  let service: LearnerService
  let context: Context
  /// Every line the service logged.
  let logged = Locked<[String]>([])

  init(
    maxPolicyLag: Int = 0, actorTimeout: Double = 6, security: ServerSecurity? = nil
  ) throws {
    var configuration = TrainingConfiguration(task: TaskSetting(kind: .bandit, episodes: 4))
    configuration.task.arms = 3
    configuration.hidden = 8
    configuration.batchSteps = 64
    configuration.iterations = 2
    configuration.evaluationInstances = 0
    self.configuration = configuration
    sampler = TrialSampler(configuration: configuration)
    parameters = sampler.makeParameters()
    var random = RandomStream(seed: 7)
    for i in 0..<parameters.count { parameters.values[i] = Float(random.normal() * 0.1) }
    let shapes = sampler.shapes
    var settings = LearnerService.Configuration(
      control: Endpoint(host: "127.0.0.1", port: 0),
      spec: try Cluster.spec(configuration, shapes),
      expectation: BatchExpectation(
        inputWidth: shapes.inputWidth, actionCount: shapes.actionCount,
        episodesPerTrial: configuration.task.episodes, maximumSteps: shapes.stepCount))
    settings.maxPolicyLag = maxPolicyLag
    settings.actorTimeout = actorTimeout
    settings.security = security
    let logged = self.logged
    service = try LearnerService(settings, log: { line in logged.mutate { $0.append(line) } })
    context = try Context(lingersByDefault: false)
  }

  func close() {
    service.shutdown(reason: "test over")
    context.shutdown()
  }

  func makeDealer() throws -> Socket {
    let dealer = try Socket(context: context, type: .dealer)
    try dealer.connect(to: service.control.description)
    return dealer
  }

  func makePush() throws -> Socket {
    let push = try Socket(context: context, type: .push)
    try push.connect(to: service.data.description)
    return push
  }

  func hello(actorID: String = "test-actor", incarnation: UInt64 = 42) -> Rl2_V1_Envelope {
    var hello = Rl2_V1_Hello()
    hello.actorID = actorID
    hello.incarnation = incarnation
    hello.trialsPerBatch = 2
    return Rl2_V1_Envelope(.hello(hello))
  }

  /// Sends `envelope` on the control socket and returns the learner's answer.
  func ask(_ dealer: Socket, _ envelope: Rl2_V1_Envelope) throws -> Rl2_V1_Envelope {
    try dealer.send(bytes: envelope.encoded)
    let reply = try XCTUnwrap(
      try dealer.receive(timeout: .seconds(5)), "the learner did not answer")
    return try Rl2_V1_Envelope(decoding: reply)
  }

  /// A valid batch of `trials` trials sampled with the fixture's weights.
  func batch(
    trials: Int = 2, version: UInt64, actorID: String = "test-actor", incarnation: UInt64 = 42,
    learnerIncarnation: UInt64? = nil
  ) -> Rl2_V1_TrialBatch {
    let streams = (0..<trials).map { RandomStream(seed: 99).stream(UInt64($0)) }
    let trajectories = sampler.trials(parameters, streams: streams)
    let origin = BatchOrigin(
      actorID: actorID, actorIncarnation: incarnation,
      learnerIncarnation: learnerIncarnation ?? service.incarnation, weightsVersion: version,
      sequence: 0, trialIDs: (0..<UInt64(trials)).map { $0 }, taskSeeds: streams.map(\.key))
    return Rl2_V1_TrialBatch(trajectories, origin: origin)
  }
}

/// Waits until `condition` holds, failing the test after `seconds`.
func eventually(
  within seconds: Double = 10, _ message: String, file: StaticString = #filePath,
  line: UInt = #line, _ condition: () -> Bool
) {
  let deadline = Date(timeIntervalSinceNow: seconds)
  while !condition() {
    if Date() > deadline {
      XCTFail("not within \(seconds) s: \(message)", file: file, line: line)
      return
    }
    Thread.sleep(forTimeInterval: 0.02)
  }
}
