/// The paper's Tables 1 and 2 (Duan et al. 2016, arXiv 1611.02779), the numbers every
/// regenerated cell is shown beside.
public enum PaperTables {
  public struct Row: Sendable {
    public var setting: String
    /// The row label as the paper prints it ("n = 10, k = 5" or "n = 10").
    public var label: String
    public var values: [String: Double]
  }

  /// Table 1: Bernoulli bandits, total reward over n pulls, rows (n, k).
  public static let bandits: [Row] = [
    row(10, 5, [5.0, 6.6, 5.7, 6.5, 6.7, 6.6, 6.6, 6.7]),
    row(10, 10, [5.0, 6.6, 5.5, 6.2, 6.7, 6.6, 6.6, 6.7]),
    row(10, 50, [5.1, 6.5, 5.2, 5.5, 6.6, 6.5, 6.5, 6.8]),
    row(100, 5, [49.9, 78.3, 74.7, 77.9, 78.0, 75.4, 74.8, 78.7]),
    row(100, 10, [49.9, 82.8, 76.7, 81.4, 82.4, 77.4, 77.1, 83.5]),
    row(100, 50, [49.8, 85.2, 64.5, 67.7, 84.3, 78.3, 78.0, 84.9]),
    row(500, 5, [249.8, 405.8, 402.0, 406.7, 405.8, 388.2, 380.6, 401.6]),
    row(500, 10, [249.0, 437.8, 429.5, 438.9, 437.1, 408.0, 395.0, 432.5]),
    row(500, 50, [249.6, 463.7, 427.2, 437.6, 457.6, 413.6, 402.8, 438.9]),
  ]

  /// Table 2: random MDPs (|S| = 10, |A| = 5, T = 10), total reward over n episodes.
  public static let mdps: [Row] = [
    mdpRow(10, [100.1, 138.1, 144.1, 146.6, 150.2, 132.8, 134.8, 156.2]),
    mdpRow(25, [250.2, 408.8, 425.2, 424.1, 427.8, 377.3, 368.8, 445.7]),
    mdpRow(50, [499.7, 904.4, 930.7, 918.9, 917.8, 823.3, 769.3, 936.1]),
    mdpRow(75, [749.9, 1417.1, 1449.2, 1427.6, 1422.6, 1293.9, 1172.9, 1428.8]),
    mdpRow(100, [999.4, 1939.5, 1973.9, 1942.1, 1935.1, 1778.2, 1578.5, 1913.7]),
  ]

  /// Column keys in the paper's order.
  public static let banditColumns = [
    "random", "gittins", "ts", "ots", "ucb1", "eps_greedy", "greedy", "rl2",
  ]
  public static let mdpColumns = [
    "random", "psrl", "opsrl", "ucrl2", "beb", "eps_greedy", "greedy", "rl2",
  ]

  public static func row(forSetting setting: String) -> Row? {
    (bandits + mdps).first { $0.setting == setting }
  }

  private static func row(_ n: Int, _ k: Int, _ values: [Double]) -> Row {
    Row(
      setting: "bandit-k\(k)-n\(n)", label: "n = \(n), k = \(k)",
      values: Dictionary(uniqueKeysWithValues: zip(banditColumns, values)))
  }

  private static func mdpRow(_ n: Int, _ values: [Double]) -> Row {
    Row(
      setting: "mdp-s10-a5-h10-n\(n)", label: "n = \(n)",
      values: Dictionary(uniqueKeysWithValues: zip(mdpColumns, values)))
  }
}

extension PaperTables {
  /// One maze size of the paper's Table 3 (best run), per episode 1–5.
  public struct MazeRow: Sendable {
    public var size: Int
    public var meanLength: [Double]
    public var meanLengthStderr: [Double]
    public var successRate: [Double]
    /// Share of mazes where episode 2 was no longer than episode 1.
    public var improvedShare: Double
  }

  public static let maze: [MazeRow] = [
    MazeRow(
      size: 5, meanLength: [52.4, 39.1, 42.6, 43.5, 43.9],
      meanLengthStderr: [1.3, 0.9, 1.0, 1.1, 1.1],
      successRate: [0.993, 0.996, 0.997, 0.994, 0.996], improvedShare: 0.917),
    MazeRow(
      size: 9, meanLength: [180.1, 151.8, 169.3, 162.3, 169.3],
      meanLengthStderr: [6.0, 5.9, 6.3, 6.4, 6.5],
      successRate: [0.971, 0.967, 0.958, 0.956, 0.961], improvedShare: 0.714),
  ]
}
