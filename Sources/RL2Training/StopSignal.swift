import Dispatch
import Foundation

/// A request to stop at the next safe point, raised from another thread or by a signal.
public final class StopSignal: @unchecked Sendable {
  private let lock = NSLock()
  private var raised = false
  private var sources: [DispatchSourceSignal] = []

  public init() {}

  public var isRaised: Bool { lock.withLock { raised } }

  public func raise() { lock.withLock { raised = true } }

  /// Raises this signal on SIGINT and SIGTERM instead of terminating the process; a second
  /// Ctrl-C ends the process at once.
  public func raiseOnInterrupt(notice: @escaping @Sendable () -> Void) {
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { [weak self] in
        guard let self else { return }
        if self.isRaised { exit(130) }
        self.raise()
        notice()
      }
      source.resume()
      sources.append(source)
    }
  }
}
