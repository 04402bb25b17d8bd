import ArgumentParser
import Foundation
import RL2Cluster

struct KeygenCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "keygen",
    abstract: "Make a CURVE key pair for a learner, coordinator, actor or worker.",
    discussion: """
      Writes DIR/NAME.key (the secret key, mode 0600: keep it on its machine) and DIR/NAME.pub \
      (the public key, Z85 text: hand it to the other side). Services take --server-key \
      NAME.key and --allowed-keys FILE (their clients' .pub lines); clients take --client-key \
      NAME.key and --server-public-key SERVICE.pub.
      Example:
        rl2 keygen --out keys --name learner
        rl2 keygen --out keys --name actor-1
        cat keys/actor-*.pub > keys/allowed-actors
        rl2 learner --endpoint tcp://*:5555 --server-key keys/learner.key \\
          --allowed-keys keys/allowed-actors
        rl2 actor --learner tcp://head:5555 --client-key keys/actor-1.key \\
          --server-public-key keys/learner.pub
      """
  )

  @Option(help: "Directory to write the two files into (made if missing).")
  var out: String

  @Option(help: "Base name of the files: NAME.key and NAME.pub.")
  var name = "rl2"

  @Flag(help: "Replace existing NAME.key and NAME.pub.")
  var force = false

  func run() throws {
    let files = try KeyFiles.generate(
      into: URL(fileURLWithPath: out), name: name, overwrite: force)
    Console.line("secret key: \(files.secret.path) (keep it private)")
    Console.line("public key: \(files.public.path)")
  }
}
