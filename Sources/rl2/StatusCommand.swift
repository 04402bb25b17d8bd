import ArgumentParser
import Foundation
import RL2Cluster

struct StatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show a running coordinator's or learner's actors, leases, progress and throughput.",
    discussion: """
      Asks the service once and prints its answer; fails with a clear message when nobody \
      answers within --timeout seconds.
      Example:
        rl2 status --coordinator tcp://127.0.0.1:5600 --json
      """
  )

  @Option(help: "A coordinator's endpoint tcp://HOST:PORT.")
  var coordinator: String?

  @Option(help: "A learner's control endpoint tcp://HOST:PORT.")
  var learner: String?

  @Flag(help: "Print one JSON object (role, actors, leases_outstanding, sweep_completed, …).")
  var json = false

  @Option(help: "Seconds to wait for the answer.")
  var timeout = 3.0

  @OptionGroup var security: ClientSecurityOptions

  func validate() throws {
    guard (coordinator == nil) != (learner == nil) else {
      throw ValidationError("give exactly one of --coordinator and --learner")
    }
    guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    do {
      _ = try Endpoint(parsing: coordinator ?? learner ?? "")
    } catch {
      throw ValidationError("--\(coordinator == nil ? "learner" : "coordinator") \(error)")
    }
  }

  func run() throws {
    let endpoint = try Endpoint(parsing: coordinator ?? learner ?? "")
    let status = try ServiceStatus.fetch(
      from: endpoint, timeout: timeout, security: try security.load())
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      Console.line(String(decoding: try encoder.encode(status), as: UTF8.self))
    } else {
      Console.line(status.text)
    }
  }
}
