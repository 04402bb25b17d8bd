import Foundation

/// `progress.csv`: one row per iteration, flushed as it is written, appended to on resume.
public final class ProgressLog {
  public static let fixedColumns = [
    "iteration", "weights_version", "steps", "mean_trial_return", "mean_optimal_return",
    "mean_kl", "entropy", "surrogate_before", "surrogate_after", "backtracks", "accepted",
    "value_loss", "rollout_seconds", "baseline_seconds", "policy_seconds", "value_seconds",
    "steps_per_second", "dropped_batches", "late_batches", "rejected_batches", "live_actors",
    "actor_steps_per_second", "broadcast_bytes", "broadcast_latency_ms",
  ]

  /// The leading columns of `evaluations.csv` (the test-set evaluations during training).
  public static let evaluationColumns = [
    "iteration", "steps", "mean", "stderr", "mean_optimal_return",
  ]

  let handle: FileHandle
  public let url: URL
  /// The columns written by name before the per-episode returns.
  public let fixed: [String]
  public let columns: [String]
  /// Columns after the per-episode returns, written by name (e.g. a maze's success rates).
  public let extraColumns: [String]
  let episodeColumnCount: Int

  /// Opens (or creates, with its header) the log; `episodes` adds one column per episode index
  /// when a trial has at most 20 episodes, otherwise a single column with all of them. Rows of
  /// iterations after `keepingIterationsUpTo` (written after the checkpoint a run resumes from)
  /// are dropped, so a resumed log has each iteration once, and so are incomplete rows.
  /// `fixed` names the leading columns, the first of them the iteration (`evaluations.csv`
  /// uses its own).
  public init(
    url: URL, fixed: [String] = ProgressLog.fixedColumns, episodes: Int,
    extraColumns: [String] = [], keepingIterationsUpTo lastKept: Int
  ) throws {
    episodeColumnCount = episodes <= 20 ? episodes : 1
    self.url = url
    self.fixed = fixed
    self.extraColumns = extraColumns
    columns =
      fixed
      + (episodes <= 20 ? (1...episodes).map { "return_episode_\($0)" } : ["episode_returns"])
      + extraColumns
    let header = columns.joined(separator: ",")
    let existing = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    let lines = existing.split(separator: "\n")
    // A row cut short (the disk filled up while it was written) has fewer fields than the
    // header it was written under; rows of a log whose header had fewer columns (an older
    // build) are kept and padded with empty fields for the columns added since.
    let fieldCount = { (line: Substring) in
      line.split(separator: ",", omittingEmptySubsequences: false).count
    }
    let oldWidth = lines.first.map(fieldCount) ?? 0
    let padding = String(repeating: ",", count: max(0, columns.count - oldWidth))
    let kept = lines.dropFirst().filter { row in
      (Int(row.prefix { $0 != "," }) ?? .max) <= lastKept && fieldCount(row) == oldWidth
    }.map { $0 + padding }
    do {
      try AtomicFile.write(
        Data(([header] + kept.map(String.init)).map { $0 + "\n" }.joined().utf8), to: url)
      handle = try FileHandle(forWritingTo: url)
      try handle.seekToEnd()
    } catch {
      throw RunDirectoryError.unwritable(url.path, AtomicFile.reason(error))
    }
  }

  deinit { try? handle.close() }

  /// Appends a row: the fixed columns by name, the per-episode returns, the extra columns.
  public func append(_ values: [String: Double], episodeReturns: [Double]) throws {
    var fields = fixed.map { format(values[$0] ?? 0) }
    if episodeColumnCount > 1 || episodeReturns.count == 1 {
      fields += episodeReturns.map(format)
    } else {
      fields.append("\"" + episodeReturns.map(format).joined(separator: " ") + "\"")
    }
    fields += extraColumns.map { format(values[$0] ?? 0) }
    do {
      try handle.write(contentsOf: Data((fields.joined(separator: ",") + "\n").utf8))
    } catch {
      throw RunDirectoryError.unwritable(url.path, AtomicFile.reason(error))
    }
  }

  private func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15
      ? String(Int(value)) : String(format: "%.6g", value)
  }
}
