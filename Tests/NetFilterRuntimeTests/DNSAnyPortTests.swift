import Foundation
import NetFilter
import NetFilterRuntime
import NetFilterTestSupport
import Testing

/// DNS on any port: recognised by a strict parse of the whole message (DNSProbe), never by chance.
@Suite struct DNSAnyPortTests {
  typealias B = DNSCaptureBuilder
  static let client: [UInt8] = [10, 0, 0, 5]
  static let server: [UInt8] = [127, 0, 0, 1]

  @Test func queriesAndRepliesOnNonStandardPortsAreDNSEvents() throws {
    let reply = B.reply("web.test.lan", answers: [.a("web.test.lan", [127, 0, 0, 2])])
    let tcpReply = B.be16(UInt16(reply.count)) + reply
    let path = try B.temporaryFile(
      B.pcap([
        (1, B.udp(Self.client, 40000, Self.server, 19353, B.query("web.test.lan"))),
        (2, B.udp(Self.server, 19353, Self.client, 40000, reply)),
        (3, B.tcp(Self.server, 5300, Self.client, 40001, tcpReply)),
      ]),
      "anyport"
    )
    defer { unlink(path) }
    #expect(try B.run("evt.name = 'QueryDns'", path).lines.count == 1)
    let replies = try B.run("evt.name = 'ReplyDns' and dns.answers = '127.0.0.2'", path).lines
    #expect(replies.count == 2)
    #expect(replies.allSatisfy { $0.contains("\"web.test.lan\"") })
  }

