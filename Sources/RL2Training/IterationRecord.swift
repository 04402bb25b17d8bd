import Foundation

/// What one iteration measured: the progress line and the `progress.csv` row.
struct IterationRecord {
  let weightsVersion: Int
  let environmentSteps: Int
  let meanReturn: Double
  let meanOptimalReturn: Double
  let episodeReturns: [Double]
  let update: PolicyUpdateStatistics
  let valueLoss: Double
  let phases: [String: Double]
  let steps: Int
  /// The agent's own columns (`TrainableAgent.progressValues`), e.g. a maze's success rates.
  var agentValues: [String: Double] = [:]

  init(
    weightsVersion: Int, environmentSteps: Int, trajectories: Trajectories,
    update: PolicyUpdateStatistics, valueLoss: Double, phases: [String: Double]
  ) {
    self.weightsVersion = weightsVersion
    self.environmentSteps = environmentSteps
    let returns = trajectories.trialReturns
    meanReturn = returns.reduce(0, +) / Double(max(1, returns.count))
    meanOptimalReturn =
      trajectories.optimalReturns.reduce(0, +) / Double(max(1, trajectories.trialCount))
    episodeReturns = trajectories.meanEpisodeReturns
    self.update = update
    self.valueLoss = valueLoss
    self.phases = phases
    steps = trajectories.liveStepCount
  }

  var seconds: Double { phases.values.reduce(0, +) }

  func columns(iteration: Int) -> [String: Double] {
    [
      "iteration": Double(iteration), "weights_version": Double(weightsVersion),
      "steps": Double(environmentSteps),
      "mean_trial_return": meanReturn, "mean_optimal_return": meanOptimalReturn,
      "mean_kl": update.meanKL, "entropy": update.entropy,
      "surrogate_before": update.surrogateBefore, "surrogate_after": update.surrogateAfter,
      "backtracks": Double(update.backtracks), "accepted": update.accepted ? 1 : 0,
      "value_loss": valueLoss, "rollout_seconds": phases["rollout"] ?? 0,
      "baseline_seconds": phases["baseline"] ?? 0, "policy_seconds": phases["policy"] ?? 0,
      "value_seconds": phases["value"] ?? 0, "steps_per_second": Double(steps) / seconds,
    ].merging(agentValues) { $1 }
  }

  func line(iteration: Int, of total: Int, elapsed: Double, eta: Double) -> String {
    var text = String(
      format: "iter %d/%d  return %.3f (oracle %.2f)", iteration, total, meanReturn,
      meanOptimalReturn)
    if episodeReturns.count > 1 && episodeReturns.count <= 10 {
      text +=
        "  episodes " + episodeReturns.map { String(format: "%.2f", $0) }.joined(separator: " ")
    }
    let successes = (1...max(1, episodeReturns.count)).compactMap {
      agentValues["success_rate_\($0)"]
    }
    if !successes.isEmpty {
      text +=
        "  success " + successes.map { String(format: "%.0f%%", 100 * $0) }.joined(separator: " ")
      let lengths = (1...episodeReturns.count).compactMap { agentValues["success_length_\($0)"] }
      text += "  length " + lengths.map { String(format: "%.1f", $0) }.joined(separator: " ")
    }
    text += String(
      format: "  KL %.4f%@  H %.3f  %.0f steps/s  %@ elapsed, ETA %@", update.meanKL,
      update.accepted ? "" : " (rejected)", update.entropy, Double(steps) / seconds,
      formatDuration(elapsed), formatDuration(eta))
    return text
  }
}

/// h:mm:ss.
func formatDuration(_ seconds: Double) -> String {
  let s = Int(seconds.rounded())
  return String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
}
