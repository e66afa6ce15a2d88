import NetFilterTestSupport

/// Random well-typed filters: tests of every kernel field in every form the lowering handles, mixed
/// with tests the kernel cannot make (other fields, functions, field against field, case folding).
struct RandomFilters {
  /// Kinds of leaf a generator draws from.
  enum Family: String, CaseIterable, Sendable {
    case ports, addresses, process, kinds, protocols, tracee, userSpace
  }

  var rng: SplitMix64
  /// The leaves drawn; all families by default, one to make its collisions frequent.
  var families = Family.allCases

  mutating func filter(depth: Int = 3) -> String {
    guard depth > 0, Int.random(in: 0..<3, using: &rng) != 0 else { return leaf() }
    switch Int.random(in: 0..<5, using: &rng) {
    case 0: return "not " + group(depth - 1)
    case 1, 2: return (0..<Int.random(in: 2...3, using: &rng)).map { _ in group(depth - 1) }.joined(separator: " and ")
    default: return (0..<Int.random(in: 2...3, using: &rng)).map { _ in group(depth - 1) }.joined(separator: " or ")
    }
  }

  /// An `or` of `disjuncts` conjunctions of two or three leaves: many clauses.
  mutating func wide(disjuncts: Int) -> String {
    (0..<disjuncts).map { _ in
      "(" + (0..<Int.random(in: 2...3, using: &rng)).map { _ in leaf() }.joined(separator: " and ") + ")"
    }.joined(separator: " or ")
  }

  /// A parenthesized filter (a lone `true` stays bare: `(true)` would be a list).
  private mutating func group(_ depth: Int) -> String {
    let text = filter(depth: depth)
    return text == "true" || text == "false" ? text : "(" + text + ")"
  }

  private mutating func pick<T>(_ items: [T]) -> T { items.randomElement(using: &rng)! }

  private mutating func port() -> String { String(pick(Pools.ports)) }

  private mutating func address() -> String { Bool.random(using: &rng) ? pick(Pools.v4) : pick(Pools.v6) }

  private mutating func addressItem() -> String {
    switch Int.random(in: 0..<4, using: &rng) {
    case 0: return address()
    case 1:
      return pick(["10.0.0.0..10.1.255.255", "8.8.8.0..8.8.8.8", "fd00::..fd00::ff", "::..::ffff:255.255.255.255"])
    default: return pick(Pools.cidrs)
    }
  }

  private mutating func list(_ count: ClosedRange<Int>, _ item: (inout RandomFilters) -> String) -> String {
    "(" + (0..<Int.random(in: count, using: &rng)).map { _ in item(&self) }.joined(separator: ", ") + ")"
  }

  private mutating func leaf() -> String {
    switch pick(families) {
    case .ports: portLeaf()
    case .addresses: addressLeaf()
    case .process: processLeaf()
    case .kinds: kindLeaf()
    case .protocols: protocolLeaf()
    case .tracee: traceeLeaf()
    case .userSpace: userSpaceLeaf()
    }
  }

  private mutating func portLeaf() -> String {
    let field = pick(["net.sport", "net.dport"])
    switch Int.random(in: 0..<5, using: &rng) {
    case 0: return "\(field) \(pick(["=", "!=", "<", "<=", ">", ">="])) \(port())"
    case 1: return "\(field) \(pick(["in", "not in"])) " + list(1...3) { $0.portItem() }
    default: return "\(field) = \(port())"
    }
  }

  private mutating func portItem() -> String {
    Bool.random(using: &rng) ? port() : pick(["8000..8999", "0..1023", "22..23", "1024..65535", "53..53"])
  }

  private mutating func addressLeaf() -> String {
    let field = pick(["net.sip", "net.dip"])
    switch Int.random(in: 0..<4, using: &rng) {
    case 0: return "\(field) \(pick(["=", "!="])) \(address())"
    case 1: return "\(field) = \(pick(Pools.cidrs))"
    default: return "\(field) \(pick(["in", "not in"])) " + list(1...4) { $0.addressItem() }
    }
  }

