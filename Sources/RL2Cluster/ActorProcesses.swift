import Foundation

/// The local launcher's actor children: `rl2 actor` processes on this machine, one BLAS
/// thread each, their output in `<run>/actors/actor-<i>.log`. They exit when the learner
/// shuts them down, on Ctrl-C (the terminal signals the whole process group) and when this
/// process is gone.
public final class ActorProcesses {
  public let processes: [Process]
  let log: @Sendable (String) -> Void

  /// This process's own executable.
  public static var currentExecutable: URL {
    let link = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    if FileManager.default.isExecutableFile(atPath: link.path) { return link }
    return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
  }

  public convenience init(
    executable: URL, count: Int, learner: Endpoint, trialsPerBatch: Int,
    coordinator: Endpoint? = nil, logDirectory: URL, log: @escaping @Sendable (String) -> Void
  ) throws {
    let parent = ProcessInfo.processInfo.processIdentifier
    try self.init(executable: executable, count: count, logDirectory: logDirectory, log: log) {
      [
        "actor", "--learner", learner.description, "--trials", String(trialsPerBatch),
        "--threads", "1", "--actor-id", "local-\($0)", "--exit-with-parent", String(parent),
      ] + (coordinator.map { ["--coordinator", $0.description] } ?? [])
    }
    log(
      "started \(count) actor processes (\(trialsPerBatch) trials per batch, 1 thread each); "
        + "their logs are in \(logDirectory.path)")
  }

  /// `count` children of `executable`, child i with `arguments(i)`, its output in
  /// `<logDirectory>/actor-<i>.log`.
  public init(
    executable: URL, count: Int, logDirectory: URL, log: @escaping @Sendable (String) -> Void,
    arguments: (Int) -> [String]
  ) throws {
    self.log = log
    try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
    processes = try (0..<count).map { i in
      let process = Process()
      process.executableURL = executable
      process.arguments = arguments(i)
      let url = logDirectory.appendingPathComponent("actor-\(i).log")
      FileManager.default.createFile(atPath: url.path, contents: nil)
      let output = try FileHandle(forWritingTo: url)
      process.standardOutput = output
      process.standardError = output
      try process.run()
      return process
    }
  }

  /// Waits up to `grace` seconds for the actors to exit, then terminates the rest.
  public func stop(grace: Double) {
    let deadline = Date(timeIntervalSinceNow: grace)
    while processes.contains(where: \.isRunning), Date() < deadline {
      Thread.sleep(forTimeInterval: 0.05)
    }
    for process in processes where process.isRunning {
      log("actor process \(process.processIdentifier) did not exit; terminating it")
      process.terminate()
    }
    for process in processes { process.waitUntilExit() }
  }
}
