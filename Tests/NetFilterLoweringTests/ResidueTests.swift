import NetFilter
import Testing

/// What stays in user space: remarks, residues, and the kinds of test the kernel cannot make.
@Suite struct ResidueTests {
  @Test(arguments: [
    ("ps.exe = '/usr/bin/curl'", "'ps.exe' is not visible to the kernel"),
    ("net.sport = net.dport", "the right side is not a constant"),
    ("length(ps.name) > 3", "the left side is not a field the kernel sees"),
    ("ps.name ~= 'CURL'", "the kernel compares comm bytes exactly"),
    ("ps.name startswith 'cu'", "the kernel compares comm bytes exactly"),
    ("ps.pid > 1000", "too wide for the kernel's hash map"),
    ("net.dip startswith '10.'", "is not lowered"),
    ("cidr_contains(net.dip, '10.0.0.0/8')", "a boolean field or function is not visible to the kernel"),
  ])
  func notLoweredTestsAreRemarkedAndLeftToUserSpace(filter: String, reason: String) throws {
    let plan = try lower(filter)
    #expect(plan.passesEverything, "a test the kernel cannot make constrains nothing")
    #expect(plan.remarks.count == 1)
    #expect(plan.remarks.first?.reason.contains(reason) == true, "\(plan.remarks)")
    #expect(!plan.residues[0].isEmpty)
    let residue = try Environment().compile(plan.residues[0])
    #expect(TypedTree.print(residue.checked) == TypedTree.print(try Environment().compile(filter).checked))
  }

  @Test func bothPolaritiesOfAnUnloweredTestConstrainNothing() throws {
    for filter in ["not ps.exe = 'x' and net.dport = 80", "ps.exe = 'x' and net.dport = 80"] {
      let plan = try lower(filter)
      #expect(plan.destinationPort == PortTable(ranges: [(80...80, 1)], otherwise: 0, missing: 0))
      #expect(plan.clauses.count == 1 && plan.clauses[0].constraints == ["dport = 80"])
    }
  }

  @Test func residueHoldsOnlyTheConjunctsNotDecidedExactly() throws {
    let plan = try lower(
      "net.dport = 443 and ps.exe = '/usr/bin/curl' and (net.dip in (10.0.0.0/8) or dns.name = 'a.')"
    )
    #expect(plan.residues == ["ps.exe = '/usr/bin/curl' and (net.dip in (10.0.0.0/8) or dns.name = 'a.')"])
    #expect(plan.remarks.map(\.source) == ["ps.exe = '/usr/bin/curl'", "dns.name = 'a.'"])
    #expect(plan.remarks.allSatisfy { $0.range != nil && $0.filter == 0 })
  }

  @Test func negatedTraceeArgumentIsKeptOnlyWithItsEvent() throws {
    let scoped = try lower("net_packet_dns.data.src!=8.8.8.8")
    #expect(scoped.sourceAddress == AddressTable(prefixes: [(cidr("8.8.8.8/32"), 0)], otherwise: 1, missing: 1))
    // Without the event, a UDP packet to 80 lacks net_packet_tcp.data.dst_port: its negation holds.
    let unscoped = try lower("not net_packet_tcp.data.dst_port=80 or net.dport = 1")
    #expect(unscoped.passesEverything)
    // Application events build their arguments from decoded payloads: not lowered when negated.
    let application = try lower("net_packet_dns_request.data.metadata.dst_port!=53")
    #expect(application.destinationPort == nil)
    #expect(application.remarks.contains { $0.reason.contains("may lack the argument") })
  }

  @Test func negatedSocketEventIsExactNegatedPacketKindIsNot() throws {
    let connect = try lower("not Connect")
    #expect(connect.eventKind == ExactTable(entries: [2: 0], otherwise: 1, missing: 1))
    #expect(connect.isExact(filter: 0))
    let packet = try lower("not net_packet_udp")
    #expect(packet.passesEverything && packet.residues == ["not net_packet_udp"])
  }

  @Test func sequenceRulesLowerAnyOfTheirSteps() throws {
    let filter = try Environment().compile("sequence maxspan 5s |net.dport = 53| |net.dport = 443|")
    let plan = filter.kernelPlan
    #expect(plan.destinationPort == PortTable(ranges: [(53...53, 1), (443...443, 2)], otherwise: 0, missing: 0))
  }
}
