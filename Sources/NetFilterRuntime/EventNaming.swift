import Foundation
import NetFilterBPF
import NetFilterDecoders
import NetFilterEval
import NetFilterPackets
import NetFilterResolver
import NetFilterSyntax

/// Names the addresses of a run's events from its ``NameCache``: learns from every DNS reply the
/// run sees (decoding it when the filter would not), looks both ends of each event up in its
/// scope, and pins a connection's names at Connect/Accept so that its later events keep them.
/// Used by one thread (the pipeline's).
final class EventNaming {
  let cache: NameCache
  private let scope: NameOptions.Scope
  private let namespaces = NetworkNamespaces()
  /// Socket cookie → the names given at its Connect or Accept.
  private var pinned: [UInt64: AddressNames] = [:]
  private static let maxPinned = 65_536
  private var pinsDropped = 0

  /// Reverse lookups (`--names=ptr`), when asked for.
  private let lookups: ReverseLookups?

  /// A naming for a run with `options` whose programs read names (`readsNames`); nil when the run
  /// looks no names up. Throws when reverse lookups were asked for and c-ares cannot start.
  init?(_ options: NameOptions, readsNames: Bool) throws(RuntimeError) {
    guard options.isActive(for: readsNames) else { return nil }
    cache = NameCache(limits: options.limits)
    scope = options.scope
    let (server, asked) = options.lookups
    lookups = asked ? try ReverseLookups(server: server, maxInFlight: options.maxLookupsInFlight) : nil
  }

  /// Stops the reverse lookups, if any.
  func stop() { lookups?.stop() }

  /// Whether a packet is netfilter's own reverse-lookup traffic, at either end (never an event):
  /// netfilter's own, or to or from a port of the resolver's sockets over UDP or TCP.
  func isOwnTraffic(_ packet: LivePacket) -> Bool {
    guard let lookups else { return false }
    if packet.owner?.pid == ReverseLookups.ownPID { return true }
    let bytes = packet.bytes
    guard bytes.count >= 1 else { return false }
    let header = bytes[0] >> 4 == 4 ? Int(bytes[0] & 0x0F) * 4 : 40
    let proto = bytes[0] >> 4 == 4 ? (bytes.count > 9 ? bytes[9] : 0) : (bytes.count > 6 ? bytes[6] : 0)
    guard proto == 6 || proto == 17, bytes.count >= header + 4 else { return false }
    let source = UInt16(bytes[header]) << 8 | UInt16(bytes[header + 1])
    let destination = UInt16(bytes[header + 2]) << 8 | UInt16(bytes[header + 3])
    return lookups.owns(local: source, remote: destination) || lookups.owns(local: destination, remote: source)
  }

  /// Whether a socket event is netfilter's own reverse-lookup traffic, at either end.
  func isOwnTraffic(_ event: LiveSocketEvent) -> Bool {
    guard let lookups else { return false }
    if event.owner?.pid == ReverseLookups.ownPID { return true }
    // Either end: the resolver's socket, or the server's socket talking to it.
    return lookups.owns(local: event.localPort, remote: event.remotePort)
      || lookups.owns(local: event.remotePort, remote: event.localPort)
  }

  /// What the cache counted.
  var counters: NameCacheCounters {
    var counters = cache.snapshot
    counters.pinsDropped = pinsDropped
    lookups?.count(into: &counters)
    return counters
  }

  /// The names of `address` in `scope` at `time`; on a miss, a reverse lookup when they are on.
  private func names(of address: IPAddress, scope: UInt64, at time: UInt64) -> [String] {
    let names = cache.names(of: address, scope: scope, at: time)
    if names.isEmpty, let lookups { lookups.ask(address, scope: scope, at: time) }
    return names
  }

  /// Takes the answers of reverse lookups into the cache (one atomic load when there are none).
  private func takeAnswers(at time: UInt64) {
    guard let lookups, lookups.hasAnswers else { return }
    lookups.takeAnswers(at: time) { address, names, scope in
      cache.learn(address, names: names, ttl: ReverseLookups.ttl, scope: scope, at: time)
    }
  }

