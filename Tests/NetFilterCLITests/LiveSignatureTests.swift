import Foundation
import Testing

/// Tracee's network signatures (`tests/e2e-net-signatures` of Tracee v0.24.1)
/// re-created on live capture. Each test runs `netfilter run` with a filter that states the signature's
/// check and its policy's `comm` scope in our language, drives the trigger of Tracee's script against
/// servers of the test's own (dnsmasq with a test zone and a python HTTP server answering 301 on
/// loopback, nc in a network namespace joined by a veth pair) instead of the Internet, and asserts the
/// exact events: how many, the process, the direction, the decoded values.
///
/// Every packet is seen twice, leaving one socket and arriving at the other; the `ps.name` scope keeps
/// the copies of the program Tracee's policy names (both copies when both ends are that program, as
/// with nc). The nc servers start while the capture runs, as in Tracee's scripts; the DNS and HTTP
/// servers start before it, so that their start-up checks are not captured.
@Suite(
  .serialized,
  .enabled(
    if: LiveNetwork.available,
    "needs live capture and the trigger tools: \(LiveNetwork.missing.joined(separator: "; "))"
  )
)
struct LiveSignatureTests {
  /// HTTP exchanges per HTTP test; rounds of the DNS trigger.
  static let rounds = 2
  /// nc clients per nc test (Tracee's scripts run three).
  static let clients = 3
  /// Echo requests per ping (`ping -c 3`, as Tracee's scripts).
  static let pings = 3
  /// The port of Tracee's nc scripts (bound on the test's own veth address).
  static let ncPort = 8090

  // MARK: DNS

  /// DNS: MX 10 mail.<zone>, NS ns1.<zone> and SOA with RName dns-admin.<zone> answered to nslookup.
  /// Tracee's policy also names nslookup's worker threads (isc-net-0000…); ps.name is the process's name.
  @Test func dnsSignature() throws {
    let server = try ZoneServer()
    defer { server.stop() }
    let answers = "net_packet_dns.data.proto_dns.answers"
    let filter = """
      net_packet_dns and ps.name = 'nslookup' and net_packet_dns.data.src = \(server.address) \
      and (\(answers).MX.name = '\(Zone.mx.name)' and \(answers).MX.preference = \(Zone.mx.preference) \
      or \(answers).NS = '\(Zone.ns)' or \(answers).SOA.RName = '\(Zone.soaRName)')
      """
    let types = ["MX", "NS", "SOA"]
    var lookups: [(type: String, pid: Int)] = []
    let run = try LiveNetwork.capture(filter) {
      for _ in 0..<Self.rounds {
        for type in types { lookups.append((type, try server.nslookup(type))) }
      }
    }
    #expect(run.status == 0, "\(run.stderr)")
    // One response per lookup, arriving at nslookup (the queries carry no answers).
    try #require(run.events.count == lookups.count, "\(run.events.map { "\($0.name) \($0.dnsAnswers)" })")
    for (event, lookup) in zip(run.events, lookups) {
      let answer = Zone.records.first { $0.type == lookup.type }?.answer ?? ""
      #expect(event.name == "net_packet_dns_response")
      #expect(event.processName == "nslookup" && event.processID == lookup.pid)
      #expect(event.dnsAnswers == ["\(lookup.type) \(answer)"])
      #expect(event.value("metadata", "src_ip") as? String == server.address)
      #expect(event.value("metadata", "src_port") as? Int == 53)
      #expect(!event.hostName.isEmpty)
    }
  }

