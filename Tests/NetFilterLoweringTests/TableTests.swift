import NetFilter
import Testing

/// Each construct lowered on its own, with the exact tables expected.
@Suite struct TableTests {
  @Test func equalPortIsOneRange() throws {
    let plan = try lower("net.dport = 53")
    #expect(plan.clauses == [KernelClause(filters: [0], constraints: ["dport = 53"])])
    #expect(plan.destinationPort == PortTable(ranges: [(53...53, 1)], otherwise: 0, missing: 0))
    #expect(tablesPresent(plan) == ["dport"])
    #expect(plan.filterMasks == [1] && plan.allClauses == 1 && !plan.passesEverything)
    #expect(plan.residues == [""] && plan.remarks.isEmpty)
  }

  @Test func negatedPortListPassesOtherPortsAndMissingOnes() throws {
    let plan = try lower("net.dport not in (22, 23)")
    #expect(plan.destinationPort == PortTable(ranges: [(22...23, 0)], otherwise: 1, missing: 1))
    #expect(plan.isExact(filter: 0))
  }

  /// A port test and the source-port table expected (no ranges: no port passes).
  struct PortCase: Sendable, CustomStringConvertible {
    var filter: String
    var ranges: [(ClosedRange<UInt16>, UInt64)]
    var otherwise: UInt64
    var description: String { filter }
  }

  static let portCases = [
    PortCase(filter: "net.sport < 1024", ranges: [(0...1023, 1)], otherwise: 0),
    PortCase(filter: "net.sport <= 1024", ranges: [(0...1024, 1)], otherwise: 0),
    PortCase(filter: "net.sport > 1024", ranges: [(0...1024, 0)], otherwise: 1),
    PortCase(filter: "net.sport >= 1024", ranges: [(0...1023, 0)], otherwise: 1),
    PortCase(filter: "net.sport in (8000..8999, 443)", ranges: [(443...443, 1), (8000...8999, 1)], otherwise: 0),
    PortCase(filter: "net.sport < 0", ranges: [], otherwise: 0),
    PortCase(filter: "net.sport > 65535", ranges: [], otherwise: 0),
  ]

  @Test(arguments: portCases)
  func portOrderAndRangesBecomeRanges(_ test: PortCase) throws {
    let plan = try lower(test.filter)
    if test.ranges.isEmpty {
      #expect(plan.clauses.isEmpty && plan.filterMasks == [0], "a test no port passes leaves no clause")
    } else {
      #expect(plan.sourcePort == PortTable(ranges: test.ranges, otherwise: test.otherwise, missing: 0))
    }
  }

  @Test func cidrsKeepTheLongestPrefixSemantics() throws {
    let plan = try lower("net.dip in (10.0.0.0/8, 10.1.0.0/16, fd00::/8)")
    let expected = AddressTable(prefixes: [(cidr("10.0.0.0/8"), 1), (cidr("fd00::/8"), 1)], otherwise: 0, missing: 0)
    #expect(plan.destinationAddress == expected, "10.1.0.0/16 adds nothing inside 10.0.0.0/8")
    #expect(plan.clauses[0].constraints == ["daddr in (10.0.0.0/8, fd00::/8)"])
  }

  @Test func nestedPrefixesOfTwoFiltersGetTheirAncestorsBits() throws {
    let plan = try lower("net.dip in (10.0.0.0/8)", "net.dip in (10.1.0.0/16)", "net.dip not in (10.1.2.0/24)")
    let expected = AddressTable(
      prefixes: [(cidr("10.0.0.0/8"), 0b101), (cidr("10.1.0.0/16"), 0b111), (cidr("10.1.2.0/24"), 0b011)],
      otherwise: 0b100,
      missing: 0b100
    )
    #expect(plan.destinationAddress == expected)
    #expect(plan.filters(matching: plan.evaluate(KernelView(destinationAddress: .value(ip("10.1.2.3"))))) == [0, 1])
    #expect(plan.filters(matching: plan.evaluate(KernelView(destinationAddress: .value(ip("10.1.9.9"))))) == [0, 1, 2])
    #expect(plan.filters(matching: plan.evaluate(KernelView(destinationAddress: .value(ip("fd00::1"))))) == [2])
  }

