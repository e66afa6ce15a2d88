import Foundation
import NetFilter
import NetFilterRuntime
import Testing

/// `net.sip.names`/`net.dip.names` on replayed packets: learned from the replies in the capture, in
/// capture order, on the packets' own clock.
@Suite struct NamesReplayTests {
  typealias B = DNSCaptureBuilder
  static let second: UInt64 = 1_000_000_000
  static let base: UInt64 = 1_790_000_000 * second
  static let client: [UInt8] = [10, 0, 0, 5]
  static let resolver: [UInt8] = [10, 0, 0, 53]
  static let web: [UInt8] = [10, 9, 0, 1]

  /// A SYN to 10.9.0.1 at -1 s, the reply naming it at 0 (a CNAME chain, TTL 30, on port 19353), SYNs
  /// at 1 s, 50 s and 100 s, and a SYN to an address nobody resolved at 2 s.
  static func capture(_ label: String) throws -> String {
    let reply = B.reply(
      "Alias.Test.LAN",
      answers: [.cname("alias.test.lan", "web.test.lan", ttl: 30), .a("web.test.lan", web, ttl: 30)]
    )
    func syn(_ port: UInt16, _ destination: [UInt8] = web) -> [UInt8] {
      B.tcp(client, port, destination, 80, flags: 0x02)
    }
    return try B.temporaryFile(
      B.pcap([
        (base - second, syn(40001)),
        (base, B.udp(resolver, 19353, client, 40000, reply)),
        (base + second, syn(40002)),
        (base + 2 * second, syn(40005, [10, 9, 0, 2])),
        (base + 50 * second, syn(40003)),
        (base + 100 * second, syn(40004)),
      ]),
      "replay-\(label)"
    )
  }

  static func ports(_ lines: [String]) -> [String] {
    lines.compactMap { line in
      line.range(of: "\"src_port\",\"type\":\"u16\",\"value\":")
        .map { String(line[$0.upperBound...].prefix(5)) }
    }
  }

  @Test func aReplyNamesLaterConnectionsUntilItExpires() throws {
    let path = try Self.capture("expiry")
    defer { unlink(path) }
    let filter = "net_packet_tcp and net.dip.names matches ('*.test.lan.')"
    let (lines, counters) = try B.run(filter, path)
    // Not the SYN before the reply; the ones at 1 s and 50 s (the 60 s minimum TTL); not at 100 s.
    #expect(Self.ports(lines) == ["40002", "40003"])
    #expect(
      lines.first?.contains(#"{"name":"dst_names","type":"[]string","value":["alias.test.lan.","web.test.lan."]}"#)
        == true
    )
    #expect(counters.names?.learned == 1)
    // With no minimum, the TTL of 30 s ends the name before 50 s.
    let strict = try B.run(filter, path) { $0.names.limits.minimumTTL = 0 }
    #expect(Self.ports(strict.lines) == ["40002"])
    // An address nobody resolved has no names: length 0, and no names argument.
    let unnamed = try B.run("net_packet_tcp and length(net.dip.names) = 0", path).lines
    #expect(Self.ports(unnamed) == ["40001", "40005", "40004"])
    #expect(unnamed.allSatisfy { !$0.contains("dst_names") })
  }

  @Test func theTableShowsNamesAfterTheAddress() throws {
    let path = try Self.capture("table")
    defer { unlink(path) }
    let pipeline = try Environment().compile("net_packet_tcp and net.dip.names matches ('*.lan.')").pipeline(
      over: .pcap(path: path)
    )
    let collected = Collected()
    _ = try pipeline.run(into: TableSink(output: ByteOutput(immediate: true) { collected.append($0) }))
    let rows = collected.text.split(separator: "\n").dropFirst()
    #expect(rows.count == 2)
    #expect(rows.allSatisfy { $0.hasSuffix("10.9.0.1:80 (alias.test.lan.,web.test.lan.)") }, "\(collected.text)")
  }

  @Test func aRuleThatReadsNamesGetsThem() throws {
    let path = try Self.capture("rules")
    defer { unlink(path) }
    let environment = Environment()
    let named = try environment.compile("net_packet_tcp and net.dip.names matches ('*.test.lan.')").checked
    let plain = try environment.compile("net.dport = 22").checked
    let (_, counters) = try B.run("net.dport = 1", path) {
      $0.rules = [Rule(id: "a", name: "named", condition: named), Rule(id: "b", name: "plain", condition: plain)]
    }
    #expect(counters.findings == 2)
    #expect(counters.names?.learned == 1)
    let live = try environment.compile("net.dport = 1").pipeline(over: .live())
    var withRules = live
    withRules.rules = [Rule(id: "a", name: "named", condition: named)]
    #expect(withRules.kernelPlan.clauses.count > live.kernelPlan.clauses.count)
  }

  @Test func twoRunsPrintTheSameBytes() throws {
    let path = try Self.capture("twice")
    defer { unlink(path) }
    let first = try B.run("net.dip.names matches ('*.lan.') or ReplyDns", path)
    let second = try B.run("net.dip.names matches ('*.lan.') or ReplyDns", path)
    #expect(first.lines.count == 3)
    #expect(first.lines == second.lines)
    #expect(first.counters == second.counters)
  }

  @Test func filtersThatDoNotReadNamesPayNothing() throws {
    let path = try Self.capture("free")
    defer { unlink(path) }
    let (lines, counters) = try B.run("net_packet_tcp", path)
    #expect(lines.count == 5)
    #expect(counters.names == nil)
    #expect(lines.allSatisfy { !$0.contains("_names") })
    #expect(!counters.json.contains("names"))
    // --names=passive names them for the output anyway.
    let passive = try B.run("net_packet_tcp", path) { $0.names.mode = .passive }
    #expect(passive.lines.filter { $0.contains("dst_names") }.count == 2)
    #expect(passive.counters.json.contains(#""expired":1,"learned":1,"#))
  }

  @Test func theKernelPlanPassesDNSRepliesOnlyWhenNamesAreRead() throws {
    let environment = Environment()
    let plain = environment.pipelineOver(live: "evt.name = 'Connect'")
    #expect(try plain().kernelPlan.clauses.count == 1)
    let named = try environment.compile("evt.name = 'Connect' and net.dip.names matches ('*.lan.')").pipeline(
      over: .live()
    )
    let plan = named.kernelPlan
    #expect(
      plan.clauses.map { $0.constraints.joined(separator: " and ") }.contains(
        "kind = packet and proto = UDP and direction = ingress"
      )
    )
    #expect(plan.clauses.contains { $0.constraints == ["kind = Connect"] })
  }
}

extension Environment {
  fileprivate func pipelineOver(live filter: String) -> () throws -> Pipeline {
    { try self.compile(filter).pipeline(over: .live()) }
  }
}
