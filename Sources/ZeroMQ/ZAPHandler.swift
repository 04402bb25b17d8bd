import Foundation

extension ZeroMQ {
  /// A ZeroMQ authentication handler (ZAP, ZeroMQ RFC 27) that admits only CURVE clients whose
  /// long-term public key is on an allowlist.
  ///
  /// libzmq asks the handler bound at ``endpoint`` in the server socket's own context about
  /// every new connection, once its CURVE handshake has proved the client holds the secret key
  /// of the public key it names. One thread owns the handler's REP socket and answers each
  /// request with 200 (admit) or 400 (refuse). Refused clients are counted and logged — the
  /// first few in full, then every thousandth — so a peer retrying forever cannot fill the log.
  ///
  /// Start it before binding the server sockets it guards, which need ``SocketOption/curveServer``
  /// and their secret key:
  ///
  /// ```swift
  /// let zap = try ZAPHandler(context: context, allowedKeys: actorKeys, log: print)
  /// try router.setOption(.curveServer, value: true)
  /// try router.setOption(.curveSecretKey, value: serverKeys.secretKey)
  /// try router.bind(to: "tcp://*:5555")
  /// … zap.refusedCount …
  /// ```
  ///
  /// The thread ends, closing its socket, when the context shuts down (``Context/shutdown()``).
  public final class ZAPHandler: @unchecked Sendable {
    /// Where libzmq sends authentication requests (fixed by RFC 27).
    public static let endpoint = "inproc://zeromq.zap.01"

    /// The admitted clients' public keys, 40 Z85 characters each.
    public let allowedKeys: Set<String>
    private let log: @Sendable (String) -> Void
    private let lock = NSLock()
    // Guarded by `lock`.
    private var admitted = 0
    private var refused = 0

    /// Binds the handler's socket in `context` and starts its thread.
    ///
    /// - Throws: ``ZeroMQError`` when the socket cannot be bound — typically another handler
    ///   already serves this context.
    public init(
      context: Context, allowedKeys: Set<String>, log: @escaping @Sendable (String) -> Void
    ) throws(ZeroMQError) {
      self.allowedKeys = allowedKeys
      self.log = log
      let bound = DispatchSemaphore(value: 0)
      let failure = BindFailure()
      let thread = Thread { [self] in
        let socket: Socket
        do throws(ZeroMQError) {
          socket = try Socket(context: context, type: .rep)
          try socket.setOption(.linger, value: .zero)
          try socket.bind(to: Self.endpoint)
        } catch {
          failure.error = error
          bound.signal()
          return
        }
        bound.signal()
        serve(socket)
      }
      thread.name = "zmq-zap"
      thread.start()
      bound.wait()
      if let error = failure.error { throw error }
    }

    /// Connections admitted so far.
    public var admittedCount: Int { lock.withLock { admitted } }

    /// Connections refused so far: keys not on the allowlist, or requests that are not CURVE.
    public var refusedCount: Int { lock.withLock { refused } }

    private func serve(_ socket: Socket) {
      defer { socket.close() }
      while true {
        do {
          guard let request = try socket.receiveMessage() else { continue }
          try socket.send(reply(to: request.frames))
        } catch {
          if error.isContextTerminated { return }
          log("authentication handler: \(error)")
          // An error that repeats is logged at most ten times a second.
          Thread.sleep(forTimeInterval: 0.1)
        }
      }
    }

    /// RFC 27: version, request id, domain, address, routing id, mechanism, credentials… in;
    /// version, request id, status code, status text, user id, metadata out.
    func reply(to frames: [Data]) -> Message {
      let requestID = frames.count > 1 ? frames[1] : Data()
      let (code, text, user) = decide(frames)
      return Message([Data("1.0".utf8), requestID, Data(code.utf8), Data(text.utf8), user, Data()])
    }

    /// The status code, status text and user id (the admitted key) for one request.
    private func decide(_ frames: [Data]) -> (String, String, Data) {
      guard frames.count >= 6, frames[0] == Data("1.0".utf8) else {
        return ("500", "not a ZAP 1.0 request", Data())
      }
      let address = String(decoding: frames[3].prefix(64), as: UTF8.self)
      let mechanism = String(decoding: frames[5].prefix(16), as: UTF8.self)
      guard mechanism == "CURVE", frames.count == 7, frames[6].count == 32,
        let key = try? Z85.encode(Array(frames[6]))
      else {
        return refuse(address, "a \(mechanism) connection where CURVE is required")
      }
      guard allowedKeys.contains(key) else {
        return refuse(address, "public key \(key) is not among the allowed keys")
      }
      lock.withLock { admitted += 1 }
      return ("200", "OK", Data(key.utf8))
    }

    private func refuse(_ address: String, _ reason: String) -> (String, String, Data) {
      let count = lock.withLock {
        refused += 1
        return refused
      }
      if count <= 5 || count % 1000 == 0 {
        log(
          "refused a client at \(address.isEmpty ? "an unknown address" : address): \(reason) "
            + "(\(count) refused so far; add its public key to the allowed keys to admit it)")
      }
      return ("400", reason, Data())
    }
  }
}

/// The handler thread's bind error, handed to `init` (the semaphore orders the accesses).
private final class BindFailure: @unchecked Sendable {
  var error: ZeroMQError?
}
