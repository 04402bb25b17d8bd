import ArgumentParser
import Foundation
import RL2Math

@main
struct RL2Command: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rl2",
    abstract: "RL²: learn reinforcement-learning algorithms with a recurrent policy.",
    subcommands: [
      TrainCommand.self, LearnerCommand.self, ActorCommand.self, EvalCommand.self,
      BaselinesCommand.self, TableCommand.self, BenchCommand.self, CoordinatorCommand.self,
      StatusCommand.self, RenderCommand.self, EvalWorkerCommand.self, KeygenCommand.self,
    ]
  )

  static func main() {
    relaunchWithFittingBLASKernels()
    MemoryTuning.retainLargeAllocations()
    FloatEnvironment.flushDenormalsToZero()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      exit(withError: error)
    }
  }
}

/// Starts this program again under `OPENBLAS_CORETYPE` when OpenBLAS chose kernels narrower than
/// the CPU (see `BLAS.fittingKernel`); the variable is inherited by the actors and workers it
/// starts. A variable set by the user is left alone, as is the process when `exec` fails.
func relaunchWithFittingBLASKernels() {
  guard getenv("OPENBLAS_CORETYPE") == nil,
    let kernel = BLAS.fittingKernel(for: BLAS.kernelName, instructionSet: BLAS.instructionSet)
  else { return }
  setenv("OPENBLAS_CORETYPE", kernel, 1)
  execv("/proc/self/exe", CommandLine.unsafeArgv)
  // Still here: exec failed; run with OpenBLAS's own choice.
}
