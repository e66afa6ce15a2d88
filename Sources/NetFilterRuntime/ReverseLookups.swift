import Foundation
import NetFilterResolver
import NetFilterSyntax

/// The reverse lookups of a run (`--names=ptr`): asked only for an address that missed in the
/// cache, at most one in flight per address, a bounded number in flight overall, failures
/// remembered for ``negativeTTL`` so that a dead address is not asked again at every event.
final class ReverseLookups {
  /// How long a name from a reverse lookup lives (c-ares does not say its TTL), in seconds.
  static let ttl: UInt32 = 300
  /// How long a failed lookup is not asked again, in nanoseconds of event time.
  static let negativeTTL: UInt64 = 60_000_000_000
  /// Failed addresses remembered at most.
  private static let maxNegative = 65_536
  /// netfilter's own process: its lookups are never events.
  static let ownPID = UInt32(getpid())

  private let resolver: ReverseResolver
  /// Address → the scopes whose events wait for its answer.
  private var waiting: [IPAddress: [UInt64]] = [:]
  /// Address → until when a failed lookup is not asked again.
  private var failed: [IPAddress: UInt64] = [:]
  private var asked = 0
  private var answered = 0
  private var refused = 0

  init(server: String?, maxInFlight: Int) throws(RuntimeError) {
    do { resolver = try ReverseResolver(server: server, maxInFlight: maxInFlight) } catch {
      throw RuntimeError(.configuration, "Cannot start reverse lookups: \(error.description)")
    }
  }

  func stop() { resolver.stop() }

  /// Whether `port` is a local port of the resolver's sockets.
  func owns(local: UInt16, remote: UInt16) -> Bool { resolver.owns(local: local, remote: remote) }

  var hasAnswers: Bool { resolver.hasAnswers }

  /// Asks for `address` on behalf of `scope`, unless it is in flight or failed recently.
  func ask(_ address: IPAddress, scope: UInt64, at time: UInt64) {
    let address = address.unmappedV4 ?? address
    if let scopes = waiting[address] {
      if !scopes.contains(scope), scopes.count < 8 { waiting[address]?.append(scope) }
      return
    }
    if let until = failed[address], time < until { return }
    guard resolver.lookUp(address) else {
      refused += 1
      return
    }
    asked += 1
    waiting[address] = [scope]
  }

  /// Hands each answer with a name to `learn`, once per waiting scope; remembers the failures.
  func takeAnswers(at time: UInt64, _ learn: (IPAddress, [String], UInt64) -> Void) {
    for answer in resolver.takeAnswers() {
      let scopes = waiting.removeValue(forKey: answer.address) ?? []
      guard !answer.names.isEmpty else {
        if failed.count >= Self.maxNegative { failed.removeAll(keepingCapacity: true) }
        failed[answer.address] = time &+ Self.negativeTTL
        continue
      }
      answered += 1
      for scope in scopes { learn(answer.address, answer.names, scope) }
    }
  }

  func count(into counters: inout NameCacheCounters) {
    counters.lookups = asked
    counters.lookupAnswers = answered
    counters.lookupsRefused = refused
    counters.lookupsPeak = resolver.peak
  }
}
