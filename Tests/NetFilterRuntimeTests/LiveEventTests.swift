import Foundation
import NetFilter
import NetFilterBPF
import NetFilterHost
import Testing

@testable import NetFilterRuntime

/// The live event without the kernel: a synthetic record decoded, filtered and printed.
@Suite struct LiveEventTests {
  /// 127.0.0.1:49152 -> 127.0.0.1:80, TCP SYN, IPv4 total length `length`.
  static func syn(length: UInt16 = 40) -> [UInt8] {
    [0x45, 0, UInt8(length >> 8), UInt8(length & 0xFF), 0, 1, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1]
      + [0xC0, 0x00, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xFF, 0xFF, 0, 0, 0, 0]
  }

  static let curl = PacketOwner(pid: 42, tid: 43, uid: 1000, cgroupID: 7, name: "curl")

  func matches(_ filter: String, _ event: LivePacketEvent) throws -> Bool {
    let program: Program<LivePacketEvent> = try Environment().compile(filter).program(for: LivePacketEvent.self)
    return program.matches(event)
  }

  @Test func processAndDirectionFieldsComeFromTheRecord() throws {
    let live = LivePacket(timestamp: 1, direction: .egress, originalLength: 40, owner: Self.curl, bytes: Self.syn())
    let event = LivePacketEvent(live, decodeApplication: false)
    #expect(event.packet.packet.malformed == nil)
    #expect(try matches("ps.name = 'curl' and ps.pid = 42 and ps.tid = 43 and evt.pid = 42 and evt.tid = 43", event))
    #expect(try matches("ps.uid = 1000 and ps.cgroup.id = 7 and net.direction = 'egress' and net.dport = 80", event))
    #expect(try matches("net_packet_tcp.data.proto_tcp.SYN = 1", event))
    #expect(try !matches("net.direction = 'ingress'", event))
    #expect(try !matches("ps.ppid = 0", event), "a record without a parent has no ps.ppid")
    #expect(try matches("evt.host = '\(HostName.current)'", event))
    let json = String(decoding: event.jsonLine(hostName: "h", schema: .network), as: UTF8.self)
    #expect(json.contains("\"processId\":42,\"threadId\":43,\"processName\":\"curl\""))
    #expect(json.contains("\"cgroupId\":7"))
  }

  @Test func aPacketWithoutAnOwnerHasNoProcessFields() throws {
    let live = LivePacket(timestamp: 1, direction: .ingress, originalLength: 40, owner: nil, bytes: Self.syn())
    let event = LivePacketEvent(live, decodeApplication: false)
    #expect(try !matches("ps.name = 'curl'", event))
    #expect(try matches("not ps.name = 'curl' and net.direction = 'ingress'", event))
    #expect(try !matches("ps.pid = 0", event))
  }

  @Test func aBigTCPPacketWithLengthZeroIsNotMalformed() throws {
    let live = LivePacket(
      timestamp: 1,
      direction: .egress,
      originalLength: 131_018,
      owner: nil,
      bytes: Self.syn(length: 0)
    )
    let event = LivePacketEvent(live, decodeApplication: false)
    #expect(event.packet.packet.malformed == nil)
    #expect(try matches("net.size = 131018 and net.dport = 80", event))
  }

  @Test func programsAskProcForWhatOnlyProcOrAMissingOwnerLacks() throws {
    func need(_ filter: String) throws -> (Bool) -> Bool {
      let needs = try Environment().compile(filter).program(for: LivePacketEvent.self).needs
      return { ProcessContext.needsHost(needs, ownerKnown: $0) }
    }
    let ports = try need("net.dport = 80 and evt.host = 'h'")
    #expect(!ports(false) && !ports(true))
    let name = try need("net.dport = 80 and ps.name = 'curl'")
    #expect(name(false) && !name(true))
    let exe = try need("ps.exe = '/usr/bin/curl'")
    #expect(exe(false) && exe(true))
  }

  @Test func theOutputDecodesTheDNSPayloadTheFilterDidNotNeed() throws {
    // 10.0.0.1:5353 -> 10.0.0.2:53, a query for a.io.
    let dns: [UInt8] = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 2, 0x69, 0x6F, 0, 0, 1, 0, 1]
    let bytes: [UInt8] =
      [0x45, 0, 0, 50, 0, 1, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
      + [0x14, 0xE9, 0, 53, 0, 30, 0, 0] + dns
    let live = LivePacket(timestamp: 1, direction: .egress, originalLength: 50, owner: Self.curl, bytes: bytes)
    let event = LivePacketEvent(live, decodeApplication: false).viewed(as: "net_packet_dns_request")
    #expect(event.packet.application == nil)
    #expect(event.packet.decodingApplication().application != nil)
    #expect(event.packet.decodingApplication().name == "net_packet_dns_request", "the view survives")
    let json = String(decoding: event.jsonLine(hostName: "h", schema: .network), as: UTF8.self)
    #expect(json.contains("\"eventName\":\"net_packet_dns_request\""))
    #expect(json.contains("a.io"), "\(json)")
    #expect(json.contains("\"processName\":\"curl\""))
  }

  @Test func socketEventsAreWrittenAsOneTraceeJSONLine() throws {
    let v4 = { (address: UInt32) in IPAddress(v4: address) }
    let owner = PacketOwner(pid: 42, tid: 43, uid: 1000, cgroupID: 7, name: "a\"b")
    let send = SocketEvent(
      LiveSocketEvent(
        kind: .send,
        timestamp: 9,
        l4Protocol: 17,
        local: (v4(0x7F00_0001), 49152),
        remote: (v4(0x0A00_0002), 49153),
        size: 5,
        owner: owner
      )
    )
    let line = String(decoding: send.jsonLine(hostName: "h", schema: .network), as: UTF8.self)
    #expect(
      line == """
        {"timestamp":9,"processId":42,"threadId":43,"processName":"a\\"b","hostName":"h","cgroupId":7,\
        "containerId":"","eventId":"3004","eventName":"Send","argsNum":6,"args":[\
        {"name":"sip","type":"string","value":"127.0.0.1"},{"name":"sport","type":"u16","value":49152},\
        {"name":"dip","type":"string","value":"10.0.0.2"},{"name":"dport","type":"u16","value":49153},\
        {"name":"l4_proto","type":"string","value":"UDP"},{"name":"size","type":"u32","value":5}]}
        """
    )
    let unconnected = SocketEvent(
      LiveSocketEvent(kind: .connect, timestamp: 1, l4Protocol: 6, local: (v4(1), 53), remote: nil, owner: nil)
    )
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(unconnected.jsonLine(hostName: "h", schema: .network)))
        as? [String: Any]
    )
    let arguments = try #require(json["args"] as? [[String: Any]])
    #expect(json["argsNum"] as? Int == arguments.count)
    #expect(arguments.map { $0["name"] as? String }.contains("dip") == false)
    #expect(json["processId"] as? Int == 0)
  }
}
