import Foundation

/// The hand-designed algorithms of the paper's Table 1, each with the settings the paper
/// searched; the harness keeps the best on a tuning set.
///
///     let families = BanditBaselines.families(
///       arms: 10, pulls: 100, cacheDirectory: GittinsIndexTable.defaultCacheDirectory)
public enum BanditBaselines {
  /// The discounts of the discounted Gittins candidates (the paper's grid).
  public static let discounts = [0.9, 0.99, 0.999, 0.9999]

  /// Random, Gittins, TS, OTS, UCB1, ε-Greedy and Greedy, in the paper's column order.
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