  /// QueryDns and ReplyDns of dig for every record of the zone, with the question and the decoded
  /// answers, attributed to `dig` although its socket I/O runs on worker threads (comm isc-net-0000).
  @Test func digQueriesAndRepliesCarryTheZonesAnswers() throws {
    let server = try ZoneServer()
    defer { server.stop() }
    let replies = Zone.records.map { "dns.rr = '\($0.type)' and dns.name = '\($0.name)' and \($0.check)" }
    let filter = """
      ps.name = 'dig' and (net.sip = \(server.address) or net.dip = \(server.address)) \
      and (QueryDns and net.direction = 'egress' or ReplyDns and net.direction = 'ingress' \
      and dns.rcode = 'NOERROR' and (\(replies.joined(separator: " or "))))
      """
    var digs: [Int] = []
    let run = try LiveNetwork.capture(filter) {
      for record in Zone.records { digs.append(try server.dig(record)) }
    }
    #expect(run.status == 0, "\(run.stderr)")
    try #require(
      run.events.count == 2 * Zone.records.count,
      "\(run.events.map { "\($0.name) \($0.dnsQuestions) \($0.dnsAnswers)" })"
    )
    for (index, record) in Zone.records.enumerated() {
      let (query, reply) = (run.events[2 * index], run.events[2 * index + 1])
      #expect(query.name == "net_packet_dns_request" && reply.name == "net_packet_dns_response")
      #expect(query.dnsQuestions == ["\(record.name) \(record.type)"])
      #expect(reply.dnsAnswers == ["\(record.type) \(record.answer)"])
      for event in [query, reply] {
        #expect(event.processName == "dig" && event.processID == digs[index])
        #expect(event.threadID != event.processID, "dig's socket I/O runs on a worker thread")
      }
      #expect(query.value("metadata", "dst_port") as? Int == 53 && reply.value("metadata", "src_port") as? Int == 53)
      #expect(query.value("metadata", "src_port") as? Int == reply.value("metadata", "dst_port") as? Int)
      #expect(query.value("metadata", "protocol") as? Int == 17)
    }
  }

  /// The same signature as a rule file (examples/rules/tracee-dns-signature.yml): a sequence of
  /// the MX, NS, SOA and TXT answers that fires once per completed set, then starts over. Each
  /// reply is seen twice on loopback (leaving dnsmasq, reaching dig); a second copy never fills a
  /// step twice nor starts a set alone.
  @Test func dnsSignatureRuleFiresOncePerCompletedSet() throws {
    let server = try ZoneServer()
    defer { server.stop() }
    let rule = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("examples/rules/tracee-dns-signature.yml").path
    let types = ["MX", "NS", "SOA", "TXT"]
    let run = try LiveNetwork.capture(arguments: ["--rules", rule]) {
      for _ in 0..<Self.rounds {
        for type in types {
          guard let record = Zone.records.first(where: { $0.type == type }) else { continue }
          _ = try server.dig(record)
        }
      }
    }
    #expect(run.status == 0, "\(run.stderr)")
    let findings = run.stdout.split(separator: "\n").compactMap {
      try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
    try #require(findings.count == Self.rounds, "\(run.stdout)")
    for finding in findings {
      #expect(finding["rule"] as? String == "Network DNS e2e signature")
      #expect(finding["priority"] as? String == "Notice" && finding["source"] as? String == "live")
      let events = try #require(finding["events"] as? [[String: Any]])
      #expect(events.map { $0["eventName"] as? String } == Array(repeating: "net_packet_dns_response", count: 4))
      let output = try #require(finding["output"] as? String)
      #expect(output.contains("MX \(Zone.mx.name)") && output.contains("SOA \(Zone.soaRName)"), "\(output)")
    }
  }

  // MARK: HTTP

  /// HTTP: curl's request leaving it and the response arriving at it, protocol HTTP/…, each packet's
  /// direction agreeing with the message (request ⇒ egress, response ⇒ ingress).
  @Test func httpSignature() throws {
    let server = try RedirectServer()
    defer { server.stop() }
    let http = "net_packet_http.data"
    let filter = """
      net_packet_http and ps.name = 'curl' and (net.sport = \(server.port) or net.dport = \(server.port)) \
      and \(http).proto_http.protocol startswith 'HTTP/' \
      and (\(http).proto_http.direction = 'request' and \(http).metadata.direction = \(TraceeDirection.egress) \
      or \(http).proto_http.direction = 'response' and \(http).metadata.direction = \(TraceeDirection.ingress))
      """
    var curls: [Int] = []
    let run = try LiveNetwork.capture(filter) {
      for _ in 0..<Self.rounds { curls.append(try server.curl()) }
    }
    #expect(run.status == 0, "\(run.stderr)")
    let exchange = ["net_packet_http_request", "net_packet_http_response"]
    #expect(run.events.map(\.name) == Array(Array(repeating: exchange, count: Self.rounds).joined()))
    #expect(run.events.map(\.processID) == curls.flatMap { [$0, $0] })
    #expect(run.events.allSatisfy { $0.processName == "curl" })
    // curl's copies: the request to the server's port, the response from it.
    let requests = run.events.filter { $0.name == exchange[0] }
    let responses = run.events.filter { $0.name == exchange[1] }
    #expect(requests.allSatisfy { $0.value("metadata", "dst_port") as? Int == server.port })
    #expect(responses.allSatisfy { $0.value("metadata", "src_port") as? Int == server.port })
  }

  /// HTTPRequest: curl's request, protocol HTTP/…, Host ending in the zone's name.
  @Test func httpRequestSignature() throws {
    let server = try RedirectServer()
    defer { server.stop() }
    let request = "net_packet_http_request.data.http_request"
    let filter = """
      net_packet_http_request and ps.name = 'curl' and net.dport = \(server.port) \
      and \(request).protocol startswith 'HTTP/' and \(request).host endswith '\(Zone.name)'
      """
    var curls: [Int] = []
    let run = try LiveNetwork.capture(filter) {
      for _ in 0..<Self.rounds { curls.append(try server.curl()) }
    }
    #expect(run.status == 0, "\(run.stderr)")
    try #require(run.events.count == curls.count, "\(run.events.map(\.name))")
    for (event, curl) in zip(run.events, curls) {
      #expect(event.name == "net_packet_http_request")
      #expect(event.processName == "curl" && event.processID == curl)
      #expect(event.value("http_request", "host") as? String == RedirectServer.host)
      #expect(event.value("http_request", "headers", "Host") as? [String] == [RedirectServer.host])
      #expect(event.value("http_request", "method") as? String == "GET")
      #expect(event.value("http_request", "uri_path") as? String == "/")
      #expect(event.value("http_request", "protocol") as? String == "HTTP/1.1")
    }
  }

  /// HTTPResponse: the 301 arriving at curl, protocol HTTP/…, Location naming the zone.
  @Test func httpResponseSignature() throws {
    let server = try RedirectServer()
    defer { server.stop() }
    let response = "net_packet_http_response.data.http_response"
    let filter = """
      net_packet_http_response and ps.name = 'curl' and net.sport = \(server.port) \
      and \(response).protocol startswith 'HTTP/' and \(response).headers[Location] contains '\(Zone.name)'
      """
    var curls: [Int] = []
    let run = try LiveNetwork.capture(filter) {
      for _ in 0..<Self.rounds { curls.append(try server.curl()) }
    }
    #expect(run.status == 0, "\(run.stderr)")
    try #require(run.events.count == curls.count, "\(run.events.map(\.name))")
    for (event, curl) in zip(run.events, curls) {
      #expect(event.name == "net_packet_http_response")
      #expect(event.processName == "curl" && event.processID == curl)
      #expect(event.value("http_response", "status_code") as? Int == 301)
      #expect(event.value("http_response", "status") as? String == "301 Moved Permanently")
      #expect(event.value("http_response", "protocol") as? String == "HTTP/1.0")
      #expect(event.value("http_response", "headers", "Location") as? [String] == [RedirectServer.location])
    }
  }

  // MARK: IP and ICMP (ping from the namespace to this host)

  /// IPv4: the echo requests leaving ping in the namespace (src .2, dst .1, version 4, IHL 5).
  @Test func ipv4Signature() throws {
    let namespace = try DualStackNamespace()
    defer { namespace.remove() }
    let (peer, host) = (namespace.peer4, namespace.host4)
    let ip = "net_packet_ipv4.data"
    let filter = """
      net_packet_ipv4 and ps.name = 'ping' and \(ip).src = \(peer) and \(ip).dst = \(host) \
      and \(ip).proto_ipv4.version = 4 and \(ip).proto_ipv4.IHL = 5 \
      and \(ip).proto_ipv4.srcIP = \(peer) and \(ip).proto_ipv4.dstIP = \(host)
      """
    let echo = Echo(kind: "net_packet_icmp", type: "EchoRequest", from: peer, to: host, TraceeDirection.egress)
    try expectEchoes(namespace, filter, echo)
  }

  /// IPv6: the echo requests leaving ping in the namespace (src ::2, dst ::1 in canonical form,
  /// version 6, hop limit 64).
  @Test func ipv6Signature() throws {
    let namespace = try DualStackNamespace()
    defer { namespace.remove() }
    let (peer, host) = (namespace.peer6, namespace.host6)
    let ip = "net_packet_ipv6.data"
    let filter = """
      net_packet_ipv6 and ps.name = 'ping' and \(ip).src = \(peer) and \(ip).dst = \(host) \
      and \(ip).proto_ipv6.version = 6 and \(ip).proto_ipv6.hopLimit = 64
      """
    let echo = Echo(kind: "net_packet_icmpv6", type: "EchoRequest", from: peer, to: host, TraceeDirection.egress)
    try expectEchoes(namespace, filter, echo)
  }

  /// ICMP: the echo replies (src .1, dst .2, EchoReply) arriving at ping.
  @Test func icmpSignature() throws {
    let namespace = try DualStackNamespace()
    defer { namespace.remove() }
    let (peer, host) = (namespace.peer4, namespace.host4)
    let icmp = "net_packet_icmp.data"
    let filter = """
      net_packet_icmp and ps.name = 'ping' and \(icmp).src = \(host) and \(icmp).dst = \(peer) \
      and \(icmp).proto_icmp.typeCode = 'EchoReply'
      """
    let echo = Echo(kind: "net_packet_icmp", type: "EchoReply", from: host, to: peer, TraceeDirection.ingress)
    try expectEchoes(namespace, filter, echo)
  }

  /// ICMPv6: the echo replies (src ::1, dst ::2, EchoReply) arriving at ping.
  @Test func icmpv6Signature() throws {
    let namespace = try DualStackNamespace()
    defer { namespace.remove() }
    let (peer, host) = (namespace.peer6, namespace.host6)
    let icmp = "net_packet_icmpv6.data"
    let filter = """
      net_packet_icmpv6 and ps.name = 'ping' and \(icmp).src = \(host) and \(icmp).dst = \(peer) \
      and \(icmp).proto_icmpv6.typeCode = 'EchoReply'
      """
    let echo = Echo(kind: "net_packet_icmpv6", type: "EchoReply", from: host, to: peer, TraceeDirection.ingress)
    try expectEchoes(namespace, filter, echo)
  }

  /// What every event of a ping test is.
  struct Echo {
    var kind: String
    var type: String
    var from: String
    var to: String
    var direction: Int

    init(kind: String, type: String, from: String, to: String, _ direction: Int) {
      (self.kind, self.type, self.from, self.to, self.direction) = (kind, type, from, to, direction)
    }
  }

  /// Captures `ping -c 3` from the namespace to this host with `filter`: one event per echo, as `echo` says.
  private func expectEchoes(_ namespace: DualStackNamespace, _ filter: String, _ echo: Echo) throws {
    var ping = 0
    let target = echo.direction == TraceeDirection.egress ? echo.to : echo.from
    let run = try LiveNetwork.capture(filter) { ping = try namespace.ping(target) }
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.events.count == Self.pings, "\(run.events.map { "\($0.name) \($0.processName) \($0.arguments)" })")
    let proto = echo.kind == "net_packet_icmp" ? "proto_icmp" : "proto_icmpv6"
    for event in run.events {
      #expect(event.name == echo.kind && event.processName == "ping" && event.processID == ping)
      #expect(event.value("src") as? String == echo.from && event.value("dst") as? String == echo.to)
      #expect(event.direction == echo.direction)
      #expect(event.value(proto, "typeCode") as? String == echo.type)
    }
    if echo.kind == "net_packet_icmp" {
      #expect(run.events.map { $0.value("proto_icmp", "seq") as? Int } == Array(1...Self.pings))
    }
  }

  // MARK: TCP and UDP (nc in the namespace to nc on this host)

  /// TCP: the server's pure ACK of each client's line (srcPort 8090, ACK 1, SYN, FIN, RST and URG 0;
  /// src .1, dst .2), leaving the server's nc and arriving at the client's nc in the namespace.
  @Test func tcpSignature() throws {
    let namespace = try DualStackNamespace()
    defer { namespace.remove() }
    let (host, peer) = (namespace.host4, namespace.peer4)
    let tcp = "net_packet_tcp.data"
    let flags = [("ACK", 1), ("RST", 0), ("URG", 0), ("SYN", 0), ("FIN", 0)]
    let filter =
      "net_packet_tcp and ps.name = 'nc' and \(tcp).src = \(host) and \(tcp).dst = \(peer) "
      + "and \(tcp).proto_tcp.srcPort = \(Self.ncPort) and "
      + flags.map { "\(tcp).proto_tcp.\($0.0) = \($0.1)" }.joined(separator: " and ")
    var server: NetcatServer?
    defer { server?.stop() }
    var clients: [Int] = []
    let run = try LiveNetwork.capture(filter) {
      let listener = try NetcatServer(.tcp, address: host, port: Self.ncPort)
      server = listener
      for n in 1...Self.clients {
        clients.append(try nc(namespace, ["-w", "1", host, String(Self.ncPort)], sending: "tcp0\(n)\n"))
      }
    }
    let listener = try #require(server)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(listener.received == (1...Self.clients).map { "tcp0\($0)\n" }.joined())
    expectPairs(run.events, server: listener.pid, clients: clients, serverSends: true, clientPort: "dst_port")
    for event in run.events {
      #expect(event.name == "net_packet_tcp")
      #expect(event.value("src") as? String == host && event.value("dst") as? String == peer)
      #expect(event.value("src_port") as? Int == Self.ncPort)
      for (flag, value) in flags + [("PSH", 0)] { #expect(event.tcpFlag(flag) == value, "\(flag)") }
    }
  }

  /// UDP: each client's datagram to port 8090 (src .2, dst .1, dstPort 8090), leaving the client's nc
  /// in the namespace and arriving at the server's nc.
  @Test func udpSignature() throws {
    let namespace = try DualStackNamespace()
    defer { namespace.remove() }
    let (host, peer) = (namespace.host4, namespace.peer4)
    let udp = "net_packet_udp.data"
    let filter = """
      net_packet_udp and ps.name = 'nc' and \(udp).src = \(peer) and \(udp).dst = \(host) \
      and \(udp).proto_udp.dstPort = \(Self.ncPort)
      """
    var server: NetcatServer?
    defer { server?.stop() }
    var clients: [Int] = []
    let run = try LiveNetwork.capture(filter) {
      let listener = try NetcatServer(.udp, address: host, port: Self.ncPort)
      server = listener
      for n in 1...Self.clients {
        clients.append(try nc(namespace, ["-w", "1", "-u", host, String(Self.ncPort)], sending: "udpmsg0\(n)\n"))
      }
    }
    let listener = try #require(server)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(listener.received == (1...Self.clients).map { "udpmsg0\($0)\n" }.joined())
    expectPairs(run.events, server: listener.pid, clients: clients, serverSends: false, clientPort: "src_port")
    for event in run.events {
      #expect(event.name == "net_packet_udp")
      #expect(event.value("src") as? String == peer && event.value("dst") as? String == host)
      #expect(event.value("dst_port") as? Int == Self.ncPort)
      #expect(event.value("proto_udp", "length") as? Int == 8 + "udpmsg01\n".utf8.count)
    }
  }

  /// `nc ARGUMENTS` in the namespace with `line` on its standard input; returns its pid.
  private func nc(_ namespace: DualStackNamespace, _ arguments: [String], sending line: String) throws -> Int {
    let client = try namespace.run(["/usr/bin/nc"] + arguments, input: line, timeout: 10)
    guard client.status == 0, !client.timedOut else {
      throw LiveNetwork.failure("nc \(arguments.joined(separator: " ")) failed with status \(client.status)")
    }
    return client.pid
  }

  /// Each packet twice, in order: leaving one nc and arriving at the other. The server's copies are all
  /// the server's (egress when it sends); the clients' copies are one per client, in order, and each
  /// pair is about the same client port.
  private func expectPairs(
    _ events: [LiveJSONEvent],
    server: Int,
    clients: [Int],
    serverSends: Bool,
    clientPort: String
  ) {
    let serverSide = serverSends ? TraceeDirection.egress : TraceeDirection.ingress
    let atServer = events.filter { $0.direction == serverSide }
    let atClients = events.filter { $0.direction != serverSide }
    #expect(events.count == 2 * clients.count, "\(events.map { "\($0.processName) \($0.arguments)" })")
    #expect(events.allSatisfy { $0.processName == "nc" })
    #expect(atServer.map(\.processID) == Array(repeating: server, count: clients.count))
    #expect(atClients.map(\.processID) == clients)
    #expect(atClients.allSatisfy { $0.direction == (serverSends ? TraceeDirection.ingress : TraceeDirection.egress) })
    let ports = atClients.map { $0.value(clientPort) as? Int }
    #expect(atServer.map { $0.value(clientPort) as? Int } == ports)
    #expect(Set(ports).count == clients.count, "one connection per client")
  }
}
