import ArgumentParser
import Foundation
import RL2Envs
import RL2Math
import RL2Training

struct RenderCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "render",
    abstract: "Pictures of a vision maze: first-person frames and a top-down map of a trial.",
    discussion: """
      Plays one trial of --episodes episodes on configuration --maze-seed of the chosen set and \
      writes, into --out, the first-person views the agent was given at steps 0, \
      --frame-interval, 2·--frame-interval, … of each episode (frame-e<episode>-t<step>.png, \
      --frames per episode) and map.png: the maze from above, the target cell in red, each \
      episode's trajectory in its own colour from a square start marker (episode 1 blue, 2 \
      green, 3 orange, …). With --checkpoint a trained maze policy acts (its memory kept \
      across the episodes, as in training); otherwise --policy. --benchmark instead times the \
      raycaster and prints frames/s.
      Examples:
        rl2 render --maze-size 5 --maze-seed 3 --set test --out pictures
        rl2 render --checkpoint runs/maze-m5-n2-trpo-seed1/checkpoints/iteration-0000100.checkpoint.json \
          --set test --maze-seed 3 --episodes 2 --out pictures
      """
  )

  enum SetName: String, CaseIterable, ExpressibleByArgument {
    case train, test
  }

  enum PolicyName: String, CaseIterable, ExpressibleByArgument {
    case random, explorer
  }

  @Option(help: "Maze side N in cells: 5 or 9 (the paper's settings).")
  var mazeSize = 5

  @Option(help: "Configuration id in the chosen set, 0 to 999.")
  var mazeSeed = 0

  @Option(help: "Configuration set: train or test (1000 disjoint configurations each).")
  var set: SetName = .train

  @Option(help: "Seed of the configuration sets.")
  var setSeed: UInt64 = MazeConfigurationSet.defaultSeed

  @Option(help: "Episodes in the trial, each from a fresh random start.")
  var episodes = 2

  @Option(
    help: """
      Who acts: random (uniform actions) or explorer (a scripted agent that follows the \
      shortest path to the target).
      """)
  var policy: PolicyName = .explorer

  @Option(help: "A maze checkpoint whose policy acts instead of --policy.")
  var checkpoint: String?

  @Option(help: "Seed of the start poses and of the random policy.")
  var seed: UInt64 = 1

  @Option(help: "First-person frames written per episode.")
  var frames = 3

  @Option(help: "Steps between written frames.")
  var frameInterval = 10

  @Option(help: "Each observation pixel becomes scale × scale pixels in the frame files.")
  var frameScale = 8

  @Option(help: "Map pixels per maze cell.")
  var pixelsPerCell = 24

  @Option(help: "Directory for the PNG files (created if missing); required unless --benchmark.")
  var out: String?

  @Flag(help: "Only time the raycaster (40×30, one thread) and print frames/s.")
  var benchmark = false

  @Option(help: "Frames rendered by --benchmark.")
  var benchmarkFrames = 200_000

  func validate() throws {
    if ![5, 9].contains(mazeSize) {
      throw ValidationError("--maze-size must be 5 or 9, got \(mazeSize)")
    }
    if mazeSeed < 0 || mazeSeed >= MazeConfigurationSet.paperCount {
      throw ValidationError(
        "--maze-seed must be a configuration id in 0...\(MazeConfigurationSet.paperCount - 1), "
          + "got \(mazeSeed)")
    }
    for (name, value) in [
      ("--episodes", episodes), ("--frame-interval", frameInterval), ("--frame-scale", frameScale),
      ("--benchmark-frames", benchmarkFrames),
    ] where value < 1 {
      throw ValidationError("\(name) must be at least 1, got \(value)")
    }
    if frames < 0 { throw ValidationError("--frames must be 0 or more, got \(frames)") }
    if pixelsPerCell < 4 {
      throw ValidationError("--pixels-per-cell must be at least 4, got \(pixelsPerCell)")
    }
    if out == nil && !benchmark {
      throw ValidationError("--out DIR is required: the directory the PNG files are written to")
    }
  }

  func run() throws {
    if benchmark {
      let rate = MazeRenderer.benchmark(frames: benchmarkFrames)
      print(String(format: "raycaster 40×30: %.0f frames/s (one thread)", rate))
      return
    }
    let directory = URL(fileURLWithPath: out!, isDirectory: true)
    let split: MazeSplit = set == .train ? .training : .test
    let configuration = MazeConfigurationSet(split: split, size: mazeSize, seed: setSeed)
      .configuration(id: mazeSeed)
    let recording = try play(MazeTask(configuration: configuration))
    try write(recording, to: directory)
    for (index, episode) in recording.episodes.enumerated() {
      Console.line(
        "episode \(index + 1): \(episode.length) steps, return "
          + String(format: "%.3f", episode.totalReward)
          + (episode.reachedTarget ? ", target reached" : ", target not reached"))
    }
    Console.line("wrote map.png and the frames to \(directory.path)")
  }

  private func play(_ task: MazeTask) throws -> MazeTrialRecording {
    let random = RandomStream(seed: seed)
    let frameSteps = Set((0..<frames).map { $0 * frameInterval })
    if let checkpoint {
      var network = try MazeNetworkPolicy(
        checkpoint: URL(fileURLWithPath: checkpoint), random: random.stream("policy"))
      return MazeTrialRecording.play(
        task: task, episodes: episodes, policy: &network, random: random.stream("start"),
        recordingFramesAt: frameSteps)
    }
    switch policy {
    case .explorer:
      var explorer = MazeExplorer(task: task)
      return MazeTrialRecording.play(
        task: task, episodes: episodes, policy: &explorer, random: random.stream("start"),
        recordingFramesAt: frameSteps)
    case .random:
      var randomPolicy = MazeRandomPolicy(random: random.stream("policy"))
      return MazeTrialRecording.play(
        task: task, episodes: episodes, policy: &randomPolicy, random: random.stream("start"),
        recordingFramesAt: frameSteps)
    }
  }

  private func write(_ recording: MazeTrialRecording, to directory: URL) throws {
    let renderer = MazeRenderer(task: recording.task)
    var files: [(name: String, bytes: [UInt8])] = []
    for (index, episode) in recording.episodes.enumerated() {
      for frame in episode.frames {
        let rgb = renderer.rgbImage(of: frame.observation, scale: frameScale)
        let name = "frame-e\(index + 1)-t" + String(format: "%03d", frame.step) + ".png"
        files.append(
          (
            name,
            PNG.encode(
              width: renderer.width * frameScale, height: renderer.height * frameScale, rgb: rgb)
          ))
      }
    }
    let map = recording.makeMap(pixelsPerCell: pixelsPerCell)
    files.append(("map.png", PNG.encode(width: map.width, height: map.height, rgb: map.rgb)))
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      for file in files {
        try Data(file.bytes).write(to: directory.appendingPathComponent(file.name))
      }
    } catch {
      throw RenderFailure(
        message: "cannot write the PNG files to \(directory.path) (\(error.localizedDescription)); "
          + "choose a writable --out directory")
    }
  }
}

/// A failure while writing pictures, reported as one line.
struct RenderFailure: Error, CustomStringConvertible {
  let message: String
  var description: String { message }
}
