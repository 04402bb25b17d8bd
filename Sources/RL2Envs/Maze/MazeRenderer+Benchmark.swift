import RL2Math

extension MazeRenderer {
  /// Single-threaded rendering speed in frames per second: `frames` views of a 5×5 training
  /// maze (W×H as given) from 256 fixed random start poses, into one reused buffer. A warm-up of
  /// 256 frames comes first; build with `-c release` for figures worth reporting (`rl2 render
  /// --benchmark`: about 240 000 frames/s on one core of the 2-core development machine).
  public static func benchmark(frames: Int, width: Int = 40, height: Int = 30) -> Double {
    precondition(frames >= 1, "the benchmark needs at least one frame, got \(frames)")
    let task = MazeTask(configuration: MazeConfigurationSet.training(size: 5).configuration(id: 0))
    let renderer = MazeRenderer(task: task, width: width, height: height)
    var random = RandomStream(seed: 1).stream("benchmark")
    let poses = (0..<256).map { _ in task.startPose(random: &random) }
    var observation = [Float](repeating: 0, count: renderer.valueCount)
    var checksum: Float = 0
    let elapsed = observation.withUnsafeMutableBufferPointer { buffer in
      let pointer = buffer.baseAddress!
      for pose in poses { renderer.render(pose, into: pointer) }
      return ContinuousClock().measure {
        for frame in 0..<frames {
          renderer.render(poses[frame % poses.count], into: pointer)
          checksum += pointer[frame % renderer.valueCount]
        }
      }
    }
    precondition(checksum.isFinite, "the benchmark rendered a non-finite value")
    let seconds =
      Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return Double(frames) / seconds
  }
}
