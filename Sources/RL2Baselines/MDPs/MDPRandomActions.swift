import RL2Envs
import RL2Math

/// The Random column of Table 2: a uniformly random action at every step, learning nothing.
public struct MDPRandomActions: MDPAlgorithm {
  public init() {}

  public func play(
    _ mdp: TabularMDP, episodes: Int, dynamics: inout RandomStream, random: inout RandomStream
  ) -> [Double] {
    precondition(episodes >= 0, "a trial needs a non-negative number of episodes, got \(episodes)")
    return (0..<episodes).map { _ in
      var state = mdp.initialState(random: &dynamics)
      var episodeReturn = 0.0
      for _ in 0..<mdp.horizon {
        let outcome = mdp.step(
          state: state, action: random.integer(below: mdp.actionCount), random: &dynamics)
        episodeReturn += outcome.reward
        state = outcome.nextState
        if outcome.terminal { break }
      }
      return episodeReturn
    }
  }
}
