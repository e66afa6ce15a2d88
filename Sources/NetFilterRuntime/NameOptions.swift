/// How a run names addresses (`net.sip.names`, `net.dip.names`) on live and replayed events.
public struct NameOptions: Sendable, Equatable {
  /// When names are looked up.
  public enum Mode: Sendable, Equatable {
    /// Only when the filter reads names (the default): other filters pay nothing.
    case auto
    /// Always, so that the output shows names even when the filter does not read them.
    case passive
    /// As `passive`, plus reverse (PTR) lookups through c-ares for addresses without a name, asked
    /// of `resolver` (`HOST:PORT`), or of the system's resolvers when nil. They fill the cache for
    /// later events; no event waits for them.
    case ptr(resolver: String?)
  }

  /// Whose DNS answers name an event's addresses.
  public enum Scope: String, Sendable, Equatable, CaseIterable {
    /// Answers seen in the event's network namespace (the default; a capture file is one).
    case netns
    /// Answers received by the event's own process.
    case process
    /// Every answer seen.
    case global
  }

  /// When names are looked up.
  public var mode: Mode
  /// Whose answers count.
  public var scope: Scope
  /// The cache's bounds and minimum TTL.
  public var limits: NameCache.Limits
  /// With `.ptr`: the most reverse lookups pending at once.
  public var maxLookupsInFlight = 256

  /// Options; by default names only for filters that read them, per network namespace, with the
  /// cache's default bounds.
  public init(mode: Mode = .auto, scope: Scope = .netns, limits: NameCache.Limits = NameCache.Limits()) {
    self.mode = mode
    self.scope = scope
    self.limits = limits
  }

  /// Whether a run whose filter reads `needs` looks names up.
  public func isActive(for readsNames: Bool) -> Bool { mode != .auto || readsNames }

  /// The resolver of reverse lookups, when they are asked for (`.ptr`): nil for the system's.
  public var lookups: (resolver: String?, asked: Bool) {
    if case .ptr(let resolver) = mode { return (resolver, true) }
    return (nil, false)
  }
}
