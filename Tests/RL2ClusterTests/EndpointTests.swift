import XCTest

@testable import RL2Cluster

final class EndpointTests: XCTestCase {
  func testParsesHostAndPortAndDerivesTheNextPorts() throws {
    let endpoint = try Endpoint(parsing: "tcp://10.0.0.7:5555")
    XCTAssertEqual(endpoint, Endpoint(host: "10.0.0.7", port: 5555))
    XCTAssertEqual(endpoint.offset(by: 2).description, "tcp://10.0.0.7:5557")
    XCTAssertFalse(endpoint.isLoopback)
    XCTAssertTrue(try Endpoint(parsing: "tcp://127.0.0.1:1").isLoopback)
    XCTAssertTrue(try Endpoint(parsing: "tcp://[::1]:1").isLoopback)
    XCTAssertTrue(Endpoint(host: "localhost", port: 1).isLoopback)
    for host in ["127.example.com", "127.0.0.1.nip.io", "0.0.0.0", "*", "::", "node-3"] {
      XCTAssertFalse(Endpoint(host: host, port: 1).isLoopback, host)
    }
  }

  func testWildcardHostsAreReplacedByTheHostPeersUse() throws {
    let endpoint = try Endpoint(parsing: "tcp://*:6000")
    XCTAssertTrue(endpoint.isWildcard)
    XCTAssertEqual(endpoint.reachable(through: "node-3").description, "tcp://node-3:6000")
    XCTAssertEqual(
      try Endpoint(parsing: "tcp://a:1").reachable(through: "b").description, "tcp://a:1")
  }

  func testBadEndpointsNameTheProblem() {
    for text in ["http://a:1", "tcp://a", "tcp://:5", "tcp://a:port", "tcp://a:70000"] {
      XCTAssertThrowsError(try Endpoint(parsing: text), text) { error in
        XCTAssertTrue("\(error)".contains(text), "\(error)")
      }
    }
  }
}