  @Test func addressRangesBecomePrefixes() throws {
    let plan = try lower("net.sip in (10.0.0.1..10.0.0.6)")
    let prefixes = ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"].map { (cidr($0), UInt64(1)) }
    #expect(plan.sourceAddress == AddressTable(prefixes: prefixes, otherwise: 0, missing: 0))
  }

  @Test func mappedAddressesAreIPv4AndIPv6PrefixesNeverMatchThem() throws {
    let mapped = try lower("net.dip = ::ffff:10.0.0.1")
    #expect(mapped.destinationAddress == AddressTable(prefixes: [(cidr("10.0.0.1/32"), 1)], otherwise: 0, missing: 0))
    // An IPv4-mapped prefix stands for the IPv4 prefix, as the mapped address stands for the IPv4
    // address; other IPv6 prefixes (`::/0` below) never match IPv4.
    let inside = try lower("net.dip in (::ffff:0:0/96)")
    #expect(inside.destinationAddress == AddressTable(prefixes: [(cidr("0.0.0.0/0"), 1)], otherwise: 0, missing: 0))
    let negated = try lower("not net.dip in (::/0)")
    let expected = AddressTable(
      prefixes: [(cidr("0.0.0.0/0"), 1), (cidr("::/0"), 0)],
      otherwise: 1,
      missing: 1
    )
    #expect(negated.destinationAddress == expected, "IPv4 addresses must not fall into ::/0")
    #expect(negated.evaluate(KernelView(destinationAddress: .value(ip("::ffff:1.2.3.4")))) == 1)
    #expect(negated.evaluate(KernelView(destinationAddress: .value(ip("1.2.3.4")))) == 1)
    #expect(negated.evaluate(KernelView(destinationAddress: .value(ip("2001:db8::1")))) == 0)
  }

  @Test func commAndPortsTogether() throws {
    let plan = try lower("ps.name = 'curl' and net.dport in (8000..8999, 443)")
    #expect(plan.comm == ExactTable(entries: ["curl": 1], otherwise: 0, missing: 0))
    #expect(plan.destinationPort == PortTable(ranges: [(443...443, 1), (8000...8999, 1)], otherwise: 0, missing: 0))
    #expect(plan.clauses == [KernelClause(filters: [0], constraints: ["dport in (443, 8000..8999)", "comm = 'curl'"])])
    #expect(plan.isExact(filter: 0))
  }

  @Test func commLongerThanTheKernelsNeverMatches() throws {
    #expect(try lower("ps.name = 'averyveryverylongname'").clauses.isEmpty)
    #expect(try lower("ps.name != 'averyveryverylongname'").passesEverything)
    let mixed = try lower("ps.name in ('averyveryverylongname', 'nginx')")
    #expect(mixed.comm == ExactTable(entries: ["nginx": 1], otherwise: 0, missing: 0))
  }

  @Test func eventNamesBecomeKinds() throws {
    let plan = try lower("evt.name = 'Connect' or net_packet_dns")
    #expect(plan.eventKind == ExactTable(entries: [2: 0b01, 1: 0b10], otherwise: 0, missing: 0))
    #expect(plan.clauses.map(\.constraints) == [["kind = Connect"], ["kind = packet"]])
    #expect(plan.residues == ["evt.name = 'Connect' or net_packet_dns"], "a packet kind is not decided exactly")
    let socket = try lower("evt.name in ('Send', 'Recv') and not Connect")
    #expect(socket.eventKind == ExactTable(entries: [4: 1, 5: 1], otherwise: 0, missing: 0))
    #expect(socket.isExact(filter: 0))
    let negated = try lower("evt.name != 'Accept' and evt.name != 'net_packet_tcp'")
    #expect(negated.eventKind == ExactTable(entries: [3: 0], otherwise: 1, missing: 1))
  }

