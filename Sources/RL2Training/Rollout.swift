import Foundation
import RL2Envs
import RL2Math
import RL2Nets

// Legend: T steps, B trials, n trials of one worker, I input width, H hidden, A actions.

/// Samples whole trials with the recurrent policy: the fast RL algorithm at work.
///
/// Trial b is a pure function of `streams[b]` and the weights: its task and dynamics come from
/// the stream's "task" and "dynamics" children, its actions from "policy". Trials are split
/// across workers, each stepping its trials in lockstep with one GEMM per step.
public enum Rollout {
  public static func run<Distribution: TaskDistribution>(
    policy: RecurrentNetwork<Float>, parameters: Parameters<Float>,
    distribution: Distribution, episodes: Int, streams: [RandomStream],
    encoder: TrialInputEncoder
  ) -> Trajectories {
    precondition(
      encoder.width == policy.inputCount,
      "φ is \(encoder.width) wide, the policy takes \(policy.inputCount)")
    let B = streams.count
    let T = episodes * distribution.horizon
    var trajectories = Trajectories(
      stepCount: T, trialCount: B, inputWidth: encoder.width,
      actionCount: distribution.actionCount, episodes: episodes)
    var episodeReturns = [Double](repeating: 0, count: B * episodes)
    let weights = policy.gru.weights(parameters)
    let (headWeight, _) = policy.head.effectiveWeight(parameters)
    let headBias = Array(parameters.values[policy.head.bias.range])
    withBuffers(&trajectories, &episodeReturns) { buffers in
      Parallel.forEachRange(count: B) { trials in
        var batch = TrialBatch(
          distribution: distribution, episodes: episodes, streams: Array(streams[trials]),
          encoder: encoder)
        var worker = Worker(
          policy: policy, weights: weights, headWeight: headWeight, headBias: headBias,
          streams: streams[trials].map { $0.stream("policy") })
        worker.run(&batch, buffers: buffers, trials: trials, totalTrials: B)
        for (i, trial) in batch.trials.enumerated() {
          for e in 0..<episodes {
            buffers.episodeReturns[(trials.lowerBound + i) * episodes + e] = trial.episodeReturns[e]
          }
          buffers.optimalReturns[trials.lowerBound + i] =
            trial.task.optimalEpisodeReturn * Double(episodes)
        }
      }
    }
    trajectories.episodeReturns = (0..<B).map {
      Array(episodeReturns[($0 * episodes)..<(($0 + 1) * episodes)])
    }
    return trajectories
  }

  /// log softmax(l)[a] = l_a − m − log Σ e^(l_k − m), in Double.
  static func logProbability(of action: Int, _ logits: UnsafePointer<Float>, _ A: Int) -> Float {
    var m = logits[0]
    for k in 1..<A { m = max(m, logits[k]) }
    var sum = 0.0
    for k in 0..<A { sum += Foundation.exp(Double(logits[k] - m)) }
    return Float(Double(logits[action] - m) - Foundation.log(sum))
  }

  /// Raw views of the arrays the workers fill, each worker at its own trials' offsets.
  struct Buffers {
    let inputs: UnsafeMutablePointer<Float>
    let actions: UnsafeMutablePointer<Int>
    let rewards: UnsafeMutablePointer<Float>
    let episodeEnded: UnsafeMutablePointer<Bool>
    let live: UnsafeMutablePointer<Bool>
    let logProbabilities: UnsafeMutablePointer<Float>
    let episodeReturns: UnsafeMutablePointer<Double>
    let optimalReturns: UnsafeMutablePointer<Double>
  }

  static func withBuffers(
    _ t: inout Trajectories, _ episodeReturns: inout [Double], _ body: (Buffers) -> Void
  ) {
    t.inputs.withUnsafeMutableBufferPointer { inputs in
      t.actions.withUnsafeMutableBufferPointer { actions in
        t.rewards.withUnsafeMutableBufferPointer { rewards in
          t.episodeEnded.withUnsafeMutableBufferPointer { ended in
            t.live.withUnsafeMutableBufferPointer { live in
              t.behaviourLogProbabilities.withUnsafeMutableBufferPointer { logP in
                episodeReturns.withUnsafeMutableBufferPointer { returns in
                  t.optimalReturns.withUnsafeMutableBufferPointer { optimal in
                    body(
                      Buffers(
                        inputs: inputs.baseAddress!, actions: actions.baseAddress!,
                        rewards: rewards.baseAddress!, episodeEnded: ended.baseAddress!,
                        live: live.baseAddress!, logProbabilities: logP.baseAddress!,
                        episodeReturns: returns.baseAddress!, optimalReturns: optimal.baseAddress!))
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// One worker's trials: the recurrent state, the read-out and the action streams.
  struct Worker {
    let policy: RecurrentNetwork<Float>
    let weights: GRU<Float>.Weights
    /// W_out [A, H] and b_out [A].
    let headWeight: Tensor<Float>
    let headBias: [Float]
    var streams: [RandomStream]

    mutating func run<Distribution: TaskDistribution>(
      _ batch: inout TrialBatch<Distribution>, buffers: Buffers, trials: Range<Int>,
      totalTrials B: Int
    ) {
      let (n, b0) = (trials.count, trials.lowerBound)
      let (I, H, A) = (policy.inputCount, policy.hiddenCount, policy.outputCount)
      var state = [Float](repeating: 0, count: n * H)
      var logits = [Float](repeating: 0, count: n * A)
      var scratch = GRU<Float>.StepScratch()
      var actions = [Int](repeating: 0, count: n)
      var rewards = [Double](repeating: 0, count: n)
      var ended = [Bool](repeating: false, count: n)
      for t in 0..<batch.maximumLength where !batch.isFinished {
        let row = t * B + b0
        let live = batch.live
        batch.encodeInputs(into: buffers.inputs + row * I)
        live.withUnsafeBufferPointer { live in
          policy.gru.step(
            buffers.inputs + row * I, state: &state, live: live.baseAddress!, trialCount: n,
            weights: weights, scratch: &scratch)
        }
        readOut(state, into: &logits, trialCount: n)
        for i in 0..<n where live[i] {
          logits.withUnsafeBufferPointer { logits in
            let rowLogits = logits.baseAddress! + i * A
            let action = Categorical.sample(logits: rowLogits, actionCount: A, random: &streams[i])
            actions[i] = action
            buffers.logProbabilities[row + i] = Rollout.logProbability(of: action, rowLogits, A)
          }
        }
        batch.step(actions: actions, rewards: &rewards, episodeEnded: &ended)
        for i in 0..<n {
          buffers.live[row + i] = live[i]
          buffers.actions[row + i] = live[i] ? actions[i] : 0
          buffers.rewards[row + i] = Float(rewards[i])
          buffers.episodeEnded[row + i] = ended[i]
        }
      }
    }

    /// logits = h·W_outᵀ + b_out for the worker's n trials.
    func readOut(_ state: [Float], into logits: inout [Float], trialCount n: Int) {
      let (H, A) = (policy.hiddenCount, policy.outputCount)
      for i in 0..<n { for a in 0..<A { logits[i * A + a] = headBias[a] } }
      headWeight.withUnsafeBufferPointer { w in
        BLAS.gemm(
          transposeB: true, m: n, n: A, k: H, a: state, lda: H, b: w.baseAddress!, ldb: H,
          beta: 1, c: &logits, ldc: A)
      }
    }

  }
}
