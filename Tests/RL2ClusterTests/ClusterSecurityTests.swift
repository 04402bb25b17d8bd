import Foundation
import RL2Wire
import XCTest
import ZeroMQ

@testable import RL2Cluster

/// Key files, CURVE with an allowlist on the learner and the coordinator, and the refusal to
/// expose a service without keys.
final class ClusterSecurityTests: XCTestCase {
  func makeDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("rl2-keys-\(UUID().uuidString)")
    addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
  }

  func testKeygenWritesAPrivateSecretKeyAndAPublicKeyAndNeverOverwritesUnasked() throws {
    try XCTSkipUnless(ZeroMQ.hasCurve, "libzmq was built without CURVE")
    let directory = try makeDirectory()
    let files = try KeyFiles.generate(into: directory, name: "actor-1")
    XCTAssertEqual(files.secret.lastPathComponent, "actor-1.key")
    XCTAssertEqual(files.public.lastPathComponent, "actor-1.pub")
    let mode = { (url: URL) in
      try XCTUnwrap(
        try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
    }
    XCTAssertEqual(try mode(files.secret), 0o600)
    XCTAssertEqual(try mode(files.public), 0o644)
    let keys = try KeyFiles.readKeyPair(files.secret)
    XCTAssertEqual(try KeyFiles.readPublicKeys(files.public), [keys.publicKey])

    XCTAssertThrowsError(try KeyFiles.generate(into: directory, name: "actor-1")) {
      XCTAssertTrue("\($0)".contains("pass --force"), "\($0)")
    }
    XCTAssertEqual(try KeyFiles.readKeyPair(files.secret), keys, "refused, yet replaced")
    try KeyFiles.generate(into: directory, name: "actor-1", overwrite: true)
    XCTAssertNotEqual(try KeyFiles.readKeyPair(files.secret), keys)
    XCTAssertEqual(try mode(files.secret), 0o600)

    let blocker = directory.appendingPathComponent("a-file")
    try Data("x".utf8).write(to: blocker)
    XCTAssertThrowsError(try KeyFiles.generate(into: blocker, name: "k")) {
      XCTAssertTrue("\($0)".contains("cannot create \(blocker.path)"), "\($0)")
      XCTAssertTrue("\($0)".contains("--out"), "\($0)")
    }
    XCTAssertThrowsError(try KeyFiles.generate(into: directory, name: "../escape"))
  }

  func testAllowlistsSkipCommentsAndBadLinesAreNamed() throws {
    let directory = try makeDirectory()
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let (a, b) = (try CurveKeyPair.generate(), try CurveKeyPair.generate())
    let list = directory.appendingPathComponent("allowed")
    try "# workers\n\(a.publicKey)\n\n  \(b.publicKey)  \n# end\n".write(
      to: list, atomically: true, encoding: .utf8)
    XCTAssertEqual(try KeyFiles.readPublicKeys(list), [a.publicKey, b.publicKey])
    try "\(a.publicKey)\nnot-a-key\n".write(to: list, atomically: true, encoding: .utf8)
    XCTAssertThrowsError(try KeyFiles.readPublicKeys(list)) {
      XCTAssertTrue("\($0)".contains("line 2 is not a CURVE public key"), "\($0)")
    }
    let secret = directory.appendingPathComponent("server.key")
    try "\(a.publicKey)x\n".write(to: secret, atomically: true, encoding: .utf8)
    XCTAssertThrowsError(try KeyFiles.readKeyPair(secret)) {
      XCTAssertTrue("\($0)".contains("not a CURVE secret key"), "\($0)")
    }
    XCTAssertThrowsError(try KeyFiles.readKeyPair(directory.appendingPathComponent("none"))) {
      XCTAssertTrue("\($0)".contains("cannot read the key file"), "\($0)")
    }
  }

  /// An allowed client is welcomed and leases; a client with another key, and a plain one,
  /// get nothing — the ZAP handler counts the refused key — while the allowed one keeps working.
  func testTheCoordinatorServesAllowedKeysOnlyAndRefusalsAreCounted() throws {
    try XCTSkipUnless(ZeroMQ.hasCurve, "libzmq was built without CURVE")
    let (server, allowed, stranger) = (
      try CurveKeyPair.generate(), try CurveKeyPair.generate(), try CurveKeyPair.generate()
    )
    let fixture = try CoordinatorFixture(
      security: ServerSecurity(keys: server, allowedClientKeys: [allowed.publicKey]))
    defer { fixture.service.shutdown(reason: "test over") }
    let endpoint = fixture.service.endpoint
    let client = try CoordinatorClient(
      coordinator: endpoint, actorID: "allowed",
      security: ClientSecurity(keys: allowed, serverPublicKey: server.publicKey))
    try client.connect(timeout: 5)
    XCTAssertEqual(try client.requestLease(.training, configurations: 3).configurationIds.count, 3)

    let refused = try CoordinatorClient(
      coordinator: endpoint, actorID: "stranger",
      security: ClientSecurity(keys: stranger, serverPublicKey: server.publicKey))
    XCTAssertThrowsError(try refused.connect(timeout: 1))
    XCTAssertNil(refused.welcome)
    XCTAssertGreaterThanOrEqual(fixture.service.refusedConnections, 1)
    XCTAssertTrue(fixture.log(containing: "public key \(stranger.publicKey) is not among"))

    let plain = try CoordinatorClient(coordinator: endpoint, actorID: "plain")
    XCTAssertThrowsError(try plain.request(.statusRequest(.init()), timeout: 1))
    XCTAssertFalse(fixture.service.liveActors.contains { $0.actorID != "allowed" })
    XCTAssertEqual(try client.requestLease(.training, configurations: 2).configurationIds.count, 2)
  }

  /// CURVE on all three learner sockets: an allowed actor is welcomed and its batch arrives
  /// over the CURVE data socket; another key and a plain peer are never answered.
  func testTheLearnerWelcomesAndTakesBatchesFromAllowedActorsOnly() throws {
    try XCTSkipUnless(ZeroMQ.hasCurve, "libzmq was built without CURVE")
    let (server, allowed, stranger) = (
      try CurveKeyPair.generate(), try CurveKeyPair.generate(), try CurveKeyPair.generate()
    )
    let fixture = try ClusterFixture(
      security: ServerSecurity(keys: server, allowedClientKeys: [allowed.publicKey]))
    defer { fixture.close() }
    fixture.service.publish(version: 1, values: fixture.parameters.values)
    let curve = { (keys: CurveKeyPair, socket: Socket) in
      try CurveRole.client(keys, serverPublicKey: server.publicKey).apply(to: socket)
    }
    let dealer = try Socket(context: fixture.context, type: .dealer)
    try curve(allowed, dealer)
    try dealer.connect(to: fixture.service.control.description)
    guard case .welcome = try fixture.ask(dealer, fixture.hello()).body else {
      return XCTFail("the allowed actor was not welcomed")
    }
    let push = try Socket(context: fixture.context, type: .push)
    try curve(allowed, push)
    try push.connect(to: fixture.service.data.description)
    try push.send(bytes: Rl2_V1_Envelope(.trialBatch(fixture.batch(version: 1))).encoded)
    XCTAssertNotNil(fixture.service.nextBatch(timeout: 5), "the CURVE batch did not arrive")

    for keys in [stranger, nil] {
      let peer = try Socket(context: fixture.context, type: .dealer)
      if let keys { try curve(keys, peer) }
      try peer.connect(to: fixture.service.control.description)
      try peer.send(bytes: fixture.hello(actorID: "intruder").encoded)
      XCTAssertNil(
        try peer.receive(timeout: .milliseconds(800)), "answered \(String(describing: keys))")
    }
    XCTAssertGreaterThanOrEqual(fixture.service.refusedConnections, 1)
    XCTAssertEqual(fixture.service.liveActors.map(\.actorID), ["test-actor"])
  }

  func testBindingOtherHostsWithoutKeysIsRefusedUnlessInsecure() throws {
    let book = LeaseBook.Configuration(trainingCount: 10, testCount: 10)
    for host in ["*", "0.0.0.0", "192.0.2.1"] {
      let configuration = CoordinatorService.Configuration(
        endpoint: Endpoint(host: host, port: 0), book: book)
      XCTAssertThrowsError(try CoordinatorService(configuration, log: { _ in })) {
        let message = "\($0)"
        for hint in ["refusing to bind", "--server-key", "--allowed-keys", "--insecure"] {
          XCTAssertTrue(message.contains(hint), "\(host): \(message)")
        }
      }
    }
    var insecure = CoordinatorService.Configuration(
      endpoint: Endpoint(host: "0.0.0.0", port: 0), book: book)
    insecure.allowsInsecureBinding = true
    let logged = Locked<[String]>([])
    let coordinator = try CoordinatorService(
      insecure, log: { line in logged.mutate { $0.append(line) } })
    coordinator.shutdown(reason: "test over")
    XCTAssertTrue(logged.value.contains { $0.hasPrefix("warning: ") && $0.contains("--insecure") })

    let fixture = try ClusterFixture()
    defer { fixture.close() }
    var learner = fixture.service.configuration
    learner.control = Endpoint(host: "*", port: 0)
    learner.data = learner.control
    learner.weights = learner.control
    XCTAssertThrowsError(try LearnerService(learner, log: { _ in })) {
      XCTAssertTrue("\($0)".contains("--insecure"), "\($0)")
    }
    if ZeroMQ.hasCurve {
      let keys = try CurveKeyPair.generate()
      learner.security = ServerSecurity(keys: keys, allowedClientKeys: [keys.publicKey])
      try LearnerService(learner, log: { _ in }).shutdown(reason: "test over")
    }
  }

  /// A message above ZMQ_MAXMSGSIZE never reaches the service (libzmq drops the connection
  /// from the frame header); the next peer is served as usual.
  func testAnOversizeMessageIsDroppedBeforeDeliveryAndTheNextPeerIsServed() throws {
    let fixture = try CoordinatorFixture(maximumMessageBytes: 64 << 10)
    defer { fixture.service.shutdown(reason: "test over") }
    let context = try Context(lingersByDefault: false)
    defer { context.shutdown() }
    let flooder = try Socket(context: context, type: .dealer)
    try flooder.connect(to: fixture.service.endpoint.description)
    var huge = Rl2_V1_Envelope(.hello(.with { $0.actorID = "flooder" }))
    huge.hello.hostname = String(repeating: "x", count: 1 << 20)
    try flooder.send(bytes: huge.encoded)
    XCTAssertNil(try flooder.receive(timeout: .milliseconds(800)), "the oversize hello was served")
    XCTAssertEqual(fixture.service.counts.rejected, 0, "the oversize message reached the loop")
    XCTAssertTrue(fixture.service.liveActors.isEmpty)
    let client = try fixture.makeClient("next")
    XCTAssertNotNil(client.welcome)
  }
}
