import NetFilterSyntax

/// A bounded cache of the DNS names of addresses, learned passively from the DNS answers a run
/// sees (and from reverse lookups, when asked for), on the events' own clock.
///
/// - Names are lowercase and fully qualified with the trailing dot (`web.test.lan.`).
/// - An address's names are in a fixed order: the chain of the most recent answer first (the
///   question, then its CNAME targets), then older names, each once.
/// - A name expires at the time of its answer plus max(TTL, ``Limits/minimumTTL``); times are
///   the events' timestamps (kernel time live, packet time in a capture), so replays repeat.
/// - At most ``Limits/addresses`` addresses, ``Limits/namesPerAddress`` names each, names of at
///   most ``Limits/nameLength`` bytes; when full, the address whose names expire soonest goes.
///
/// Addresses are kept per scope (a network namespace, a process, or one global scope): the caller
/// gives the scope of each answer and lookup. One thread uses a cache at a time. A lookup that
/// misses does not allocate.
public final class NameCache {
  /// Bounds and the minimum TTL.
  public struct Limits: Sendable, Equatable {
    /// The most addresses kept.
    public var addresses: Int
    /// The most names kept per address.
    public var namesPerAddress: Int
    /// The longest name kept, in bytes without the trailing dot.
    public var nameLength: Int
    /// The shortest time a name is kept, in nanoseconds, whatever its TTL.
    public var minimumTTL: UInt64

    /// The defaults: 65,536 addresses, 16 names each, names up to 253 bytes, kept at least 60 s.
    public init(
      addresses: Int = 65_536,
      namesPerAddress: Int = 16,
      nameLength: Int = 253,
      minimumTTL: UInt64 = 60_000_000_000
    ) {
      self.addresses = max(1, addresses)
      self.namesPerAddress = max(1, namesPerAddress)
      self.nameLength = nameLength
      self.minimumTTL = minimumTTL
    }
  }

  /// Where one address is kept: its scope and its 128 bits (IPv4 addresses IPv4-mapped).
  struct Key: Equatable {
    var scope: UInt64
    var high: UInt64
    var low: UInt64

    init(scope: UInt64, address: IPAddress) {
      self.scope = scope
      if address.family == .v4 {
        high = 0
        low = 0xFFFF_0000_0000 | UInt64(address.v4Value)
      } else {
        high = address.high
        low = address.low
      }
    }
  }

  /// One address's names, in order, with the time each expires.
  struct Entry {
    var names: [String]
    var expiries: [UInt64]
    /// The first and the last of `expiries`.
    var soonest: UInt64
    var latest: UInt64
  }

  /// The bounds.
  public let limits: Limits
  private var entries = AddressTable<Entry>()
  /// A min-heap of (expiry, key) by the time each address's last name expires; an item whose
  /// expiry is no longer its entry's `latest` is stale and skipped.
  private var heap = ExpiryHeap()
  /// What the cache counted.
  public private(set) var counters = NameCacheCounters()

  /// An empty cache.
  public init(limits: Limits = Limits()) {
    self.limits = limits
  }

  /// The number of addresses kept.
  public var count: Int { entries.count }

  /// The names of `address` in `scope` at `time`: empty when none is known or all have expired.
  public func names(of address: IPAddress, scope: UInt64, at time: UInt64) -> [String] {
    let key = Key(scope: scope, address: address)
    // Through the index: the common cases neither copy the entry nor touch its arrays.
    guard let index = entries.find(key) else {
      counters.misses += 1
      return []
    }
    if time < entries[index].soonest {
      counters.hits += 1
      return entries[index].names
    }
    let entry = entries[index]
    guard time < entry.latest else {
      entries.remove(key)
      counters.expired += 1
      counters.misses += 1
      return []
    }
    let pruned = Self.pruned(entry, at: time)
    entries[index] = pruned
    counters.hits += 1
    return pruned.names
  }

  /// Learns that `address` in `scope` has `names` (a chain, already lowercase and fully
  /// qualified, the question first) from an answer at `time` with `ttl` seconds to live.
  public func learn(_ address: IPAddress, names: [String], ttl: UInt32, scope: UInt64, at time: UInt64) {
    let kept = names.filter { $0.utf8.count <= limits.nameLength + 1 }
    counters.dropped += names.count - kept.count
    guard !kept.isEmpty else { return }
    let expiry = time &+ max(UInt64(ttl) * 1_000_000_000, limits.minimumTTL)
    let key = Key(scope: scope, address: address)
    var merged = Entry(names: [], expiries: [], soonest: .max, latest: 0)
    merged.names.reserveCapacity(min(limits.namesPerAddress, kept.count + 2))
    for name in kept where !merged.names.contains(name) { append(&merged, name, expiry) }
    if let old = entries.value(key) {
      for (name, oldExpiry) in zip(old.names, old.expiries) where oldExpiry > time {
        if let index = merged.names.firstIndex(of: name) {
          merged.expiries[index] = max(merged.expiries[index], oldExpiry)
        } else {
          append(&merged, name, oldExpiry)
        }
      }
    }
    merged.soonest = merged.expiries.min() ?? expiry
    merged.latest = merged.expiries.max() ?? expiry
    if entries.set(key, merged) { counters.learned += 1 }
    heap.push(merged.latest, key)
    trim(at: time)
  }

