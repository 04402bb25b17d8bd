import Foundation

/// Tables 1 and 2 as the paper prints them, with our number beside the paper's in every cell.
public enum TableRenderer {
  public static let titles = [
    "random": "Random", "gittins": "Gittins", "ts": "TS", "ots": "OTS", "ucb1": "UCB1",
    "eps_greedy": "ε-Greedy", "greedy": "Greedy", "rl2": "RL²", "psrl": "PSRL",
    "opsrl": "OPSRL", "ucrl2": "UCRL2", "beb": "BEB",
  ]

  /// Whether our mean agrees with the paper's: within max(1.5 %, 3 standard errors).
  public static func agrees(_ method: MethodResult, paper: Double) -> Bool {
    abs(method.mean - paper) <= max(0.015 * abs(paper), 3 * method.stderr)
  }

  /// A Markdown table: one row per setting, each cell "ours ± SE (paper)", ours in bold when it
  /// is the best of the row or not significantly worse; † marks a baseline cell that differs
  /// from the paper by more than max(1.5 %, 3 SE).
  public static func markdown(_ results: [SettingResult], columns: [String]) -> String {
    var lines = [
      "| setting | " + columns.map { titles[$0] ?? $0 }.joined(separator: " | ") + " | oracle |",
      "|---|" + String(repeating: "---|", count: columns.count + 1),
    ]
    for result in results {
      let paper = PaperTables.row(forSetting: result.setting)
      let cells = columns.map { key -> String in
        let reference = paper?.values[key].map { String(format: " (%.1f)", $0) } ?? ""
        guard let method = result.method(key) else { return "–" + reference }
        let number = String(format: "%.1f", method.mean)
        let flag =
          key != "rl2" && paper?.values[key].map { !agrees(method, paper: $0) } == true
          ? "†" : ""
        return (method.isBestOrTied ? "**\(number)**" : number)
          + String(format: " ± %.1f", method.stderr) + flag + reference
      }
      lines.append(
        "| \(paper?.label ?? result.setting) | " + cells.joined(separator: " | ")
          + String(format: " | %.1f |", result.oracleMean))
    }
    return lines.joined(separator: "\n")
  }

  /// Which baseline cells agree with the paper, as one summary line per disagreement.
  public static func agreement(_ results: [SettingResult]) -> (
    agreeing: Int, total: Int, off: [String]
  ) {
    var (agreeing, total, off) = (0, 0, [String]())
    for result in results {
      guard let paper = PaperTables.row(forSetting: result.setting) else { continue }
      for method in result.methods where method.key != "rl2" {
        guard let reference = paper.values[method.key] else { continue }
        total += 1
        if agrees(method, paper: reference) {
          agreeing += 1
        } else {
          off.append(
            String(
              format: "%@ %@: %.2f ± %.2f, paper %.1f (%+.1f %%)", paper.label,
              titles[method.key] ?? method.key, method.mean, method.stderr, reference,
              100 * (method.mean - reference) / reference))
        }
      }
    }
    return (agreeing, total, off)
  }
}
