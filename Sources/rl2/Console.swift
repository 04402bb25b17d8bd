import Foundation

/// Progress output that reaches a log file or pipe as soon as it is written (stdout is
/// block-buffered when it is not a terminal).
enum Console {
  static func line(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
  }
}
