import NetFilter
import NetFilterDecoders
import NetFilterRuntime
import Testing

@Suite struct NameCacheTests {
  static let second: UInt64 = 1_000_000_000
  static let web = IPAddress("10.9.0.1")!

  @Test func namesExpireAtTheirTTLOrTheMinimum() {
    let cache = NameCache(limits: .init(minimumTTL: 60 * Self.second))
    cache.learn(Self.web, names: ["web.test.lan."], ttl: 0, scope: 0, at: 10 * Self.second)
    #expect(cache.names(of: Self.web, scope: 0, at: 69 * Self.second) == ["web.test.lan."])
    #expect(cache.names(of: Self.web, scope: 0, at: 70 * Self.second) == [])
    let strict = NameCache(limits: .init(minimumTTL: 0))
    strict.learn(Self.web, names: ["web.test.lan."], ttl: 30, scope: 0, at: 0)
    #expect(strict.names(of: Self.web, scope: 0, at: 29 * Self.second) == ["web.test.lan."])
    #expect(strict.names(of: Self.web, scope: 0, at: 30 * Self.second) == [])
    #expect(strict.snapshot.expired == 1 && strict.snapshot.size == 0)
  }

  @Test func theNewestChainComesFirstAndNoNameTwice() {
    let cache = NameCache()
    cache.learn(Self.web, names: ["a.test.", "b.test."], ttl: 300, scope: 0, at: 0)
    cache.learn(Self.web, names: ["c.test.", "b.test."], ttl: 300, scope: 0, at: Self.second)
    #expect(cache.names(of: Self.web, scope: 0, at: 2 * Self.second) == ["c.test.", "b.test.", "a.test."])
    // An older name that expires goes; the rest keep their order.
    let short = NameCache(limits: .init(minimumTTL: 0))
    short.learn(Self.web, names: ["old.test."], ttl: 5, scope: 0, at: 0)
    short.learn(Self.web, names: ["new.test."], ttl: 300, scope: 0, at: Self.second)
    #expect(short.names(of: Self.web, scope: 0, at: 2 * Self.second) == ["new.test.", "old.test."])
    #expect(short.names(of: Self.web, scope: 0, at: 6 * Self.second) == ["new.test."])
  }

  @Test func scopesAreApartAndIPv4MappedIsIPv4() {
    let cache = NameCache()
    cache.learn(Self.web, names: ["web.test.lan."], ttl: 300, scope: 7, at: 0)
    #expect(cache.names(of: Self.web, scope: 8, at: 1) == [])
    #expect(cache.names(of: IPAddress("::ffff:10.9.0.1")!, scope: 7, at: 1) == ["web.test.lan."])
    #expect(cache.snapshot.hits == 1 && cache.snapshot.misses == 1)
  }

  @Test func boundsHoldAndTheSoonestToExpireIsEvicted() {
    let cache = NameCache(limits: .init(addresses: 3, namesPerAddress: 2, nameLength: 10, minimumTTL: 0))
    for (index, ttl) in [100, 10, 50, 80].enumerated() {
      cache.learn(IPAddress(v4: UInt32(index + 1)), names: ["n\(index).test."], ttl: UInt32(ttl), scope: 0, at: 0)
    }
    #expect(cache.count == 3)
    #expect(cache.snapshot.evictions == 1)
    #expect(cache.names(of: IPAddress(v4: 2), scope: 0, at: 1) == [])  // TTL 10: the soonest
    #expect(cache.names(of: IPAddress(v4: 1), scope: 0, at: 1) == ["n0.test."])
    cache.learn(
      IPAddress(v4: 1),
      names: ["x.test.", "y.test.", "z.test.", "much-too-long.test."],
      ttl: 100,
      scope: 0,
      at: 2
    )
    #expect(cache.names(of: IPAddress(v4: 1), scope: 0, at: 3) == ["x.test.", "y.test."])
    #expect(cache.snapshot.dropped == 3)
  }

  @Test func aMillionDistinctAnswersKeepTheCacheAtItsBound() {
    let cache = NameCache(limits: .init(addresses: 65_536))
    let names = ["host.test."]
    var largest = 0
    for index in 0..<1_000_000 {
      cache.learn(IPAddress(v4: UInt32(index)), names: names, ttl: 300, scope: 0, at: UInt64(index) * 1000)
      largest = max(largest, cache.count)
    }
    #expect(largest == 65_536 && cache.count == 65_536)
    #expect(cache.snapshot.evictions == 1_000_000 - 65_536)
  }

  @Test func repliesGiveTheWholeChainLowercaseAndPTRNamesTheirAddress() throws {
    typealias B = DNSCaptureBuilder
    let reply = B.reply(
      "Alias.Test.LAN",
      answers: [
        .cname("alias.test.lan", "WEB.test.lan", ttl: 40), .a("web.test.lan", [10, 9, 0, 1], ttl: 300),
        .a("other.lan", [10, 9, 0, 9]),
      ]
    )
    let message = try DNSMessage.decode(ByteReader(reply))
    let bindings = DNSAnswerNames(message).bindings
    #expect(bindings.count == 1)
    #expect(bindings.first?.address == Self.web)
    #expect(bindings.first?.names == ["alias.test.lan.", "web.test.lan."])
    #expect(bindings.first?.ttl == 40)
    let ptr = try DNSMessage.decode(
      ByteReader(B.reply("1.0.9.10.in-addr.arpa", type: 12, answers: [.ptr("1.0.9.10.in-addr.arpa", "Host.test")]))
    )
    #expect(DNSAnswerNames(ptr).bindings == [.init(address: Self.web, names: ["host.test."], ttl: 30)])
    #expect(DNSAnswerNames.reverseName(Self.web) == "1.0.9.10.in-addr.arpa")
    let v6 = IPAddress("2001:db8::1")!
    #expect(DNSAnswerNames.reverseAddress(DNSAnswerNames.reverseName(v6) + ".") == v6)
  }
}
