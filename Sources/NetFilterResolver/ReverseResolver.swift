import CCares
import Foundation
import NetFilterSyntax
import Synchronization

/// Reverse (PTR) lookups through c-ares on a thread of their own: the caller asks and later takes
/// the answers; it never waits. At most ``maxInFlight`` lookups are asked and not yet taken.
///
/// c-ares 1.18 has no event thread, so the resolver's thread owns the channel: it sends what was
/// asked, polls the channel's sockets (and a pipe that wakes it) and lets c-ares process them.
public final class ReverseResolver: @unchecked Sendable {
  /// One answer: the names of an address (lowercase, with the trailing dot), or none.
  public struct Answer: Sendable, Equatable {
    /// The address looked up.
    public let address: IPAddress
    /// Its names; empty when the lookup failed (no name, timeout, refused).
    public let names: [String]
  }

  /// The most lookups asked and not yet taken.
  public let maxInFlight: Int
  private let lock = NSLock()
  private var asked: [IPAddress] = []
  private var answers: [Answer] = []
  private var inFlight = 0
  private var stopping = false
  private var peakInFlight = 0
  /// The channel's sockets as (local port, server port) pairs, `local << 16 | server`: what the
  /// resolver's own traffic looks like. A port alone is not enough: another program's connection
  /// may have the same ephemeral port as one of these sockets (UDP and TCP ports are separate).
  private var ports: Set<UInt32> = []
  private let hasPorts = Atomic<Bool>(false)
  private let waiting = Atomic<Int>(0)
  private let channel: ares_channel
  private let wake: (read: Int32, write: Int32)
  private var thread: Thread?

  /// A resolver asking `server` (`HOST:PORT` or `HOST`; the system's resolvers when nil), each
  /// lookup tried `tries` times with `timeoutMilliseconds` each; DNS only (no hosts file).
  public init(server: String?, maxInFlight: Int = 256, timeoutMilliseconds: Int = 500, tries: Int = 2)
    throws(ResolverError)
  {
    self.maxInFlight = max(1, maxInFlight)
    _ = Self.libraryReady
    var options = ares_options()
    options.timeout = Int32(timeoutMilliseconds)
    options.tries = Int32(tries)
    let lookups = strdup("b")
    defer { free(lookups) }
    options.lookups = lookups
    var created: ares_channel?
    let mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS
    let status = ares_init_options(&created, &options, Int32(mask))
    guard status == ARES_SUCCESS, let created else { throw ResolverError(status, "cannot start c-ares") }
    if let server {
      let set = ares_set_servers_ports_csv(created, server)
      guard set == ARES_SUCCESS else {
        ares_destroy(created)
        throw ResolverError(set, "bad resolver address '\(server)'")
      }
    }
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0, fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0, fcntl(fds[1], F_SETFL, O_NONBLOCK) == 0 else {
      ares_destroy(created)
      throw ResolverError(ARES_ENOMEM, "cannot create a pipe: \(String(cString: strerror(errno)))")
    }
    channel = created
    wake = (fds[0], fds[1])
    ares_set_socket_functions(created, Self.socketFunctions, Unmanaged.passUnretained(self).toOpaque())
    let thread = Thread { [self] in loop() }
    thread.name = "netfilter-ptr"
    self.thread = thread
    thread.start()
  }

  private static let libraryReady: Bool = ares_library_init(ARES_LIB_INIT_ALL) == ARES_SUCCESS

  /// Asks for the names of `address`; false when ``maxInFlight`` lookups are already pending.
  public func lookUp(_ address: IPAddress) -> Bool {
    let accepted: Bool = lock.withLock {
      guard !stopping, inFlight + answers.count < maxInFlight else { return false }
      inFlight += 1
      peakInFlight = max(peakInFlight, inFlight + answers.count)
      asked.append(address)
      return true
    }
    if accepted { signal() }
    return accepted
  }

