import ArgumentParser
import Foundation
import RL2Baselines
import RL2Math
import RL2Nets
import RL2Training

struct TableCommand: ParsableCommand {
  enum Which: String, ExpressibleByArgument, CaseIterable {
    case bandits, mdps
  }

  static let configuration = CommandConfiguration(
    commandName: "table",
    abstract: "Regenerate the paper's Table 1 (bandits) or Table 2 (MDPs) beside its numbers.",
    discussion: """
      Runs every baseline on every row of the table (see `rl2 baselines`) and, with \
      --checkpoints, evaluates the newest RL² checkpoint of each row's setting found under that \
      folder on the same instances. Each cell shows ours ± standard error and the paper's \
      number in parentheses; bold marks the best of a row and those not significantly worse \
      (one-sided Welch t-test, p = 0.05); † marks a baseline more than max(1.5 %, 3 SE) away \
      from the paper.
      Examples:
        rl2 table bandits --checkpoints runs/
        rl2 table mdps --prior-mean 0 --json
      """
  )

  @Argument(help: "bandits (Table 1) or mdps (Table 2).")
  var which: Which

  @OptionGroup var harness: HarnessFlags

  @Option(
    help: "Folder searched for RL² checkpoints (the newest per setting fills the RL² column).")
  var checkpoints: String?

  @Option(help: "Only these rows, comma-separated setting names (e.g. bandit-k5-n10).")
  var settings: String?

  @Flag(help: "Print the table as Markdown (the default).")
  var markdown = false

  @Flag(help: "Print one JSON array of settings instead.")
  var json = false

  @Option(help: "Also write the JSON results (with per-instance returns) to this file.")
  var out: String?

  func validate() throws {
    if markdown && json { throw ValidationError("choose one of --markdown and --json") }
  }

  func run() throws {
    let rows = which == .bandits ? PaperTables.bandits : PaperTables.mdps
    let wanted = settings.map { Set($0.split(separator: ",").map(String.init)) }
    let found = try checkpoints.map {
      try CheckpointStore.newestPerSetting(under: URL(fileURLWithPath: $0))
    }
    let start = monotonicSeconds()
    var results: [SettingResult] = []
    for row in rows where wanted?.contains(row.setting) ?? true {
      var result = harness.run(try TaskSetting(name: row.setting)) { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
      }
      if let checkpoint = found?[row.setting] {
        let evaluation = try Training.evaluate(
          checkpoint: checkpoint, instances: harness.instances, seed: harness.seed)
        result.methods.append(
          MethodResult(
            key: "rl2", title: "RL²", hyperparameter: checkpoint.path,
            returns: evaluation.returns, episodeMeans: evaluation.episodeMeans))
        BaselineHarness.markBest(&result.methods)
      }
      results.append(result)
    }
    let elapsed = monotonicSeconds() - start
    if let out {
      let array = results.map { $0.jsonObject(includingReturns: true) }
      try JSONSerialization.data(withJSONObject: array, options: [.sortedKeys])
        .write(to: URL(fileURLWithPath: out), options: .atomic)
    }
    if json {
      let array = results.map { $0.jsonObject(includingReturns: false) }
      let data = try JSONSerialization.data(withJSONObject: array, options: [.sortedKeys])
      Console.line(String(decoding: data, as: UTF8.self))
      return
    }
    let columns = which == .bandits ? PaperTables.banditColumns : PaperTables.mdpColumns
    Console.line(TableRenderer.markdown(results, columns: columns))
    let agreement = TableRenderer.agreement(results)
    Console.line(
      "\nbaseline cells within max(1.5 %, 3 SE) of the paper: \(agreement.agreeing) of "
        + "\(agreement.total); \(harness.instances) instances per cell, "
        + String(format: "%.0f s", elapsed))
    for line in agreement.off { Console.line("  † " + line) }
  }
}