  /// Appends a name to `entry` while it has room (counting the names that do not fit).
  private func append(_ entry: inout Entry, _ name: String, _ expiry: UInt64) {
    guard entry.names.count < limits.namesPerAddress else {
      counters.dropped += 1
      return
    }
    entry.names.append(name)
    entry.expiries.append(expiry)
  }

  /// Drops the addresses whose names have all expired at `time`, then the soonest-expiring ones
  /// while there are too many.
  private func trim(at time: UInt64) {
    while let top = heap.top, top.expiry <= time {
      heap.pop()
      if entries.value(top.key)?.latest == top.expiry {
        entries.remove(top.key)
        counters.expired += 1
      }
    }
    while entries.count > limits.addresses, let top = heap.top {
      heap.pop()
      if entries.value(top.key)?.latest == top.expiry {
        entries.remove(top.key)
        counters.evictions += 1
      }
    }
    // Stale items (addresses re-learned or pruned since) are dropped once they outnumber the live.
    if heap.count > 2 * entries.count + 1024 {
      heap.rebuild(entries.all.map { ($0.1.latest, $0.0) })
    }
  }

  /// `entry` without the names expired at `time`.
  private static func pruned(_ entry: Entry, at time: UInt64) -> Entry {
    var kept = Entry(names: [], expiries: [], soonest: .max, latest: entry.latest)
    for (name, expiry) in zip(entry.names, entry.expiries) where expiry > time {
      kept.names.append(name)
      kept.expiries.append(expiry)
      kept.soonest = min(kept.soonest, expiry)
    }
    return kept
  }

  /// The counters with the current size.
  public var snapshot: NameCacheCounters {
    var counters = counters
    counters.size = entries.count
    return counters
  }
}

/// What a name cache counted (`--stats`, under `names`).
public struct NameCacheCounters: Sendable, Equatable {
  /// Addresses kept now.
  public var size = 0
  /// Lookups that found names.
  public var hits = 0
  /// Lookups that found none.
  public var misses = 0
  /// Addresses dropped to stay within the bound.
  public var evictions = 0
  /// Addresses dropped because all their names expired.
  public var expired = 0
  /// Addresses added.
  public var learned = 0
  /// Names not kept: too long, or over the per-address bound.
  public var dropped = 0
  /// Reverse lookups asked (`--names=ptr`).
  public var lookups = 0
  /// Reverse lookups answered with a name.
  public var lookupAnswers = 0
  /// Reverse lookups not asked because the in-flight bound was reached.
  public var lookupsRefused = 0
  /// The most reverse lookups pending at once.
  public var lookupsPeak = 0

  /// Zero counts.
  public init() {}

  /// The counters as one JSON object.
  public var json: String {
    "{\"size\":\(size),\"hits\":\(hits),\"misses\":\(misses),\"evictions\":\(evictions),\"expired\":\(expired),"
      + "\"learned\":\(learned),\"dropped\":\(dropped),\"lookups\":\(lookups),\"lookupAnswers\":\(lookupAnswers),"
      + "\"lookupsRefused\":\(lookupsRefused),\"lookupsPeak\":\(lookupsPeak)}"
  }
}

/// A binary min-heap of (expiry, key).
struct ExpiryHeap {
  private var items: [(expiry: UInt64, key: NameCache.Key)] = []

  var count: Int { items.count }
  var top: (expiry: UInt64, key: NameCache.Key)? { items.first }

  mutating func push(_ expiry: UInt64, _ key: NameCache.Key) {
    items.append((expiry, key))
    var child = items.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard items[child].expiry < items[parent].expiry else { break }
      items.swapAt(child, parent)
      child = parent
    }
  }

  mutating func pop() {
    guard !items.isEmpty else { return }
    items.swapAt(0, items.count - 1)
    items.removeLast()
    siftDown(0)
  }

  mutating func rebuild(_ contents: [(UInt64, NameCache.Key)]) {
    items = contents.map { (expiry: $0.0, key: $0.1) }
    for index in stride(from: items.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
  }

  private mutating func siftDown(_ start: Int) {
    var parent = start
    while true {
      let left = 2 * parent + 1
      guard left < items.count else { return }
      var smallest = left
      if left + 1 < items.count, items[left + 1].expiry < items[left].expiry { smallest = left + 1 }
      guard items[smallest].expiry < items[parent].expiry else { return }
      items.swapAt(smallest, parent)
      parent = smallest
    }
  }
}
