import Foundation
import XCTest

/// The command-line contract, checked by running the built `rl2` binary.
final class CommandLineTests: XCTestCase {
  struct Result {
    let status: Int32
    let standardOutput: String
    let standardError: String
  }

  /// The `rl2` executable built beside this test bundle.
  static var executable: URL {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0])
      .deletingLastPathComponent().appendingPathComponent("rl2")
    if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent(".build/debug/rl2")
  }

  func run(_ arguments: [String]) throws -> Result {
    let process = Process()
    process.executableURL = Self.executable
    process.arguments = arguments
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus,
      standardOutput: String(decoding: outputData, as: UTF8.self),
      standardError: String(decoding: errorData, as: UTF8.self))
  }

  func testHelpListsSubcommands() throws {
    let result = try run(["--help"])
    XCTAssertEqual(result.status, 0)
    for subcommand in ["train", "bench"] {
      XCTAssertTrue(
        result.standardOutput.contains(subcommand), "help does not mention \(subcommand)")
    }
  }

  func testBenchNetsJSONHasTheReportedFigures() throws {
    let result = try run([
      "bench", "nets", "--json", "--trials", "4", "--hidden", "8", "--steps", "3",
      "--input-width", "5", "--images", "2", "--gemm-size", "64", "--repetitions", "1",
    ])
    XCTAssertEqual(result.status, 0, result.standardError)
    let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
    let report = try XCTUnwrap(object as? [String: Any], "not a JSON object")
    for key in ["sgemm_gflops", "gru_forward_gflops", "gru_train_gflops", "conv_train_gflops"] {
      let value = try XCTUnwrap(report[key] as? Double, "missing \(key)")
      XCTAssertGreaterThan(value, 0, key)
    }
  }

  func testUnknownFlagIsRejectedWithItsName() throws {
    let result = try run(["bench", "nets", "--no-such-flag"])
    XCTAssertNotEqual(result.status, 0)
    XCTAssertTrue(result.standardError.contains("--no-such-flag"), result.standardError)
  }

  func testInvalidValueNamesTheFlag() throws {
    let result = try run(["bench", "nets", "--trials", "0"])
    XCTAssertNotEqual(result.status, 0)
    XCTAssertTrue(result.standardError.contains("--trials"), result.standardError)
  }

  func testTrainSaysPlainlyThatItIsNotAvailableYet() throws {
    let result = try run(["train"])
    XCTAssertNotEqual(result.status, 0)
    XCTAssertTrue(result.standardError.contains("not available yet"), result.standardError)
  }
}
