import CZeroMQ

extension ZeroMQ {
  /// Waits until any of several sockets can receive or send (`zmq_poll`), so one thread can serve
  /// them all:
  ///
  /// ```swift
  /// var poller = Poller()
  /// poller.register(control, for: .readable)
  /// poller.register(trajectories, for: .readable)
  /// let ready = try poller.poll(timeout: .milliseconds(100))
  /// if ready.isReadable(control) { … }
  /// ```
  public struct Poller {
    public struct Events: OptionSet, Hashable, Sendable {
      public let rawValue: Int16

      public init(rawValue: Int16) { self.rawValue = rawValue }

      /// A whole message can be received without blocking.
      public static let readable = Events(rawValue: Int16(ZMQ_POLLIN))
      /// At least one message can be sent without blocking.
      public static let writable = Events(rawValue: Int16(ZMQ_POLLOUT))
    }

    /// The sockets that were ready when ``Poller/poll(timeout:)`` returned, and for what.
    public struct Readiness {
      fileprivate var ready: [(socket: Socket, events: Events)] = []

      /// True when the poll timed out with no socket ready.
      public var isEmpty: Bool { ready.isEmpty }

      public func events(of socket: Socket) -> Events {
        ready.first { $0.socket === socket }?.events ?? []
      }

      public func isReadable(_ socket: Socket) -> Bool { events(of: socket).contains(.readable) }

      public func isWritable(_ socket: Socket) -> Bool { events(of: socket).contains(.writable) }
    }

    private var registrations: [(socket: Socket, events: Events)] = []

    public init() {}

    /// Adds `socket` to the set, watched for `events`. The poller keeps the socket alive.
    public mutating func register(_ socket: Socket, for events: Events = .readable) {
      registrations.append((socket, events))
    }

    /// Waits until a registered socket is ready or `timeout` passes (`nil`: no time limit).
    ///
    /// - Throws: ``ZeroMQError`` if a socket was closed, or with
    ///   ``ZeroMQError/isContextTerminated`` after ``ZeroMQ/Context/shutdown()``.
    public func poll(timeout: Duration?) throws(ZeroMQError) -> Readiness {
      var items: [zmq_pollitem_t] = []
      for (socket, events) in registrations {
        let handle = try socket.openHandle(for: "poll")
        items.append(zmq_pollitem_t(socket: handle, fd: 0, events: events.rawValue, revents: 0))
      }
      let clock = ContinuousClock()
      let deadline = timeout.map { clock.now + $0 }
      // An interrupted poll starts again with the time that is left.
      _ = try retryingInterrupts("poll") {
        // Rounded up, so a wait shorter than a millisecond does not become a busy loop.
        let milliseconds =
          deadline.map { Int((clock.now.duration(to: $0) + .microseconds(999)).wholeMilliseconds) }
          ?? -1
        return zmq_poll(&items, Int32(items.count), milliseconds)
      }
      var readiness = Readiness()
      for (registration, item) in zip(registrations, items) where item.revents != 0 {
        readiness.ready.append((registration.socket, Events(rawValue: item.revents)))
      }
      return readiness
    }
  }
}
