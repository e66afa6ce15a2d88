import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Why a listening socket could not be opened.
public struct HTTPListenerError: Error, Sendable, CustomStringConvertible {
  /// What failed, e.g. "cannot listen on 127.0.0.1:9100: Address already in use".
  public let message: String

  public var description: String { message }
}

/// A minimal HTTP/1.1 server for GET requests (the `/metrics` endpoint): one connection at a time,
/// one request per connection, answered by a closure on the listener's own thread.
public final class HTTPListener: @unchecked Sendable {
  /// What a request to a path is answered with.
  public typealias Responder = @Sendable (_ path: String) -> (status: Int, contentType: String, body: [UInt8])

  private let descriptor: Int32
  private let stopped = Atomic<Bool>(false)
  private let done = Mutex<Bool>(false)
  /// The port bound (useful when 0 was asked for).
  public let port: UInt16

  /// Listens on an IPv4 `address` (dotted quad) and `port` (0 picks a free one).
  public init(address: String, port: UInt16) throws(HTTPListenerError) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw HTTPListenerError(message: "cannot open a socket: \(HTTPListener.lastError)") }
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var socketAddress = sockaddr_in()
    socketAddress.sin_family = sa_family_t(AF_INET)
    socketAddress.sin_port = port.bigEndian
    guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else {
      close(fd)
      throw HTTPListenerError(message: "'\(address)' is not an IPv4 address")
    }
    let bound = withUnsafePointer(to: &socketAddress) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(fd, 16) == 0 else {
      let reason = HTTPListener.lastError
      close(fd)
      throw HTTPListenerError(message: "cannot listen on \(address):\(port): \(reason)")
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &socketAddress) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    descriptor = fd
    self.port = UInt16(bigEndian: socketAddress.sin_port)
  }

  private static var lastError: String { String(cString: strerror(errno)) }

  /// Answers requests on a new thread until ``stop()``.
  public func start(_ responder: @escaping Responder) {
    let thread = Thread(self, responder)
    thread.start()
  }

  /// Stops answering and closes the socket (waits for the thread to notice, at most ~0.2 s).
  public func stop() {
    stopped.store(true, ordering: .relaxed)
    for _ in 0..<50 where !done.withLock({ $0 }) { usleep(10_000) }
  }

  /// The accept loop: polls so that ``stop()`` is noticed.
  fileprivate func serve(_ responder: Responder) {
    while !stopped.load(ordering: .relaxed) {
      var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
      guard poll(&poller, 1, 100) > 0 else { continue }
      let connection = accept(descriptor, nil, nil)
      guard connection >= 0 else { continue }
      answer(connection, responder)
      close(connection)
    }
    close(descriptor)
    done.withLock { $0 = true }
  }

  /// Reads one request head (at most 8 KiB, 2 s) and writes the response.
  private func answer(_ connection: Int32, _ responder: Responder) {
    var timeout = timeval(tv_sec: 2, tv_usec: 0)
    setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var request: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 2048)
    while request.count < 8192, !request.ends(with: [13, 10, 13, 10]) {
      let count = chunk.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
      guard count > 0 else { break }
      request += chunk[0..<count]
    }
    let words = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self).split(separator: " ")
    let reply: (status: Int, contentType: String, body: [UInt8])
    if words.count >= 2, words[0] == "GET" || words[0] == "HEAD" {
      reply = responder(String(words[1]))
    } else {
      reply = (405, "text/plain", Array("method not allowed\n".utf8))
    }
    let head =
      "HTTP/1.1 \(reply.status) \(reply.status == 200 ? "OK" : "Error")\r\nContent-Type: \(reply.contentType)\r\n"
      + "Content-Length: \(reply.body.count)\r\nConnection: close\r\n\r\n"
    let bytes = Array(head.utf8) + (words.first == "HEAD" ? [] : reply.body)
    var sent = 0
    while sent < bytes.count {
      let count = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      guard count > 0 else { return }
      sent += count
    }
  }
}

/// The listener's thread (a POSIX thread: no Foundation in this layer).
private final class Thread: @unchecked Sendable {
  private let listener: HTTPListener
  private let responder: HTTPListener.Responder

  init(_ listener: HTTPListener, _ responder: @escaping HTTPListener.Responder) {
    self.listener = listener
    self.responder = responder
  }

  func start() {
    var thread = pthread_t()
    let context = Unmanaged.passRetained(self).toOpaque()
    pthread_create(
      &thread,
      nil,
      { context in
        let this = Unmanaged<Thread>.fromOpaque(context!).takeRetainedValue()
        // SIGINT and SIGTERM are for the thread that reads events.
        var both = sigset_t()
        sigemptyset(&both)
        sigaddset(&both, SIGINT)
        sigaddset(&both, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &both, nil)
        this.listener.serve(this.responder)
        return nil
      },
      context
    )
    pthread_detach(thread)
  }
}

extension [UInt8] {
  fileprivate func ends(with suffix: [UInt8]) -> Bool {
    count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
  }
}