  /// Whether answers wait to be taken (one atomic load).
  public var hasAnswers: Bool { waiting.load(ordering: .acquiring) > 0 }

  /// The answers so far, oldest first; each is given once.
  public func takeAnswers() -> [Answer] {
    lock.withLock {
      let taken = answers
      answers = []
      waiting.store(0, ordering: .releasing)
      return taken
    }
  }

  /// Whether a socket with local port `local` talking to remote port `remote` is one of the
  /// resolver's (one atomic load when it has none open).
  public func owns(local: UInt16, remote: UInt16) -> Bool {
    guard hasPorts.load(ordering: .acquiring) else { return false }
    return lock.withLock { ports.contains(UInt32(local) << 16 | UInt32(remote)) }
  }

  /// The most lookups that were ever pending at once.
  public var peak: Int { lock.withLock { peakInFlight } }

  /// Stops the thread; pending lookups are dropped. Called once, before the resolver is released.
  public func stop() {
    lock.withLock { stopping = true }
    signal()
    while lock.withLock({ thread != nil }) { usleep(1_000) }
    ares_destroy(channel)
    close(wake.read)
    close(wake.write)
  }

  private func signal() {
    var byte: UInt8 = 1
    _ = write(wake.write, &byte, 1)
  }

  /// The thread: send what was asked, wait for the sockets (at most c-ares's next timeout or 100 ms),
  /// let c-ares read them, until stopped.
  private func loop() {
    while true {
      let (stop, batch): (Bool, [IPAddress]) = lock.withLock {
        defer { asked = [] }
        return (stopping, asked)
      }
      if stop { break }
      for address in batch { send(address) }
      pollOnce()
    }
    lock.withLock { thread = nil }
  }

  private func pollOnce() {
    var sockets = [ares_socket_t](repeating: -1, count: Int(ARES_GETSOCK_MAXNUM))
    let bits = ares_getsock(channel, &sockets, ARES_GETSOCK_MAXNUM)
    var fds = [pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
    for index in 0..<Int(ARES_GETSOCK_MAXNUM) {
      let readable = bits & (1 << index) != 0
      let writable = bits & (1 << (index + Int(ARES_GETSOCK_MAXNUM))) != 0
      guard readable || writable else { continue }
      fds.append(
        pollfd(fd: sockets[index], events: Int16((readable ? POLLIN : 0) | (writable ? POLLOUT : 0)), revents: 0)
      )
    }
    var longest = timeval(tv_sec: 0, tv_usec: 100_000)
    var next = timeval()
    let timeout = ares_timeout(channel, &longest, &next).map {
      Int32($0.pointee.tv_sec * 1000 + $0.pointee.tv_usec / 1000)
    }
    _ = poll(&fds, nfds_t(fds.count), timeout ?? 100)
    var drain = [UInt8](repeating: 0, count: 64)
    if fds[0].revents != 0 { while read(wake.read, &drain, drain.count) > 0 {} }
    var processed = false
    for entry in fds.dropFirst() where entry.revents != 0 {
      let readable = entry.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0
      let writable = entry.revents & Int16(POLLOUT) != 0
      ares_process_fd(channel, readable ? entry.fd : ARES_SOCKET_BAD, writable ? entry.fd : ARES_SOCKET_BAD)
      processed = true
    }
    // Timeouts and retries are handled by processing with no socket ready.
    if !processed { ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD) }
  }

  /// c-ares's socket calls, with `connect` noting the socket's local port before c-ares sends
  /// anything on it: the resolver's traffic is known as its own from the first packet.
  nonisolated(unsafe) private static let socketFunctions: UnsafeMutablePointer<ares_socket_functions> = {
    let functions = UnsafeMutablePointer<ares_socket_functions>.allocate(capacity: 1)
    functions.initialize(
      to: ares_socket_functions(
        asocket: { domain, type, proto, _ in socket(domain, type, proto) },
        aclose: { socket, _ in close(socket) },
        aconnect: { socket, address, length, data in
          let result = connect(socket, address, length)
          let saved = errno
          if let data, let address {
            let server = ReverseResolver.port(of: address)
            Unmanaged<ReverseResolver>.fromOpaque(data).takeUnretainedValue().noteLocalPort(socket, server: server)
          }
          errno = saved
          return result
        },
        arecvfrom: { socket, buffer, length, flags, from, fromLength, _ in
          recvfrom(socket, buffer, length, flags, from, fromLength)
        },
        asendv: { socket, vectors, count, _ in writev(socket, vectors, count) }
      )
    )
    return functions
  }()

