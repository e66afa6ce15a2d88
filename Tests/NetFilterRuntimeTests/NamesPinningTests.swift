import Foundation
import NetFilter
import NetFilterBPF
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
}