  /// Learns from `packet` if it is a DNS reply, then names its two addresses (the pinned names of
  /// its socket, when it has some).
  func observe(_ packet: inout PacketEvent, owner: PacketOwner?, socket: UInt64 = 0) {
    let scope = scopeKey(owner)
    let time = packet.packet.timestamp
    takeAnswers(at: time)
    let application = packet.kind.application
    if application == .dnsResponse || application == .dns {
      packet.decodeApplicationInPlace()
      if case .dns(let message)? = packet.application { learn(message, scope: scope, at: time) }
    }
    if socket != 0, let names = pinned[socket] {
      let egress = packet.packet.direction != .ingress
      packet.names = egress ? names : AddressNames(source: names.destination, destination: names.source)
      return
    }
    guard packet.packet.network != .none else {
      packet.names = AddressNames()
      return
    }
    packet.names = AddressNames(
      source: names(of: packet.packet.source, scope: scope, at: time),
      destination: names(of: packet.packet.destination, scope: scope, at: time)
    )
  }

  /// Names the two ends of a socket event: pinned at Connect and Accept, kept until Disconnect (an
  /// end that had no name when pinned is looked up again).
  func name(_ event: inout SocketEvent) {
    let record = event.record
    let opens = record.kind == .connect || record.kind == .accept
    let scope = scopeKey(record.owner)
    takeAnswers(at: record.timestamp)
    var names = opens ? AddressNames() : pinned[record.socketCookie] ?? AddressNames()
    let known = names
    if names.source.isEmpty { names.source = self.names(of: event.local, scope: scope, at: record.timestamp) }
    if names.destination.isEmpty, let remote = event.remote {
      names.destination = self.names(of: remote, scope: scope, at: record.timestamp)
    }
    event.names = names
    if record.kind == .disconnect {
      pinned[record.socketCookie] = nil
    } else if record.socketCookie != 0, opens || (names != known && pinned[record.socketCookie] != nil) {
      pin(record.socketCookie, names)
    }
  }

  private func pin(_ cookie: UInt64, _ names: AddressNames) {
    if pinned.count >= Self.maxPinned, pinned[cookie] == nil, let any = pinned.keys.first {
      pinned[any] = nil
      pinsDropped += 1
    }
    pinned[cookie] = names
  }

  /// Learns what `message` says about addresses, in `scope`, at `time`.
  func learn(_ message: DNSMessage, scope: UInt64, at time: UInt64) {
    guard message.qr, message.rcode == 0, !message.answers.isEmpty else { return }
    for binding in DNSAnswerNames(message).bindings {
      cache.learn(binding.address, names: binding.names, ttl: binding.ttl, scope: scope, at: time)
    }
  }

  /// The cache scope of an event of `owner`: its network namespace, its process, or one for all.
  func scopeKey(_ owner: PacketOwner?) -> UInt64 {
    switch scope {
    case .global: return 0
    case .process: return owner.map { UInt64($0.pid) } ?? 0
    case .netns: return namespaces.namespace(of: owner?.pid)
    }
  }
}

/// The network namespace of a process (the inode of `/proc/PID/ns/net`), remembered per process;
/// the host's own namespace when the process is unknown or gone.
final class NetworkNamespaces {
  private var known: [UInt32: UInt64] = [:]
  private let own: UInt64
  private static let maxKnown = 4096

  init() { own = Self.read("/proc/self/ns/net") ?? 0 }

  func namespace(of pid: UInt32?) -> UInt64 {
    guard let pid, pid != 0 else { return own }
    if let namespace = known[pid] { return namespace }
    let namespace = Self.read("/proc/\(pid)/ns/net") ?? own
    if known.count >= Self.maxKnown { known.removeAll(keepingCapacity: true) }
    known[pid] = namespace
    return namespace
  }

  /// The inode in a `net:[4026531840]` link.
  private static func read(_ path: String) -> UInt64? {
    guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path),
      let open = target.firstIndex(of: "["), let close = target.lastIndex(of: "]")
    else { return nil }
    return UInt64(target[target.index(after: open)..<close])
  }
}
