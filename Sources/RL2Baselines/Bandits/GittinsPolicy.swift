import Foundation
import RL2Envs
import RL2Math

/// The Gittins index policy: pull the arm of highest index, ties at random, with the index of
/// a finite-horizon table (the remaining pulls, this one included, as h), a discounted table,
/// or the Brezzi–Lai closed form. Arms start at the uniform prior (no observations).
///
///     let table = GittinsIndexTable.make(.finiteHorizon(pulls: 100), cacheDirectory: nil)
///     let rewards = GittinsPolicy(table: table).play(
///       bandit, pulls: 100, dynamics: &dynamics, random: &random)
public struct GittinsPolicy: BanditAlgorithm {
  public enum Index: Sendable {
    case table(GittinsIndexTable)
    /// A table made (built, or loaded from the directory) by the first play that needs it.
    case deferredTable(GittinsIndexTable.Kind, cacheDirectory: URL?)
    case brezziLai(discount: Double)
  }

  public let index: Index

  public init(table: GittinsIndexTable) { index = .table(table) }

  /// The policy of the table `kind`, which `GittinsIndexTable.make` provides at the first play
  /// (so that listing candidates costs nothing).
  public init(deferredTable kind: GittinsIndexTable.Kind, cacheDirectory: URL?) {
    index = .deferredTable(kind, cacheDirectory: cacheDirectory)
  }

  public init(brezziLaiDiscount gamma: Double) {
    precondition(gamma > 0 && gamma < 1, "the discount must lie in (0, 1), got \(gamma)")
    index = .brezziLai(discount: gamma)
  }

  public func play(
    _ bandit: BernoulliBandit, pulls: Int, dynamics: inout RandomStream,
    random: inout RandomStream
  ) -> [Double] {
    let index = resolvedIndex()
    index.checkCoverage(pulls: pulls)
    var statistics = BetaStatistics(arms: bandit.actionCount)
    return (0..<pulls).map { pull in
      let arm = random.argmaxBreakingTies(count: statistics.arms) {
        index.value(
          successes: statistics.successes[$0], failures: statistics.failures[$0],
          remainingPulls: pulls - pull)
      }
      return statistics.pull(arm, of: bandit, dynamics: &dynamics)
    }
  }

  func resolvedIndex() -> Index {
    guard case .deferredTable(let kind, let directory) = index else { return index }
    return .table(GittinsIndexTable.make(kind, cacheDirectory: directory))
  }

  /// The index of an arm with s successes and f failures when h pulls remain.
  func value(successes s: Int, failures f: Int, remainingPulls h: Int) -> Double {
    resolvedIndex().value(successes: s, failures: f, remainingPulls: h)
  }
}

extension GittinsPolicy.Index {
  @inline(__always)
  func value(successes s: Int, failures f: Int, remainingPulls h: Int) -> Double {
    switch self {
    case .table(let table):
      if case .finiteHorizon = table.kind {
        return table.index(successes: s, failures: f, remainingPulls: h)
      }
      return table.index(successes: s, failures: f)
    case .deferredTable:
      preconditionFailure("resolve a deferred table with GittinsPolicy.resolvedIndex() first")
    case .brezziLai(let gamma):
      return BrezziLai.index(successes: s, failures: f, discount: gamma)
    }
  }

  func checkCoverage(pulls: Int) {
    guard case .table(let table) = self else { return }
    switch table.kind {
    case .finiteHorizon(let tablePulls):
      precondition(
        pulls <= tablePulls,
        "a finite-horizon Gittins table for \(tablePulls) pulls cannot play \(pulls); "
          + "build one with .finiteHorizon(pulls: \(pulls))")
    case .discounted(_, let observations, _):
      precondition(
        pulls - 1 <= observations,
        "a discounted Gittins table for \(observations) observations cannot play \(pulls) "
          + "pulls; build one with GittinsIndexTable.discounted(γ, pulls: \(pulls))")
    }
  }
}
