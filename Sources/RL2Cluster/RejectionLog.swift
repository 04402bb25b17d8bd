/// The shared rule of the services for refused messages: reasons are counted under a key with
/// numbers folded (so a flood with a new number in every message cannot grow the table), and
/// each key is logged in full the first five times, then every thousandth.
enum RejectionLog {
  static func key(of reason: String) -> String {
    String(reason.prefix(80)).replacing(/[0-9]+/, with: "#")
  }

  static func shouldLog(_ count: Int) -> Bool { count <= 5 || count % 1000 == 0 }
}
