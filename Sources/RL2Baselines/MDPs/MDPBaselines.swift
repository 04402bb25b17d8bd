import Foundation

/// The rows of Table 2 other than RL², each with the hyperparameter grid the paper searched
/// (the harness picks the best candidate on its tuning instances).
public enum MDPBaselines {
  /// 21 log-spaced values from 1e-4 to 1, 10^(−4 + k/5) for k = 0…20: the grid of BEB's β and
  /// UCRL2's width scale (the authors' `np.exp(np.linspace(np.log(1e-4), 0, 21))`).
  public static let logSpacedGrid: [Double] = (0...20).map { pow(10, Double($0 - 20) / 5) }

  /// Random, PSRL, OPSRL (N = 1…20), UCRL2 (δ = 0.05, scale on `logSpacedGrid`), BEB
  /// (β = 2H² · scale, scale on `logSpacedGrid`, as TabulaRL scales it), ε-greedy (ε = 0.1…1) and Greedy, in the paper's column order. Every
  /// Bayesian method and the unvisited-pair estimate of UCRL2 use the prior mean `priorMean` for
  /// μ(s, a) (1 is the true prior; 0 is what the authors ran). The algorithms read S, A and H from
  /// each instance; the arguments only check the setting.
  public static func families(states: Int, actions: Int, horizon: Int, priorMean: Double)
    -> [MDPFamily]
  {
    precondition(
      states >= 1 && actions >= 1 && horizon >= 1,
      "an MDP setting needs at least one state, one action and one step, got S = \(states), "
        + "A = \(actions), H = \(horizon)")
    return [
      MDPFamily(key: "random", title: "Random", candidates: [("none", MDPRandomActions())]),
      MDPFamily(key: "psrl", title: "PSRL", candidates: [("none", PSRL(priorMean: priorMean))]),
      MDPFamily(
        key: "opsrl", title: "OPSRL",
        candidates: (1...20).map { ("N = \($0)", OPSRL(sampleCount: $0, priorMean: priorMean)) }),
      MDPFamily(
        key: "ucrl2", title: "UCRL2",
        candidates: logSpacedGrid.map {
          ("scale = \(described($0))", UCRL2(scale: $0, priorMean: priorMean))
        }),
      MDPFamily(
        key: "beb", title: "BEB",
        candidates: logSpacedGrid.map { scale in
          // TabulaRL's BEB, which the authors ran: β = 2H² · scale.
          let beta = 2 * Double(horizon * horizon) * scale
          return (
            "scale = \(described(scale)) (β = \(described(beta)))",
            BEB(beta: beta, priorMean: priorMean)
          )
        }),
      MDPFamily(
        key: "eps_greedy", title: "ε-Greedy",
        candidates: (1...10).map {
          let epsilon = Double($0) / 10
          return (
            "ε = \(described(epsilon))", MDPEpsilonGreedy(epsilon: epsilon, priorMean: priorMean)
          )
        }),
      MDPFamily(
        key: "greedy", title: "Greedy",
        candidates: [("none", MDPEpsilonGreedy(epsilon: 0, priorMean: priorMean))]),
    ]
  }

  /// Three significant digits: "0.0001", "0.000158", "0.1", "1".
  private static func described(_ value: Double) -> String {
    String(format: "%.3g", value)
  }
}