  @Test func transportEventsAlsoConstrainTheProtocol() throws {
    let plan = try lower("net_packet_tcp.data.dst_port=80")
    #expect(plan.clauses.map(\.constraints) == [["kind = packet", "proto = TCP", "dport = 80"]])
    #expect(plan.residues == ["net_packet_tcp and net_packet_tcp.data.dst_port = 80"])
  }

  @Test func orOfAndsFoldsUnconstrainedClausesIntoEveryEntry() throws {
    let plan = try lower("(net.dport = 53 and net.l4.proto = 'UDP') or (net.dport = 443 and ps.name = 'curl')")
    #expect(plan.destinationPort == PortTable(ranges: [(53...53, 0b01), (443...443, 0b10)], otherwise: 0, missing: 0))
    #expect(plan.l4Protocol == ExactTable(entries: [17: 0b11], otherwise: 0b10, missing: 0b10))
    #expect(plan.comm == ExactTable(entries: ["curl": 0b11], otherwise: 0b01, missing: 0b01))
    #expect(plan.evaluate(KernelView(destinationPort: .value(53), l4Protocol: .value(17), comm: .value("dig"))) == 1)
    #expect(plan.evaluate(KernelView(destinationPort: .value(53), l4Protocol: .value(6), comm: .value("curl"))) == 0)
    #expect(plan.evaluate(KernelView(destinationPort: .value(443), l4Protocol: .value(6), comm: .value("curl"))) == 2)
    #expect(plan.evaluate(KernelView(destinationPort: .value(443), comm: .value("dig"))) == 0)
    #expect(plan.evaluate(KernelView(destinationPort: .missing)) == 0)
  }

  @Test func contradictionsLeaveNoClauseAndConstantsNoConstraint() throws {
    let contradiction = try lower("net.dport = 1 and net.dport = 2")
    #expect(contradiction.clauses.isEmpty && contradiction.allClauses == 0)
    #expect(contradiction.evaluate(KernelView()) == 0)
    #expect(contradiction.isExact(filter: 0))
    let always = try lower("true")
    #expect(always.passesEverything && always.evaluate(KernelView(destinationPort: .missing)) == 1)
  }

  @Test func unknownValuesRejectNothing() throws {
    let plan = try lower("net.dport = 53 and ps.pid = 7 and net.dip = 10.0.0.1")
    #expect(plan.evaluate(KernelView()) == 1)
    #expect(plan.evaluate(KernelView(pid: .value(8))) == 0)
    #expect(plan.evaluate(KernelView(destinationPort: .missing)) == 0)
  }

  @Test func processFieldsAndSmallRangesAreHashEntries() throws {
    let plan = try lower("ps.pid in (1..3, 100) and ps.tid != 5 and ps.cgroup.id = 77 and net.direction = 'egress'")
    #expect(plan.pid == ExactTable(entries: [1: 1, 2: 1, 3: 1, 100: 1], otherwise: 0, missing: 0))
    #expect(plan.tid == ExactTable(entries: [5: 0], otherwise: 1, missing: 1))
    #expect(plan.cgroupID == ExactTable(entries: [77: 1], otherwise: 0, missing: 0))
    #expect(plan.direction == ExactTable(entries: [2: 1], otherwise: 0, missing: 0))
  }

  @Test func protocolNamesIgnoringCase() throws {
    let plan = try lower("net.l4.proto iin ('tcp', 'icmpv6') or net.l4.proto ~= 'UDP'")
    #expect(plan.l4Protocol == ExactTable(entries: [6: 0b01, 58: 0b01, 17: 0b10], otherwise: 0, missing: 0))
    #expect(plan.isExact(filter: 0))
  }
}
