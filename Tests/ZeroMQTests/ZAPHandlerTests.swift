import Foundation
import XCTest
import ZeroMQ

/// The ZAP handler admits allowed CURVE keys only, answers malformed requests, and counts.
final class ZAPHandlerTests: XCTestCase {
  func testOnlyClientsWithAnAllowedKeyDeliverAndRefusalsAreCountedAndLogged() throws {
    try XCTSkipUnless(ZeroMQ.hasCurve, "libzmq was built without CURVE")
    let context = try makeContext()
    let (serverKeys, allowed, stranger) = (
      try CurveKeyPair.generate(), try CurveKeyPair.generate(), try CurveKeyPair.generate()
    )
    let logged = LogLines()
    let zap = try ZAPHandler(context: context, allowedKeys: [allowed.publicKey], log: logged.add)
    let server = try Socket(context: context, type: .pull)
    try server.setOption(.curveServer, value: true)
    try server.setOption(.curveSecretKey, value: serverKeys.secretKey)
    let endpoint = try server.bindToFreeLoopbackPort()

    let intruder = try makeClient(context, stranger, serverKey: serverKeys.publicKey)
    try intruder.connect(to: endpoint)
    try intruder.send(bytes: Data(text: "forged"))
    XCTAssertNil(try server.receive(timeout: shortWait), "a key not allowed delivered")
    let client = try makeClient(context, allowed, serverKey: serverKeys.publicKey)
    try client.connect(to: endpoint)
    try client.send(bytes: Data(text: "trajectories"))
    XCTAssertEqual(try server.receiveText(), "trajectories")
    XCTAssertGreaterThanOrEqual(zap.refusedCount, 1)
    XCTAssertGreaterThanOrEqual(zap.admittedCount, 1)
    XCTAssertTrue(logged.lines.contains { $0.contains(stranger.publicKey) }, "\(logged.lines)")
  }

  func testRequestsThatAreNotAllowedCurveAreAnsweredWithTheirStatus() throws {
    let context = try makeContext()
    let allowed = try CurveKeyPair.generate()
    let zap = try ZAPHandler(context: context, allowedKeys: [allowed.publicKey], log: { _ in })
    XCTAssertThrowsError(
      try ZAPHandler(context: context, allowedKeys: [], log: { _ in }), "two handlers bound")
    let requester = try Socket(context: context, type: .req)
    try requester.connect(to: ZAPHandler.endpoint)
    let ask = { (frames: [String], key: [UInt8]?) throws -> [String] in
      var message = frames.map { Data($0.utf8) }
      if let key { message.append(Data(key)) }
      try requester.send(Message(message))
      let reply = try XCTUnwrap(try requester.receiveMessage(timeout: patience))
      return reply.frames.map { String(decoding: $0, as: UTF8.self) }
    }
    let header = ["1.0", "r1", "rl2", "10.0.0.9", ""]
    XCTAssertEqual(try ask(header + ["CURVE"], try Z85.decode(allowed.publicKey))[2], "200")
    let unknown = try ask(header + ["CURVE"], Array(repeating: 7, count: 32))
    XCTAssertEqual(unknown[0...2], ["1.0", "r1", "400"])
    XCTAssertEqual(try ask(header + ["NULL"], nil)[2], "400")
    XCTAssertEqual(try ask(["2.0", "r2"], nil)[2], "500")
    XCTAssertEqual(zap.refusedCount, 2)
    XCTAssertEqual(zap.admittedCount, 1)
  }

  private func makeClient(
    _ context: Context, _ keys: CurveKeyPair, serverKey: String
  ) throws -> Socket {
    let client = try Socket(context: context, type: .push)
    try client.setOption(.curveServerKey, value: serverKey)
    try client.setOption(.curvePublicKey, value: keys.publicKey)
    try client.setOption(.curveSecretKey, value: keys.secretKey)
    return client
  }
}

/// Log lines collected from the handler's thread.
private final class LogLines: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: [String] = []
  var lines: [String] { lock.withLock { stored } }
  func add(_ line: String) { lock.withLock { stored.append(line) } }
}
