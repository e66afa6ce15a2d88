// package-benchmark suite for the name cache: what a filter that reads names pays per event, beside a
// filter that does not, over the same 1,000 decoded TCP packets in one run.
//
//   Names/no-names            program.matches(event) for `net.dport = 443 or net.dport = 8443` (baseline)
//   Names/names-preset        `net.dip.names matches ('*.example.com.')` on events named beforehand (no cache)
//   Names/1k-entries          both ends looked up in a cache of 1,000 addresses (half the events hit),
//                             then `net.dip.names matches ('*.example.com.')`
//   Names/100k-entries        the same with 100,000 addresses in the cache
//   Names/miss-100k           lookups that all miss in a cache of 100,000: mallocCountTotal must be 0
//   Names/1M-answers          1,000,000 distinct answers into a cache bounded at 65,536 addresses
//
// The figure per iteration divided by 1,000 is the cost per event (for 1M-answers, per 1,000,000 answers);
// the cache's own cost per event is 1k-entries (or 100k-entries) minus names-preset.

import Benchmark
import NetFilter
import NetFilterDecoders
import NetFilterPackets

enum NameSuite {
  static let second: UInt64 = 1_000_000_000

  /// 1,000 TCP SYNs from 10.0.0.x to 10.1.x.y (x.y = 0.0 … 3.231), at time 0.
  static let events: [PacketEvent] = (0..<1_000).map { index in
    let dport = UInt16([443, 80, 8443, 22][index % 4])
    let tcp: [UInt8] =
      [0x9C, 0x40, UInt8(dport >> 8), UInt8(dport & 0xFF), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02]
      + [0xFF, 0xFF, 0, 0, 0, 0]
    let ip: [UInt8] =
      [0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, UInt8(1 + index % 200)]
      + [10, 1, UInt8(index / 256), UInt8(index % 256)]
    return PacketEvent(
      bytes: ip + tcp,
      record: (timestamp: 0, originalLength: 40),
      linkType: PacketDecoder.LinkType.raw.rawValue,
      decodeApplication: false
    )
  }

  /// A cache of `count` addresses: 10.1.0.0 upwards, every second one of the events' among them
  /// (so half the events hit), the rest elsewhere.
  static func cache(_ count: Int, offset: UInt32 = 0) -> NameCache {
    let cache = NameCache(limits: .init(addresses: max(count, 65_536)))
    let base = UInt32(10 << 24 | 1 << 16) + offset
    for index in 0..<count {
      let address = IPAddress(v4: base + UInt32(index < 500 ? index * 2 : 1_000 + index))
      cache.learn(address, names: ["h\(index).example.com.", "cdn\(index).net."], ttl: 3_600, scope: 0, at: 0)
    }
    precondition(cache.count == count, "the cache does not hold \(count) addresses")
    return cache
  }

  /// The pipeline's per-event work for names: both ends looked up, the names set on the event.
  @inline(__always)
  static func name(_ event: inout PacketEvent, _ cache: NameCache) {
    event.names = AddressNames(
      source: cache.names(of: event.packet.source, scope: 0, at: second),
      destination: cache.names(of: event.packet.destination, scope: 0, at: second)
    )
  }

  static func register() {
    let configuration = perEventConfiguration
    let events = Self.events
    let plain = try! Environment().compile("net.dport = 443 or net.dport = 8443").program(for: PacketEvent.self)
    let named = try! Environment().compile("net.dip.names matches ('*.example.com.')").program(for: PacketEvent.self)
    Benchmark("Names/no-names", configuration: configuration) { benchmark in
      for _ in benchmark.scaledIterations {
        var hits = 0
        for event in events where plain.matches(event) { hits += 1 }
        blackHole(hits)
      }
    }
    // The names filter alone, on events named once beforehand: what evaluating it costs without the cache.
    var preset = events
    let presetCache = Self.cache(1_000)
    for index in preset.indices { name(&preset[index], presetCache) }
    let presetEvents = preset
    Benchmark("Names/names-preset", configuration: configuration) { benchmark in
      for _ in benchmark.scaledIterations {
        var hits = 0
        for event in presetEvents where named.matches(event) { hits += 1 }
        blackHole(hits)
      }
    }
    for (label, count) in [("1k-entries", 1_000), ("100k-entries", 100_000)] {
      let cache = Self.cache(count)
      var check = events
      for index in check.indices { name(&check[index], cache) }
      precondition(check.filter(named.matches).count == 500, "half the events must be named")
      let state = State(events, cache)
      Benchmark("Names/\(label)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(state.run(named)) }
      }
    }
    registerMisses(events, named, configuration)
    registerBound(configuration)
  }

  private static func registerMisses(
    _ events: [PacketEvent],
    _ named: Program<PacketEvent>,
    _ configuration: Benchmark.Configuration
  ) {
    let state = State(events, Self.cache(100_000, offset: 1 << 20))
    precondition(state.run(named) == 0, "a miss matched")
    Benchmark("Names/miss-100k", configuration: configuration) { benchmark in
      for _ in benchmark.scaledIterations { blackHole(state.run(named)) }
    }
  }

  private static func registerBound(_ configuration: Benchmark.Configuration) {
    var bounded = configuration
    bounded.maxIterations = 3
    bounded.warmupIterations = 0
    bounded.maxDuration = .seconds(30)
    let names = ["answer.example.com."]
    Benchmark("Names/1M-answers", configuration: bounded) { benchmark in
      for _ in benchmark.scaledIterations {
        let cache = NameCache()
        for index in 0..<1_000_000 {
          cache.learn(IPAddress(v4: UInt32(index)), names: names, ttl: 300, scope: 0, at: UInt64(index))
        }
        precondition(cache.count == 65_536, "the cache grew past its bound: \(cache.count)")
        precondition(cache.snapshot.evictions == 1_000_000 - 65_536, "evictions: \(cache.snapshot.evictions)")
        blackHole(cache.count)
      }
    }
  }
}

/// A benchmark's own events (named in place, without copying the array) and cache.
private final class State: @unchecked Sendable {
  var events: [PacketEvent]
  let cache: NameCache

  init(_ events: [PacketEvent], _ cache: NameCache) {
    self.events = events
    self.events.reserveCapacity(events.count + 1)  // a buffer of its own
    self.cache = cache
  }

  /// Names every event as the pipeline does and counts those `program` matches.
  func run(_ program: Program<PacketEvent>) -> Int {
    var hits = 0
    for index in events.indices {
      NameSuite.name(&events[index], cache)
      if program.matches(events[index]) { hits += 1 }
    }
    return hits
  }
}
