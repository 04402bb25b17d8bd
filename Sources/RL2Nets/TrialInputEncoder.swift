import RL2Math

/// Builds the network input φ(s_t, a_{t−1}, r_{t−1}, d_{t−1}) of one step:
/// [one-hot state | one-hot previous action | previous reward | previous termination flag].
///
/// With `includesPreviousState` (not in the paper; tabular MDPs) the one-hot s_{t−1} follows
/// the state, so each step shows the whole transition (s_{t−1}, a_{t−1}, r_{t−1}, s_t) and the
/// GRU need not carry s_{t−1} itself to pair it with the action, the reward and where it led. It
/// is all zeros at a trial's first step; after an episode ended (d = 1) it is the state of the
/// episode's last step, and s_t is the new episode's initial state.
///
/// With `includesPreviousPair` (not in the paper; tabular MDPs) two blocks of |S|·|A| values
/// follow: the one-hot of the previous step's pair (s_{t−1}, a_{t−1}) and r_{t−1} written at that
/// pair's place. They are a re-encoding of what φ already shows (s_{t−1} · a_{t−1} and
/// r_{t−1} · [s_{t−1}, a_{t−1}]), so a GRU can write a pair's reward into its memory through its
/// linear input map instead of first forming the product of two one-hots itself. All zeros at a
/// trial's first step.
///
/// The state part is omitted when there is a single state (bandits), so a k-armed bandit has
/// width k + 2 (52 for 50 arms). At a trial's first step there is no previous action: its
/// one-hot part is all zeros, the reward is 0 and the flag is `firstStepFlag`. The default, 1,
/// follows the authors' code rather than the paper (which says 0): the trial's first step then
/// looks like the first step of every later episode, which also follows a termination.
public struct TrialInputEncoder: Sendable, Equatable {
  public let stateCount: Int
  public let actionCount: Int
  public let firstStepFlag: Double
  /// Whether φ also holds the one-hot previous state s_{t−1} (only with more than one state).
  public let includesPreviousState: Bool
  /// Whether φ also holds the one-hot pair (s_{t−1}, a_{t−1}) and r_{t−1} at that pair's place
  /// (only with more than one state).
  public let includesPreviousPair: Bool

  public init(
    stateCount: Int, actionCount: Int, firstStepFlag: Double = 1,
    includesPreviousState: Bool = false, includesPreviousPair: Bool = false
  ) {
    precondition(stateCount >= 1 && actionCount >= 1, "need at least one state and one action")
    self.stateCount = stateCount
    self.actionCount = actionCount
    self.firstStepFlag = firstStepFlag
    self.includesPreviousState = includesPreviousState && stateCount > 1
    self.includesPreviousPair = includesPreviousPair && stateCount > 1
  }

  var encodesState: Bool { stateCount > 1 }

  /// Width of φ.
  public var width: Int {
    (encodesState ? stateCount : 0) + (includesPreviousState ? stateCount : 0) + actionCount + 2
      + (includesPreviousPair ? 2 * pairCount : 0)
  }

  /// Pairs (s, a), the width of each block of the previous-pair part.
  var pairCount: Int { stateCount * actionCount }

  /// Writes φ for one step into `row` (`width` values). `previous` is nil at a trial's first
  /// step; `previousState` (s_{t−1}) is read only when the encoder includes it or the previous
  /// pair.
  public func encode<Scalar: TensorScalar>(
    state: Int, previous: (action: Int, reward: Double, done: Bool)?, previousState: Int? = nil,
    into row: UnsafeMutablePointer<Scalar>
  ) {
    precondition(state >= 0 && state < stateCount, "state \(state) not in 0..<\(stateCount)")
    row.update(repeating: 0, count: width)
    var offset = 0
    if encodesState {
      row[state] = 1
      offset = stateCount
    }
    let checkedPreviousState = previous == nil ? nil : validPreviousState(previousState)
    if includesPreviousState {
      if let checkedPreviousState { row[offset + checkedPreviousState] = 1 }
      offset += stateCount
    }
    guard let previous else {
      row[offset + actionCount + 1] = Scalar(firstStepFlag)
      return
    }
    precondition(
      previous.action >= 0 && previous.action < actionCount,
      "action \(previous.action) not in 0..<\(actionCount)")
    row[offset + previous.action] = 1
    row[offset + actionCount] = Scalar(previous.reward)
    row[offset + actionCount + 1] = previous.done ? 1 : 0
    offset += actionCount + 2
    if includesPreviousPair, let checkedPreviousState {
      let pair = checkedPreviousState * actionCount + previous.action
      row[offset + pair] = 1
      row[offset + pairCount + pair] = Scalar(previous.reward)
    }
  }

  /// s_{t−1} when the encoder reads it (nil otherwise); a missing or out-of-range one is a
  /// programming error.
  private func validPreviousState(_ previousState: Int?) -> Int? {
    guard includesPreviousState || includesPreviousPair else { return nil }
    guard let previousState, previousState >= 0, previousState < stateCount else {
      preconditionFailure(
        "previous state \(previousState.map(String.init) ?? "nil") not in 0..<\(stateCount)")
    }
    return previousState
  }
}
