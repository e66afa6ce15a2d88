import Foundation
import NetFilterBPF
import NetFilterDecoders
import NetFilterEval
import NetFilterPackets
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

  /// A naming for a run with `options` whose programs read names (`readsNames`); nil when the run
  /// looks no names up.
  init?(_ options: NameOptions, readsNames: Bool) {
    guard options.isActive(for: readsNames) else { return nil }
    cache = NameCache(limits: options.limits)
    scope = options.scope
  }

  /// What the cache counted.
  var counters: NameCacheCounters { cache.snapshot }

  /// Learns from `packet` if it is a DNS reply, then names its two addresses (the pinned names of
  /// its socket, when it has some).
  func observe(_ packet: inout PacketEvent, owner: PacketOwner?, socket: UInt64 = 0) {
    let scope = scopeKey(owner)
    let time = packet.packet.timestamp
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
      source: cache.names(of: packet.packet.source, scope: scope, at: time),
      destination: cache.names(of: packet.packet.destination, scope: scope, at: time)
    )
  }

  /// Names the two ends of a socket event: pinned at Connect and Accept, kept until Disconnect (an
  /// end that had no name when pinned is looked up again).
  func name(_ event: inout SocketEvent) {
    let record = event.record
    let opens = record.kind == .connect || record.kind == .accept
    let scope = scopeKey(record.owner)
    var names = opens ? AddressNames() : pinned[record.socketCookie] ?? AddressNames()
    let known = names
    if names.source.isEmpty { names.source = cache.names(of: event.local, scope: scope, at: record.timestamp) }
    if names.destination.isEmpty, let remote = event.remote {
      names.destination = cache.names(of: remote, scope: scope, at: record.timestamp)
    }
    event.names = names
    if record.kind == .disconnect {
      pinned[record.socketCookie] = nil
    } else if record.socketCookie != 0, opens || (names != known && pinned[record.socketCookie] != nil) {
      pin(record.socketCookie, names)
    }
  }

  private func pin(_ cookie: UInt64, _ names: AddressNames) {
    if pinned.count >= Self.maxPinned, pinned[cookie] == nil, let any = pinned.keys.first { pinned[any] = nil }
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
