import Foundation
import NetFilter
import NetFilterBPF
import NetFilterPackets
import Testing

@testable import NetFilterRuntime

/// The live path without the kernel: records as the capture hands them over go through the
/// dispatcher, which learns names from a reply and pins them to a socket at its Connect.
@Suite struct NamesPinningTests {
  static let second: UInt64 = 1_000_000_000
  static let web = IPAddress("10.9.0.1")!
  static let client = IPAddress("10.0.0.5")!

  static func connect(_ kind: LiveSocketEvent.Kind, _ time: UInt64, cookie: UInt64) -> LiveRecord {
    .socket(
      LiveSocketEvent(
        kind: kind,
        timestamp: time * second,
        l4Protocol: 6,
        local: (client, 40_000 + UInt16(cookie)),
        remote: (web, 80),
        size: kind == .send ? 10 : 0,
        socketCookie: cookie,
        owner: nil
      )
    )
  }

  @Test func namesArePinnedAtConnectUntilDisconnect() throws {
    typealias B = DNSCaptureBuilder
    var pipeline = try Environment().compile("evt.name in ('Connect', 'Send', 'Disconnect')").pipeline(over: .live())
    pipeline.names = NameOptions(mode: .passive, limits: .init(minimumTTL: 0))
    let reply = B.reply("web.test.lan", answers: [.a("web.test.lan", [10, 9, 0, 1], ttl: 2)])
    let dispatcher = LiveDispatcher(
      packets: try pipeline.matcher(nil),
      sockets: try pipeline.matcher(nil),
      selection: .all,
      processes: LiveProcesses(),
      naming: try EventNaming(pipeline.names, readsNames: false)
    )
    let collected = Collected()
    let sink = JSONLinesSink(output: ByteOutput(immediate: true) { collected.append($0) }, hostName: "h")
    var counters = PipelineCounters()
    let records: [LiveRecord] = [
      .packet(
        LivePacket(
          timestamp: 0,
          direction: .ingress,
          originalLength: 0,
          owner: nil,
          bytes: B.udp([10, 0, 0, 53], 19353, [10, 0, 0, 5], 40_000, reply)
        )
      ),
      Self.connect(.connect, 1, cookie: 7),  // named
      Self.connect(.connect, 10, cookie: 8),  // after expiry: no name
      Self.connect(.send, 10, cookie: 7),  // pinned at its Connect
      Self.connect(.disconnect, 11, cookie: 7),  // still pinned
      Self.connect(.send, 12, cookie: 7),  // unpinned by the Disconnect
    ]
    for record in records { try dispatcher.handle(record, pipeline, sink, &counters) }
    let lines = collected.text.split(separator: "\n")
    #expect(lines.count == 5)
    let named = lines.map { $0.contains(#""dip_names","type":"[]string","value":["web.test.lan."]"#) }
    #expect(named == [true, false, true, true, false], "\(lines)")
    #expect(dispatcher.naming?.counters.learned == 1)
  }

  /// A reply received by one process and a Connect of another: named in the same network namespace
  /// (the default) and globally, not per process.
  @Test(arguments: [(NameOptions.Scope.netns, true), (.global, true), (.process, false)])
  func scopes(scope: NameOptions.Scope, named: Bool) throws {
    typealias B = DNSCaptureBuilder
    let dig = PacketOwner(pid: 4_000_001, tid: 4_000_001, uid: 0, cgroupID: 1, name: "dig")
    let curl = PacketOwner(pid: 4_000_002, tid: 4_000_002, uid: 0, cgroupID: 1, name: "curl")
    let naming = try #require(try EventNaming(NameOptions(mode: .passive, scope: scope), readsNames: true))
    var reply = PacketEvent(
      bytes: B.udp(
        [10, 0, 0, 53],
        19353,
        [10, 0, 0, 5],
        40_000,
        B.reply("web.test.lan", answers: [.a("web.test.lan", [10, 9, 0, 1])])
      ),
      record: (0, 0),
      linkType: 101,
      decodeApplication: false
    )
    naming.observe(&reply, owner: dig)
    var connect = SocketEvent(
      LiveSocketEvent(
        kind: .connect,
        timestamp: 1,
        l4Protocol: 6,
        local: (Self.client, 40_001),
        remote: (Self.web, 80),
        socketCookie: 9,
        owner: curl
      )
    )
    naming.name(&connect)
    #expect(connect.names?.destination == (named ? ["web.test.lan."] : []))
    // The process's own later connect is named in every scope.
    var own = SocketEvent(
      LiveSocketEvent(
        kind: .connect,
        timestamp: 2,
        l4Protocol: 6,
        local: (Self.client, 40_002),
        remote: (Self.web, 80),
        socketCookie: 10,
        owner: dig
      )
    )
    naming.name(&own)
    #expect(own.names?.destination == ["web.test.lan."])
  }
}