  /// Remembers `socket`'s local port with the server port it is connected to (kept after the
  /// socket closes, so that a late reply is still known as the resolver's).
  private func noteLocalPort(_ socket: ares_socket_t, server: UInt16) {
    var address = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let named = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
    }
    guard named == 0 else { return }
    let local = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1, ReverseResolver.port)
    }
    guard local != 0 else { return }
    lock.withLock {
      if ports.count > 4096 { ports.removeAll() }
      ports.insert(UInt32(local) << 16 | UInt32(server))
      hasPorts.store(true, ordering: .releasing)
    }
  }

  /// The port of an IPv4 or IPv6 socket address (at the same offset in both).
  private static func port(of address: UnsafePointer<sockaddr>) -> UInt16 {
    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
  }

  private func send(_ address: IPAddress) {
    let request = Unmanaged.passRetained(Request(address: address, resolver: self)).toOpaque()
    var bytes = Self.bytes(address)
    let family = bytes.count == 4 ? AF_INET : AF_INET6
    ares_gethostbyaddr(channel, &bytes, Int32(bytes.count), family, ReverseResolver.answered, request)
  }

  /// c-ares's callback: the request's answer, or its failure.
  private static let answered: ares_host_callback = { argument, status, _, host in
    guard let argument else { return }
    let request = Unmanaged<Request>.fromOpaque(argument).takeRetainedValue()
    var names: [String] = []
    if status == ARES_SUCCESS, let host {
      if let name = host.pointee.h_name { names.append(String(cString: name)) }
      var alias = host.pointee.h_aliases
      while let current = alias?.pointee {
        names.append(String(cString: current))
        alias = alias?.advanced(by: 1)
      }
    }
    request.resolver.finish(request.address, names.map(qualified))
  }

  private func finish(_ address: IPAddress, _ names: [String]) {
    lock.withLock {
      inFlight -= 1
      guard !stopping else { return }
      answers.append(Answer(address: address, names: names))
      waiting.store(answers.count, ordering: .releasing)
    }
  }

  /// A name lowercase, with one trailing dot.
  static func qualified(_ name: String) -> String {
    let lower = String(name.lowercased())
    return lower.hasSuffix(".") ? lower : lower + "."
  }

  /// The address's bytes in network order (IPv4-mapped IPv6 as IPv4).
  static func bytes(_ address: IPAddress) -> [UInt8] {
    let address = address.unmappedV4 ?? address
    if address.family == .v4 { return (0..<4).map { UInt8(truncatingIfNeeded: address.v4Value >> (24 - 8 * $0)) } }
    return (0..<8).map { UInt8(truncatingIfNeeded: address.high >> (56 - 8 * $0)) }
      + (0..<8).map { UInt8(truncatingIfNeeded: address.low >> (56 - 8 * $0)) }
  }
}

/// One lookup on its way through c-ares.
private final class Request {
  let address: IPAddress
  let resolver: ReverseResolver

  init(address: IPAddress, resolver: ReverseResolver) {
    self.address = address
    self.resolver = resolver
  }
}

/// Why the resolver could not start.
public struct ResolverError: Error, Sendable, CustomStringConvertible {
  /// What went wrong, with c-ares's reason.
  public let description: String

  init(_ status: Int32, _ what: String) {
    description = "\(what): \(String(cString: ares_strerror(status)))"
  }
}