  private mutating func processLeaf() -> String {
    let pid = pick(Pools.pids)
    switch Int.random(in: 0..<9, using: &rng) {
    case 0: return "\(pick(["ps.pid", "evt.pid", "ps.tid", "evt.tid"])) \(pick(["=", "!="])) \(pid)"
    case 1: return "ps.pid \(pick(["in", "not in"])) (\(pid), 100..102, \(pick(Pools.pids)))"
    case 2: return "ps.pid \(pick(["<", ">", "<=", ">="])) \(pid)"
    case 3: return "ps.cgroup.id \(pick(["=", "!="])) \(pick(Pools.cgroups))"
    case 4: return "ps.name \(pick(["=", "!="])) '\(pick(Pools.comms + ["averyveryverylongname"]))'"
    case 5: return "ps.name \(pick(["in", "not in"])) ('\(pick(Pools.comms))', '\(pick(Pools.comms))')"
    case 6: return "ps.name \(pick(["~=", "startswith", "endswith", "contains"])) '\(pick(["CURL", "cu", "x", "dig"]))'"
    case 7: return "net.direction \(pick(["=", "!="])) '\(pick(["ingress", "egress"]))'"
    default: return "ps.name iin ('CURL', 'Dig')"
    }
  }

  private mutating func kindLeaf() -> String {
    let name = pick(Pools.eventNames)
    switch Int.random(in: 0..<5, using: &rng) {
    case 0: return name
    case 1: return "evt.name \(pick(["=", "!="])) '\(name)'"
    case 2: return "evt.name \(pick(["in", "not in"])) ('\(name)', '\(pick(Pools.eventNames))')"
    case 3: return "evt.name ~= '\(name.lowercased())'"
    default: return "evt.name iin ('\(name.uppercased())', 'send')"
    }
  }

  private mutating func protocolLeaf() -> String {
    let name = pick(["TCP", "UDP", "ICMP", "ICMPv6"])
    switch Int.random(in: 0..<4, using: &rng) {
    case 0: return "net.l4.proto \(pick(["=", "!="])) '\(name)'"
    case 1: return "net.l4.proto \(pick(["in", "not in"])) ('\(name)', '\(pick(["TCP", "UDP"]))')"
    case 2: return "net.l4.proto ~= '\(name.lowercased())'"
    default: return "net.l4.proto iin ('\(name.lowercased())')"
    }
  }

  private mutating func traceeLeaf() -> String {
    let op = pick(["=", "!="])
    switch Int.random(in: 0..<11, using: &rng) {
    case 8: return "net_packet_tcp.data.dst_port \(pick(["in", "not in"])) (\(port()), \(port()))"
    case 9: return "net_packet_udp and net_packet_udp.data.src_port not in (\(port()), \(port()))"
    case 10: return "net_packet_dns.data.dst \(pick(["in", "not in"])) (\(pick(Pools.cidrs)), \(address()))"
    case 0: return "net_packet_tcp.data.dst_port\(op)\(port())"
    case 1: return "net_packet_dns.data.src\(op)\(pick(Pools.v4))"
    case 2: return "net_packet_udp.data.src_port\(op)\(port()),\(port())"
    case 3: return "net_packet_tcp.data.metadata.direction\(op)\(pick(["0", "1", "2"]))"
    case 4: return "net_packet_ipv4.data.proto_ipv4.srcIP\(op)\(pick(Pools.v4))"
    case 5: return "net_packet_dns_request.data.metadata.dst_port\(op)53"
    case 6: return "net_packet_http.data.dst_port>\(port())"
    default: return "\(pick(["not ", ""]))net_packet_udp.data.proto_udp.dstPort = \(port())"
    }
  }

  private mutating func userSpaceLeaf() -> String {
    pick([
      "ps.exe = '\(pick(Pools.exes))'", "dns.name = '\(pick(Pools.dnsNames))'", "net.size > \(pick([0, 100, 1000]))",
      "length(ps.name) > 3", "net.sport = net.dport", "cidr_contains(net.dip, '10.0.0.0/8')", "ps.uid = 0",
      "evt.kinds = 'net_packet_udp'", "net.dip startswith '10.'", "true", "false",
    ])
  }
}
