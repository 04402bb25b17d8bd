import Foundation

/// The hand-designed algorithms of the paper's Table 1, each with the settings the paper
/// searched; the harness keeps the best on a tuning set.
///
/// Cost, measured in release on this 2-core machine while a training job used it: at k = 50,
/// n = 500 one instance takes 0.5 ms (Gittins, finite horizon; 0.1–1 ms for the other
/// indices), 1.2 ms (TS), 1–17 ms (OTS, largest of N = 1…20) and 2–29 ms (OTS, most
/// probable), 0.2 ms (UCB1), ≤ 0.14 ms (ε-greedy, Greedy) and 0.005 ms (Random). With 500
/// tuning and 1000 reported instances, Table 1's nine cells take about 430 core-seconds, of
/// which OTS's 40 settings are 80 %; building every Gittins table on a cold cache adds about
/// 30 s (24 s of it the n = 500 finite-horizon table, on both cores).
///
///     let families = BanditBaselines.families(
///       arms: 10, pulls: 100, cacheDirectory: GittinsIndexTable.defaultCacheDirectory)
public enum BanditBaselines {
  /// The discounts of the discounted Gittins candidates (the paper's grid).
  public static let discounts = [0.9, 0.99, 0.999, 0.9999]

  /// Random, Gittins, TS, OTS, UCB1, ε-Greedy and Greedy, in the paper's column order, with
  /// these candidates:
  ///
  /// - Gittins: "finite horizon" (the exact index with the remaining pulls as horizon),
  ///   "γ = 0.9" … "γ = 0.9999" (discounted indices) and "Brezzi–Lai, γ = …" (their closed
  ///   form) — the paper kept the best of several approximations per cell;
  /// - OTS: "N = 1" … "N = 20" (the largest of N draws per arm, as the paper describes OTS) and
  ///   "N = 1, most probable" … (the most probable of N joint draws, as the authors' code ran);
  /// - UCB1 "c = 0.0" … "c = 1.0", ε-Greedy "ε = 0.0" … "ε = 1.0"; Random, TS, Greedy "none".
  ///
  /// Gittins's index tables — the finite-horizon one for `pulls` and one discounted table per
  /// discount — are made by the first play of their candidate: loaded from `cacheDirectory`,
  /// or built and written there (nil: kept in this process's memory only).
  public static func families(arms: Int, pulls: Int, cacheDirectory: URL?) -> [BanditFamily] {
    precondition(arms >= 1 && pulls >= 1, "need arms ≥ 1 and pulls ≥ 1, got \(arms), \(pulls)")
    let tenths = (0...10).map { Double($0) / 10 }
    return [
      BanditFamily(key: "random", title: "Random", candidates: [("none", RandomPulls())]),
      BanditFamily(
        key: "gittins", title: "Gittins",
        candidates: gittinsCandidates(pulls: pulls, cacheDirectory: cacheDirectory)),
      BanditFamily(key: "ts", title: "TS", candidates: [("none", ThompsonSampling())]),
      BanditFamily(
        key: "ots", title: "OTS",
        candidates: [OptimisticThompsonSampling.Selection.largest, .mostProbable].flatMap {
          selection in
          (1...20).map { n in
            (
              selection == .largest ? "N = \(n)" : "N = \(n), \(selection.rawValue)",
              OptimisticThompsonSampling(samples: n, selection: selection)
            )
          }
        }),
      BanditFamily(
        key: "ucb1", title: "UCB1", candidates: tenths.map { ("c = \($0)", UCB1(c: $0)) }),
      BanditFamily(
        key: "eps_greedy", title: "ε-Greedy",
        candidates: tenths.map { ("ε = \($0)", EpsilonGreedy(epsilon: $0)) }),
      BanditFamily(key: "greedy", title: "Greedy", candidates: [("none", EpsilonGreedy.greedy)]),
    ]
  }

  /// The exact finite-horizon index, the discounted indices, and their Brezzi–Lai closed form.
  static func gittinsCandidates(pulls: Int, cacheDirectory: URL?) -> [(
    hyperparameter: String, algorithm: any BanditAlgorithm
  )] {
    let finite = GittinsPolicy(
      deferredTable: .finiteHorizon(pulls: pulls), cacheDirectory: cacheDirectory)
    let discounted = discounts.map { gamma in
      (
        "γ = \(gamma)",
        GittinsPolicy(
          deferredTable: GittinsIndexTable.discounted(gamma, pulls: pulls),
          cacheDirectory: cacheDirectory)
      )
    }
    let closedForm = discounts.map {
      ("Brezzi–Lai, γ = \($0)", GittinsPolicy(brezziLaiDiscount: $0))
    }
    return [("finite horizon", finite)] + discounted + closedForm
  }
}