  /// tshark, told that the ports are DNS (`-d`), decodes the same queries and replies, with the same
  /// answers.
  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tshark"), "needs tshark"))
  func tsharkToldThePortsAgrees() throws {
    let reply = B.reply(
      "web.test.lan",
      answers: [.cname("web.test.lan", "x.test.lan"), .a("x.test.lan", [10, 9, 0, 1])]
    )
    let path = try B.temporaryFile(
      B.pcap([
        (1, B.udp(Self.client, 40000, Self.server, 19353, B.query("web.test.lan"))),
        (2, B.udp(Self.server, 19353, Self.client, 40000, reply)),
        (3, B.tcp(Self.server, 5300, Self.client, 40001, B.be16(UInt16(reply.count)) + reply)),
      ]),
      "tshark"
    )
    defer { unlink(path) }
    func tshark(_ filter: String) throws -> [String] {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/bin/tshark")
      process.arguments = [
        "-n", "-r", path, "-d", "udp.port==19353,dns", "-d", "tcp.port==5300,dns", "-o",
        "tcp.desegment_tcp_streams:FALSE", "-Y", filter, "-T", "fields", "-e", "frame.number", "-e", "dns.a",
      ]
      let pipe = Pipe()
      process.standardOutput = pipe
      process.standardError = FileHandle.nullDevice
      try process.run()
      let data = pipe.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
    let replies = try tshark("dns.flags.response == 1 && dns.count.queries == 1")
    #expect(replies == ["2\t10.9.0.1", "3\t10.9.0.1"])
    #expect(try B.run("evt.name = 'ReplyDns' and dns.answers = '10.9.0.1'", path).lines.count == replies.count)
    #expect(try tshark("dns.flags.response == 0").count == 1)
    #expect(try B.run("evt.name = 'QueryDns'", path).lines.count == 1)
  }

  @Test func almostDNSMessagesAreNotDNS() throws {
    let reply = B.reply("web.test.lan", answers: [.a("web.test.lan", [127, 0, 0, 2])])
    var twoQuestions = reply
    twoQuestions[5] = 2
    var badCount = reply
    badCount[7] = 2  // two answers announced, one present
    var opcode = reply
    opcode[2] |= 0x10  // opcode 2 (STATUS)
    let bad: [[UInt8]] = [
      reply + [0],  // a byte after the last record
      Array(reply.dropLast()),  // cut inside the last record
      twoQuestions, badCount, opcode,
      B.query("web.test.lan") + B.be16(0),  // a query with trailing bytes
    ]
    var packets: [(time: UInt64, bytes: [UInt8])] = []
    for (index, payload) in bad.enumerated() {
      packets.append((UInt64(index), B.udp(Self.server, 19353, Self.client, 40000, payload)))
    }
    // Over TCP, the length prefix must be the rest of the segment.
    packets.append((9, B.tcp(Self.server, 5300, Self.client, 40001, B.be16(UInt16(reply.count + 1)) + reply)))
    let path = try B.temporaryFile(B.pcap(packets), "almost")
    defer { unlink(path) }
    let (lines, counters) = try B.run("net_packet_dns", path)
    #expect(lines.isEmpty)
    #expect(counters.received == bad.count + 1)
    // The same bytes on port 53 are DNS (Wireshark's rule there), malformed or not.
    let standard = try B.temporaryFile(
      B.pcap(bad.enumerated().map { (UInt64($0), B.udp(Self.server, 53, Self.client, 40000, $1)) }),
      "almost53"
    )
    defer { unlink(standard) }
    #expect(try B.run("net_packet_dns", standard).lines.count == bad.count)
  }

  /// 20,000 replies with one to three random bytes changed, some cut or extended, on a port that is
  /// not 53: whatever the probe takes for DNS decodes (none is counted malformed), and mutations
  /// that keep a reply whole (a TTL, an address) are still taken.
  @Test func whatTheProbeTakesDecodes() throws {
    var random = SplitMix64(seed: 99)
    let reply = B.reply(
      "web.test.lan",
      answers: [.cname("web.test.lan", "x.test.lan"), .a("x.test.lan", [10, 9, 0, 1])]
    )
    var packets: [(time: UInt64, bytes: [UInt8])] = []
    for index in 0..<20_000 {
      var payload = reply
      for _ in 0..<Int.random(in: 1...3, using: &random) {
        payload[Int.random(in: 0..<payload.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
      }
      switch index % 10 {
      case 0: payload.removeLast(Int.random(in: 1...10, using: &random))
      case 1: payload.append(UInt8.random(in: 0...255, using: &random))
      default: break
      }
      packets.append((UInt64(index), B.udp(Self.server, 19353, Self.client, 40000, payload)))
    }
    let path = try B.temporaryFile(B.pcap(packets), "mutated")
    defer { unlink(path) }
    let (lines, counters) = try B.run("net_packet_dns and length(dns.name) >= 0", path)
    #expect(counters.malformed == 0)
    #expect(lines.count > 1_000, "\(lines.count) of 20,000 mutated replies taken")
  }

  /// 200,000 UDP datagrams with random payloads (a tenth of them behind a DNS-like header with one
  /// question) on random ports other than 53 and 5353: none is DNS.
  @Test func randomUDPPayloadsNeverBecomeDNS() throws {
    var random = SplitMix64(seed: 12)
    var packets: [(time: UInt64, bytes: [UInt8])] = []
    packets.reserveCapacity(200_000)
    for index in 0..<200_000 {
      var payload = (0..<Int.random(in: 0...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
      if index % 10 == 0, payload.count >= 12 {
        payload[2] &= 0x87  // opcode QUERY
        payload[4] = 0
        payload[5] = 1
      }
      var port = UInt16.random(in: 1...65535, using: &random)
      if port == 53 || port == 5353 { port = 5354 }
      packets.append((UInt64(index) * 1000, B.udp(Self.client, 40000, Self.server, port, payload)))
    }
    let path = try B.temporaryFile(B.pcap(packets), "random")
    defer { unlink(path) }
    let (lines, counters) = try B.run("net_packet_dns or evt.name in ('QueryDns', 'ReplyDns')", path)
    #expect(counters.received == 200_000)
    #expect(lines.isEmpty, "\(lines.prefix(3))")
  }
}
