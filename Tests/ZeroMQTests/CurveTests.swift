import Foundation
import XCTest
import ZeroMQ

/// CURVE: generated keys let a client that knows the server's public key talk to it, and nobody
/// else; Z85 carries keys as text.
final class CurveTests: XCTestCase {
  func testClientWithTheServersKeyDeliversAndAClientWithAWrongKeyCannot() throws {
    try XCTSkipUnless(ZeroMQ.hasCurve, "libzmq was built without CURVE")
    let context = try makeContext()
    let serverKeys = try CurveKeyPair.generate()
    let server = try Socket(context: context, type: .pull)
    try server.setOption(.curveServer, value: true)
    try server.setOption(.curveSecretKey, value: serverKeys.secretKey)
    let endpoint = try server.bindToFreeLoopbackPort()

    let client = try makeClient(context: context, serverKey: serverKeys.publicKey)
    try client.connect(to: endpoint)
    try client.send(bytes: Data(text: "trajectories"))
    XCTAssertEqual(try server.receiveText(), "trajectories")

    let impostor = try makeClient(context: context, serverKey: CurveKeyPair.generate().publicKey)
    try impostor.connect(to: endpoint)
    try impostor.send(bytes: Data(text: "forged"))
    XCTAssertNil(try server.receive(timeout: shortWait), "delivered without the server's key")
  }

  func testKeysReadBackAsZ85AndSecretKeysDeriveTheirPublicKey() throws {
    try XCTSkipUnless(ZeroMQ.hasCurve, "libzmq was built without CURVE")
    let keys = try CurveKeyPair.generate()
    XCTAssertEqual(keys.publicKey.count, CurveKeyPair.keyLength)
    XCTAssertEqual(keys.secretKey.count, CurveKeyPair.keyLength)
    XCTAssertNotEqual(keys, try CurveKeyPair.generate())
    XCTAssertEqual(try CurveKeyPair(secretKey: keys.secretKey), keys)
    assertThrowsZeroMQError(.invalidArgument, try CurveKeyPair(secretKey: "too short"))

    let socket = try Socket(context: makeContext(), type: .dealer)
    try socket.setOption(.curvePublicKey, value: keys.publicKey)
    try socket.setOption(.curveSecretKey, value: keys.secretKey)
    XCTAssertEqual(try socket.getOption(.curvePublicKey), keys.publicKey)
    XCTAssertEqual(try socket.getOption(.curveSecretKey), keys.secretKey)
    XCTAssertEqual(try socket.getOption(.curveServer), false)
  }

  func testZ85RoundTripsKeysAndMatchesTheSpecification() throws {
    let key = (0..<32).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
    let text = try Z85.encode(key)
    XCTAssertEqual(text.count, 40)
    XCTAssertEqual(try Z85.decode(text), key)
    // The test vector of ZeroMQ RFC 32.
    XCTAssertEqual(try Z85.encode([0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]), "HelloWorld")
    XCTAssertEqual(try Z85.decode(""), [])
  }

  func testZ85RejectsBadLengthsAndCharacters() {
    assertThrowsZeroMQError(.invalidArgument, try Z85.encode([1, 2, 3]))
    assertThrowsZeroMQError(.invalidArgument, try Z85.decode("Hell"))
    assertThrowsZeroMQError(.invalidArgument, try Z85.decode("Hello~orld"))
  }

  private func makeClient(context: Context, serverKey: String) throws -> Socket {
    let keys = try CurveKeyPair.generate()
    let client = try Socket(context: context, type: .push)
    try client.setOption(.curveServerKey, value: serverKey)
    try client.setOption(.curvePublicKey, value: keys.publicKey)
    try client.setOption(.curveSecretKey, value: keys.secretKey)
    return client
  }
}
