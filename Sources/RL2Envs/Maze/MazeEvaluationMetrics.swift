import RL2Math

/// What an actor reports for one configuration (one trial): per episode index, the steps it
/// took, whether it reached the target and its undiscounted return.
public struct ConfigurationOutcome: Sendable, Equatable {
  public var configurationID: Int
  public var episodeLengths: [Int]
  public var successes: [Bool]
  public var episodeReturns: [Double]

  public init(
    configurationID: Int, episodeLengths: [Int], successes: [Bool], episodeReturns: [Double]
  ) {
    self.configurationID = configurationID
    self.episodeLengths = episodeLengths
    self.successes = successes
    self.episodeReturns = episodeReturns
  }

  /// Steps over all episodes of the trial.
  public var environmentSteps: Int { episodeLengths.reduce(0, +) }
}

/// The figures of Table 3 of Duan et al. 2016 (RL², §5.4, visual navigation) over a set of
/// evaluated maze configurations, per episode index k of the trial:
///
/// - success rate: the share of configurations whose episode k reached the target;
/// - mean length of the successful episodes k, L̄ₖ = (1/|Sₖ|) Σ_{c ∈ Sₖ} ℓₖ(c), with its standard
///   error s/√|Sₖ| (Sₖ the configurations whose episode k succeeded; 0 and 0 when Sₖ is empty);
///
/// and, for trials of two or more episodes, the improved share: among the configurations whose
/// episodes 1 and 2 both succeeded (B = S₁ ∩ S₂), the share where episode 2 took no more steps
/// than episode 1, |{c ∈ B : ℓ₂(c) ≤ ℓ₁(c)}| / |B|. Restricting to B compares trajectories of the
/// same kind: a failed episode's length is only the horizon at which it was cut off. The share
/// is `nil` when B is empty; `improvedBasis` says how many configurations it rests on.
///
/// Usage: `let metrics = MazeEvaluationMetrics(outcomes, episodesPerTrial: 2)`, then
/// `metrics.episodes[1].successRate`, `metrics.improvedShare`. Pure: order of the outcomes does
/// not matter, and a partial sweep gives the figures of the configurations recorded so far.
public struct MazeEvaluationMetrics: Sendable, Equatable {
  public struct Episode: Sendable, Equatable {
    public var configurations: Int
    public var successes: Int
    public var successRate: Double
    public var meanSuccessfulLength: Double
    public var successfulLengthStandardError: Double

    public init(
      configurations: Int, successes: Int, successRate: Double, meanSuccessfulLength: Double,
      successfulLengthStandardError: Double
    ) {
      self.configurations = configurations
      self.successes = successes
      self.successRate = successRate
      self.meanSuccessfulLength = meanSuccessfulLength
      self.successfulLengthStandardError = successfulLengthStandardError
    }
  }

  public var configurations: Int
  /// One entry per episode index of the trial, episode 1 first.
  public var episodes: [Episode]
  public var improvedShare: Double?
  public var improvedBasis: Int

  /// The metrics of `outcomes`, each holding `episodesPerTrial` episodes (the lease book checks
  /// that before it records one).
  public init(_ outcomes: [ConfigurationOutcome], episodesPerTrial: Int) {
    configurations = outcomes.count
    episodes = (0..<episodesPerTrial).map { k in Self.episode(k, of: outcomes) }
    guard episodesPerTrial >= 2 else {
      improvedShare = nil
      improvedBasis = 0
      return
    }
    let basis = outcomes.filter { $0.successes[0] && $0.successes[1] }
    improvedBasis = basis.count
    let improved = basis.filter { $0.episodeLengths[1] <= $0.episodeLengths[0] }.count
    improvedShare = basis.isEmpty ? nil : Double(improved) / Double(basis.count)
  }

  public init(
    configurations: Int, episodes: [Episode], improvedShare: Double?, improvedBasis: Int
  ) {
    self.configurations = configurations
    self.episodes = episodes
    self.improvedShare = improvedShare
    self.improvedBasis = improvedBasis
  }

  private static func episode(_ k: Int, of outcomes: [ConfigurationOutcome]) -> Episode {
    let lengths = outcomes.filter { $0.successes[k] }.map { Double($0.episodeLengths[k]) }
    return Episode(
      configurations: outcomes.count, successes: lengths.count,
      successRate: outcomes.isEmpty ? 0 : Double(lengths.count) / Double(outcomes.count),
      meanSuccessfulLength: lengths.isEmpty ? 0 : Statistics.mean(lengths),
      successfulLengthStandardError: lengths.isEmpty ? 0 : Statistics.standardError(lengths))
  }
}
