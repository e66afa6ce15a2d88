import Foundation
import NetFilter
import NetFilterRuntime
import NetFilterTestSupport
import Testing

/// Many rules at once find, rule by rule, exactly what each condition selects on its own.
@Suite struct RuleSetEquivalenceTests {
  static let capture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples/captures/loopback-http-dns.pcap").path

  static let conditions = [
    "net.dport = 53", "net.sport = 53", "net.dport in (80, 8080, 18080)", "net.sport > 1024 and net.dport < 1024",
    "net_packet_dns_request", "net_packet_dns_response and dns.rcode = 'NOERROR'", "dns.name iendswith '.test.'",
    "dns.name icontains 'example'", "net_packet_http_request", "net_packet_http_response",
    "net_packet_tcp.data.dst_port = 80", "net.l4.proto = 'TCP' and net.size > 100", "net.dip = 127.0.0.1",
    "net.sip in (127.0.0.0/8) and net.dport != 53", "net_packet_udp", "net_packet_icmp or net_packet_icmpv6",
    "regex(dns.name, '^www\\\\.')", "net_packet_http.data.proto_http.status_code = 301", "not net_packet_tcp",
    "net.dport in (1..1023) or net.sport in (1..1023)",
  ]

  @Test func eachRuleFindsWhatItsConditionSelects() throws {
    let environment = Environment()
    var rules: [Rule] = []
    for (index, text) in Self.conditions.enumerated() {
      let filter = try environment.compile(text)
      rules.append(Rule(id: "r\(index)", name: "rule \(index)", condition: filter.checked))
    }
    let findings = try Self.lines(Pipeline(rules: rules, source: .pcap(path: Self.capture)))
    var byRule: [String: [String]] = [:]
    for line in findings {
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let event = try #require((object["events"] as? [Any])?.first)
      let text = String(
        decoding: try JSONSerialization.data(withJSONObject: event, options: .sortedKeys),
        as: UTF8.self
      )
      byRule[object["rule"] as? String ?? "", default: []].append(text)
    }
    var nonEmpty = 0
    for (index, text) in Self.conditions.enumerated() {
      let alone = try Self.lines(try environment.compile(text).pipeline(over: .pcap(path: Self.capture))).map {
        let object = try JSONSerialization.jsonObject(with: Data($0.utf8))
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: .sortedKeys), as: UTF8.self)
      }
      #expect(byRule["rule \(index)", default: []] == alone, "\(text)")
      if !alone.isEmpty { nonEmpty += 1 }
    }
    // The capture exercises most conditions.
    #expect(nonEmpty >= 15)
  }

  @Test func findingsAreByteIdenticalAcrossRuns() throws {
    let rules = try Self.conditions.enumerated().map { index, text in
      Rule(id: "r\(index)", name: "rule \(index)", condition: try Environment().compile(text).checked)
    }
    let first = try Self.lines(Pipeline(rules: rules, source: .pcap(path: Self.capture)))
    let second = try Self.lines(Pipeline(rules: rules, source: .pcap(path: Self.capture)))
    #expect(!first.isEmpty && first == second)
  }

  static func lines(_ pipeline: Pipeline) throws -> [String] {
    var pipeline = pipeline
    pipeline.hostName = "test"
    let collected = CollectedOutput()
    _ = try pipeline.run(into: collected.sink())
    return collected.lines
  }
}
