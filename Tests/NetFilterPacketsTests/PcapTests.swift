import Foundation
import NetFilter
import NetFilterEval
import NetFilterPackets
import NetFilterPcap
import NetFilterRuntime
import NetFilterSema
import NetFilterSyntax
import Testing

// Packet decoding and offline replay, checked against Wireshark.
//
// The tests write their own captures (SyntheticCaptures: the same ~70 IP packets behind five link
// types, in classic pcap, nanosecond pcap and pcapng, including truncated and malformed packets),
// record a real one on loopback with scripts/record-loopback-capture.sh, and compare what netfilter
// selects and decodes with what tshark selects (`-Y`) and decodes (`-T fields`).

// MARK: - The filter table

/// One filter in both languages. The tshark side states what Tracee (and netfilter) mean: a layer
/// exists only when its header was decoded whole, and DNS fields only when the whole message decoded
/// (gopacket decodes all or nothing), so where tshark would count a short or malformed frame the
/// pair says `!_ws.short && !_ws.malformed`.
private struct FilterPair: Sendable, CustomStringConvertible {
  let netfilter: String
  let tshark: String
  var description: String { "\(netfilter)  <->  \(tshark)" }
}

private let whole = "!_ws.short && !_ws.malformed"

private let filterTable: [FilterPair] = [
  FilterPair(netfilter: "net.l4.proto = 'TCP'", tshark: "tcp && !_ws.short"),
  FilterPair(netfilter: "net.l4.proto = 'UDP'", tshark: "udp && !(ip.frag_offset > 0)"),
  FilterPair(netfilter: "net.l4.proto = 'ICMP'", tshark: "icmp"),
  FilterPair(netfilter: "net.l4.proto = 'ICMPv6'", tshark: "icmpv6"),
  FilterPair(netfilter: "net.dport = 53", tshark: "udp.dstport == 53 || (tcp.dstport == 53 && tcp.hdr_len >= 20)"),
  FilterPair(
    netfilter: "net.sport in (80, 8080, 18080)",
    tshark: "tcp.srcport in {80, 8080, 18080} && tcp.hdr_len >= 20"
  ),
  FilterPair(netfilter: "net.dip = 8.8.8.8", tshark: "ip.dst == 8.8.8.8"),
  FilterPair(
    netfilter: "net.sip in (10.0.0.0/8, 192.168.0.0/16)",
    tshark: "ip.src == 10.0.0.0/8 || ip.src == 192.168.0.0/16"
  ),
  FilterPair(netfilter: "net.dip in (2001:db8::/32, ::1)", tshark: "ipv6.dst == 2001:db8::/32 || ipv6.dst == ::1"),
  FilterPair(netfilter: "net_packet_ipv4.data.proto_ipv4.TTL < 64", tshark: "ip.ttl < 64"),
  FilterPair(netfilter: "net_packet_ipv4.data.proto_ipv4.fragOffset > 0", tshark: "ip.frag_offset > 0"),
  FilterPair(netfilter: "net_packet_ipv6.data.proto_ipv6.hopLimit = 1", tshark: "ipv6.hlim == 1"),
  FilterPair(netfilter: "net_packet_ipv6.data.proto_ipv6.nextHeader = 'IPv6HopByHop'", tshark: "ipv6.nxt == 0"),
  FilterPair(
    netfilter: "net_packet_tcp.data.proto_tcp.SYN = 1 and net_packet_tcp.data.proto_tcp.ACK = 0",
    tshark: "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.hdr_len >= 20"
  ),
  FilterPair(
    netfilter: "net_packet_tcp.data.proto_tcp.RST = 1 or net_packet_tcp.data.proto_tcp.FIN = 1",
    tshark: "(tcp.flags.reset == 1 || tcp.flags.fin == 1) && tcp.hdr_len >= 20"
  ),
  FilterPair(netfilter: "net_packet_tcp.data.proto_tcp.dataOffset > 5", tshark: "tcp.hdr_len > 20"),
  FilterPair(netfilter: "net_packet_icmp.data.proto_icmp.typeCode = 'EchoRequest'", tshark: "icmp.type == 8"),
  FilterPair(netfilter: "net_packet_icmpv6.data.proto_icmpv6.typeCode = 'EchoReply'", tshark: "icmpv6.type == 129"),
  FilterPair(
    netfilter: "evt.name = 'net_packet_dns_request'",
    tshark: "dns.flags.response == 0 && dns.count.queries == 1"
  ),
  FilterPair(
    netfilter: "evt.name = 'net_packet_dns_response'",
    tshark: "dns.flags.response == 1 && dns.count.queries == 1"
  ),
  FilterPair(netfilter: "evt.name = 'QueryDns'", tshark: "dns.flags.response == 0 && dns.count.queries == 1"),
  FilterPair(netfilter: "evt.name = 'ReplyDns'", tshark: "dns.flags.response == 1 && dns.count.queries == 1"),
  FilterPair(
    netfilter: "net_packet_dns.data.proto_dns.questions.name = 'example.test'",
    tshark: "dns.qry.name == \"example.test\" && \(whole)"
  ),
  FilterPair(
    netfilter: "net_packet_dns.data.proto_dns.answers.IP in (93.184.216.34, 10.1.2.3)",
    tshark: "dns.a in {93.184.216.34, 10.1.2.3} && \(whole)"
  ),
  FilterPair(
    netfilter:
      "net_packet_dns.data.proto_dns.answers.type = 'MX' or net_packet_dns.data.proto_dns.additionals.type = 'MX'",
    tshark: "dns.mx.mail_exchange && \(whole)"
  ),
  FilterPair(
    netfilter: "net_packet_dns.data.proto_dns.answers.TXTs = 'v=spf1 -all'",
    tshark: "dns.txt == \"v=spf1 -all\" && \(whole)"
  ),
  FilterPair(
    netfilter: "net_packet_dns.data.proto_dns.answers.SRV.port = 5060",
    tshark: "dns.srv.port == 5060 && \(whole)"
  ),
  FilterPair(
    netfilter: "net_packet_dns.data.proto_dns.responseCode = 'non-existent domain'",
    tshark: "dns.flags.rcode == 3 && \(whole)"
  ),
  FilterPair(
    netfilter: "net_packet_http_request.data.http_request.method = 'GET'",
    tshark: "http.request.method == \"GET\""
  ),
  FilterPair(
    netfilter: "net_packet_http_response.data.http_response.status_code = 404",
    tshark: "http.response.code == 404"
  ),
  FilterPair(
    netfilter: "net_packet_http.data.proto_http.headers[Location] startswith 'http:'",
    tshark: "http.location matches \"^http:\""
  ),
  FilterPair(netfilter: "net.size > 100", tshark: "frame.len > 100"),
  FilterPair(
    netfilter: "net_packet_udp.data.proto_udp.length > 100",
    tshark: "udp.length > 100 && !(ip.frag_offset > 0)"
  ),
]

// MARK: - Tests

@Suite("Packet decoding and replay against tshark")
struct PcapTests {
  /// Every synthetic capture, plus the loopback capture committed in examples/captures.
  static let captureNames = SyntheticCaptures.names + ["examples/captures/loopback-http-dns.pcap"]

  @Test("filter counts equal tshark's", arguments: captureNames)
  func filterCountsMatchTshark(capture: String) throws {
    let tshark = try Tshark.required()
    let file = try CaptureFiles.path(for: capture)
    try compareCounts(file: file, capture: capture, tshark: tshark)
  }

  @Test("decoded values equal tshark's", arguments: captureNames)
  func decodedValuesMatchTshark(capture: String) throws {
    let tshark = try Tshark.required()
    let file = try CaptureFiles.path(for: capture)
    try compareValues(file: file, capture: capture, tshark: tshark)
  }

  @Test("a capture recorded now on loopback: counts and values equal tshark's")
  func recordedLoopbackCapture() throws {
    let tshark = try Tshark.required()
    guard getuid() == 0 else { return try skip("recording on loopback needs root") }
    for tool in ["tcpdump", "dnsmasq", "dig", "curl", "python3", "ping"] where Tools.find(tool) == nil {
      return try skip("\(tool) is not installed")
    }
    let directory = try CaptureFiles.temporaryDirectory()
    let file = directory.appendingPathComponent("recorded.pcap").path
    let script = CaptureFiles.packageRoot.appendingPathComponent("scripts/record-loopback-capture.sh").path
    // Test threads block signals, and a spawned process inherits the mask: the script could not
    // stop tcpdump with SIGINT. python3 (which the script needs anyway) clears it first.
    let unblocked =
      "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv('/bin/bash', ['bash'] + sys.argv[1:])"
    let recording = try Tools.run("python3", ["-c", unblocked, script, file])
    #expect(recording.status == 0, "record-loopback-capture.sh failed: \(recording.stderr)")
    let responses = try tshark.count(file, "dns.flags.response == 1")
    guard responses > 0 else {
      return try skip("the recording has no DNS answers (is port 53 on 127.0.0.1 taken?): \(recording.stdout)")
    }
    #expect(try tshark.count(file, "http.response.code == 404") == 1, "the recording has no 404 response")
    try compareCounts(file: file, capture: "recorded", tshark: tshark)
    try compareValues(file: file, capture: "recorded", tshark: tshark)
  }

  @Test("malformed and truncated packets are counted, never crash, and the file is read to its end")
  func malformedPacketsAreCounted() throws {
    for name in SyntheticCaptures.names {
      let capture = SyntheticCaptures.capture(named: name)
      let file = try CaptureFiles.path(for: name)
      let expectedHeaders = capture.frames.filter { $0.malformedHeader }.count
      let expectedPayloads = capture.frames.filter { $0.malformedPayload }.count
      // A filter on ports reads headers only; a DNS or HTTP payload that does not decode is
      // counted all the same (it is checked in place, without building the message).
      let shallow = try Replay.run(file, "net.dport = 53")
      #expect(shallow.status == 0, "\(name): \(shallow.stderr)")
      #expect(shallow.stats?.received == capture.frames.count, "\(name)")
      #expect(shallow.stats?.malformed == expectedHeaders + expectedPayloads, "\(name): \(shallow.stderr)")
      // A filter in the DNS message decodes it: the same count.
      let deep = try Replay.run(file, "net_packet_dns.data.proto_dns.ID >= 0")
      #expect(deep.stats?.received == capture.frames.count, "\(name)")
      #expect(deep.stats?.malformed == expectedHeaders + expectedPayloads, "\(name)")
      #expect(expectedHeaders >= 8 && expectedPayloads >= 4, "the capture has malformed packets of both kinds")
      // Every packet, damaged or not, can be printed.
      let all = try Replay.run(file, "evt.time.ns >= 0")
      #expect(all.stdout.split(separator: "\n").count == capture.frames.count, "\(name)")
    }
  }

  @Test("a corrupted record header is an error, and what was read before it is kept")
  func corruptedRecordHeader() throws {
    let directory = try CaptureFiles.temporaryDirectory()
    let good = SyntheticCaptures.capture(named: "ethernet.pcap")
    let frames = Array(good.frames.prefix(12))
    var data = PcapFile.classic(linkType: 1, frames: frames, nanoseconds: false)
    // A record header claiming 4 GiB, then the rest of the capture.
    data += le32(1_700_000_100) + le32(0) + le32(0xFFFF_FFF0) + le32(0xFFFF_FFF0)
    data += PcapFile.classic(linkType: 1, frames: good.frames, nanoseconds: false).dropFirst(24)
    let file = directory.appendingPathComponent("corrupt.pcap").path
    try Data(data).write(to: URL(fileURLWithPath: file))
    let out = directory.appendingPathComponent("kept.pcap").path
    let result = try Replay.run(file, "net.size > 0", write: out)
    #expect(result.stderr.contains("error"), "the damage is reported: \(result.stderr)")
    #expect(result.stats?.received == 12)
    #expect(result.stats?.matched == 12)
    #expect(result.stdout.split(separator: "\n").count == 12, "the events before the damage are printed")
    let kept = try PcapContents.read(out)
    #expect(kept.map(\.bytes) == frames.map(\.captured), "--write kept the packets before the damage")

    // A file that ends inside a record.
    let cut = directory.appendingPathComponent("cut.pcap").path
    let whole = PcapFile.classic(linkType: 1, frames: frames, nanoseconds: false)
    try Data(whole.dropLast(7)).write(to: URL(fileURLWithPath: cut))
    let truncated = try Replay.run(cut, "net.size > 0")
    #expect(truncated.stderr.contains("error"), "\(truncated.stderr)")
    #expect(truncated.stats?.received == 11)
    #expect(truncated.stdout.split(separator: "\n").count == 11)
  }

  @Test("--write saves exactly the matching packets", arguments: ["ethernet.pcap", "linux-sll2.pcapng"])
  func writeSavesMatchingPackets(capture: String) throws {
    let file = try CaptureFiles.path(for: capture)
    let out = try CaptureFiles.temporaryDirectory().appendingPathComponent("dns.pcap").path
    let filter = "net.dport = 53 or net.sport = 53"
    let result = try Replay.run(file, filter, write: out)
    #expect(result.status == 0, "\(result.stderr)")
    let written = try PcapContents.read(out)
    let source = try PcapContents.read(file)
    let expected = source.filter { record in
      let event = PacketEvent(
        bytes: record.bytes,
        record: (record.timestamp, record.originalLength),
        linkType: record.linkType,
        decodeApplication: false
      )
      return event.packet.transport != .none && (event.packet.sourcePort == 53 || event.packet.destinationPort == 53)
    }
    #expect(written.count == result.stats?.matched)
    #expect(written.map(\.bytes) == expected.map(\.bytes))
    #expect(written.map(\.timestamp) == expected.map(\.timestamp), "timestamps keep their nanoseconds")
    #expect(written.map(\.originalLength) == expected.map(\.originalLength))
    #expect(written.allSatisfy { $0.linkType == source.first?.linkType })
    if Tools.find("tcpdump") != nil {
      let read = try Tools.run("tcpdump", ["-n", "-r", out])
      #expect(read.stdout.split(separator: "\n").count == expected.count, "tcpdump reads the written file")
    }
  }

  @Test("--output table: a header, then one row per matching packet with its destination last")
  func tableOutputHasOneRowPerMatchingPacket() throws {
    let file = try CaptureFiles.path(for: "ethernet.pcap")
    let result = try Replay.run(file, "net.dport = 53", table: true)
    #expect(result.status == 0, "\(result.stderr)")
    let matched = try #require(result.stats?.matched)
    #expect(matched > 0)
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == matched + 1)
    #expect(lines.first?.hasPrefix("EVENT") == true)
    for row in lines.dropFirst() {
      #expect(row.hasPrefix("net_packet_") && row.hasSuffix(":53"), "\(row)")
    }
  }

  @Test("--events gives Tracee's one event per kind")
  func eventsGivesOneEventPerKind() throws {
    let file = try CaptureFiles.path(for: "ethernet.pcap")
    let capture = SyntheticCaptures.capture(named: "ethernet.pcap")
    let result = try Replay.run(file, "net.size > 0", events: "net_packet_tcp,net_packet_dns")
    #expect(result.status == 0, "\(result.stderr)")
    let events = try result.stdout.split(separator: "\n").map { try JSONLine(String($0)) }
    let expected = capture.frames.flatMap { frame -> [(name: String, frame: Frame)] in
      let event = frame.decoded(linkType: capture.linkType)
      return ["net_packet_tcp", "net_packet_dns"].filter { event.kind.isA($0) }.map { ($0, frame) }
    }
    #expect(events.map(\.eventName) == expected.map(\.name))
    #expect(expected.contains { $0.name == "net_packet_tcp" } && expected.contains { $0.name == "net_packet_dns" })
    for (event, (_, frame)) in zip(events, expected) {
      #expect(event.argsNum == event.argumentNames.count, "\(event.eventName): argsNum")
      switch event.eventName {
      case "net_packet_tcp":
        #expect(
          event.argumentNames == ["src", "dst", "src_port", "dst_port", "metadata", "proto_tcp"],
          "\(frame.note)"
        )
      default:
        // A DNS message that does not decode keeps its addresses, ports and metadata (one with a
        // malformed record decodes).
        let decoded = frame.decoded(linkType: capture.linkType, application: true)
        let message: Bool = if case .dns? = decoded.application { true } else { false }
        #expect(message || frame.malformedPayload, "\(frame.note)")
        let arguments = ["src", "dst", "src_port", "dst_port", "metadata"] + (message ? ["proto_dns"] : [])
        #expect(event.argumentNames == arguments, "\(frame.note)")
      }
    }
    // A DNS query over TCP is both: one event of each kind.
    let overTCP = try Replay.run(
      file,
      "net.l4.proto = 'TCP' and net.dport = 53",
      events: "net_packet_tcp,net_packet_dns"
    )
    let names = try overTCP.stdout.split(separator: "\n").map { try JSONLine(String($0)).eventName }
    #expect(names.filter { $0 == "net_packet_dns" }.count >= 1)
    #expect(
      names.filter { $0 == "net_packet_tcp" }.count == names.filter { $0 == "net_packet_dns" }.count + 1,
      "\(names)"
    )
    // The filter sees the one kind each event stands for.
    let onlyDNS = try Replay.run(
      file,
      "evt.name = 'net_packet_dns'",
      events: "net_packet_tcp,net_packet_dns"
    )
    #expect(onlyDNS.stats?.matched == expected.filter { $0.name == "net_packet_dns" }.count)
  }

  @Test("an unsupported link type is a usage error")
  func unsupportedLinkType() throws {
    let directory = try CaptureFiles.temporaryDirectory()
    let file = directory.appendingPathComponent("wifi.pcap").path
    let frame = Frame(captured: [UInt8](repeating: 0, count: 24), originalLength: 24, note: "802.11")
    try Data(PcapFile.classic(linkType: 105, frames: [frame], nanoseconds: false)).write(to: URL(fileURLWithPath: file))
    let result = try Replay.run(file, "net.dport = 53")
    #expect(result.status == 64)
    #expect(result.stderr.contains("link type 105"), "\(result.stderr)")
  }

  @Test(
    "the JSON written directly equals the argument tree, for every packet and every kind",
    arguments: SyntheticCaptures.names
  )
  func jsonTextEqualsTree(capture: String) throws {
    let synthetic = SyntheticCaptures.capture(named: capture)
    for frame in synthetic.frames {
      let event = frame.decoded(linkType: synthetic.linkType, application: true)
      let views = [event] + event.kind.kinds.filter { $0.hasPrefix("net_packet_") }.map { event.viewed(as: $0) }
      for view in views {
        let text = String(decoding: view.traceeJSONText(hostName: "h\"ost"), as: UTF8.self)
        #expect(text == view.traceeJSON(hostName: "h\"ost").serialized, "\(frame.note) as \(view.name)")
      }
    }
  }

  @Test("hostile shapes: a filter sees what tshark and tcpdump see", arguments: ["ethernet.pcap", "linux-sll2.pcapng"])
  func hostileShapesAreVisible(capture: String) throws {
    let tshark = try Tshark.required()
    let file = try CaptureFiles.path(for: capture)
    // (netfilter filter, tshark filter or nil, the frames netfilter must match)
    let cases: [(String, String?, Int)] = [
      // A payload that does not decode: the packet keeps its addresses and ports.
      ("net.dport = 53 and net.sport = 50010", "udp.dstport == 53 && udp.srcport == 50010", 1),
      ("net_packet_dns_request.data.metadata.src_port = 50010", "dns.flags.response == 0 && udp.srcport == 50010", 1),
      (
        "net_packet_dns.data.dst_port = 53 and net_packet_dns.data.src = 192.168.1.10",
        "dns && ip.src == 192.168.1.10 && (udp.dstport == 53 || tcp.dstport == 53)", 5
      ),
      ("net_packet_http_response.data.metadata.dst_port = 40001", nil, 3),
      // More than 512 records: the last answer of 600.
      ("net_packet_dns.data.proto_dns.answers.IP = 10.2.2.87", "dns.a == 10.2.2.87", 1),
      ("dns.answers = '10.2.0.0' and dns.name = 'many.example.test'", "dns.a == 10.2.0.0", 1),
      // A forward compression pointer.
      ("net_packet_dns.data.proto_dns.questions.name = 'fwd.example.test'", "dns.qry.name == \"fwd.example.test\"", 1),
      (
        "net_packet_dns.data.proto_dns.answers.CNAME = 'www.fwd.example.test'", "dns.cname == \"www.fwd.example.test\"",
        1
      ),
      // An A record of 16 bytes is no IPv6 answer (tshark reads its first 4 bytes as an IPv4
      // address); the good record after it is seen.
      ("net_packet_dns.data.proto_dns.answers.IP = 2001:db8::a", nil, 0),
      ("net_packet_dns_response.data.dns_response.dns_answer.answer = '2001:db8::a'", nil, 0),
      ("net_packet_dns.data.proto_dns.answers.IP = 192.0.2.11", nil, 1),
      // HTTP: a request line of 9 KiB, ESC in the path, Host after 101 headers.
      ("net_packet_http_request.data.http_request.host = 'long.example.test'", "http.host == \"long.example.test\"", 1),
      ("net_packet_http_request.data.http_request.host = 'esc.example.test'", "http.host == \"esc.example.test\"", 1),
      ("net_packet_http.data.proto_http.uri_path startswith '/a'", "http.request.uri matches \"^/a\"", 3),
      ("net_packet_http_request.data.http_request.host = 'late.example.test'", "http.host == \"late.example.test\"", 1),
      // IPv6: ten extension headers; a Shim6 header.
      ("net.sport = 40011 and net.dport = 443", "tcp.srcport == 40011 && tcp.dstport == 443", 1),
      ("net.sport = 40012 and net.dport = 443", "tcp.srcport == 40012 && tcp.dstport == 443", 1),
      // Tiny first fragments, IPv4 and IPv6: the ports, not the flags.
      ("net.dport = 22", "tcp.dstport == 22", 2),
      ("net.dport = 22 and net_packet_tcp.data.proto_tcp.SYN = 1", "tcp.dstport == 22 && tcp.flags.syn == 1", 0),
      ("net.dport = 22 and net_packet_tcp.data.proto_tcp.SYN = 0", "tcp.dstport == 22 && tcp.flags.syn == 0", 0),
    ]
    for (ours, theirs, expected) in cases {
      let run = try Replay.run(file, ours)
      #expect(run.status == 0, "\(ours): \(run.stderr)")
      #expect(run.stats?.matched == expected, "\(capture): \(ours)")
      if let theirs { #expect(try tshark.count(file, theirs) == expected, "\(capture): tshark \(theirs)") }
    }
    // tcpdump matches the IPv4 tiny fragment by its ports too.
    if Tools.find("tcpdump") != nil {
      let tcpdump = try Tools.run("tcpdump", ["-n", "-r", file, "ip and tcp dst port 22"])
      let ours = try Replay.run(
        file,
        "net.dport = 22 and net.l4.proto = 'TCP' and net_packet_ipv4.data.src = 192.168.1.10"
      )
      #expect(tcpdump.stdout.split(separator: "\n").count == 1 && ours.stats?.matched == 1, "\(tcpdump.stdout)")
    }
    // The query that does not decode is counted as malformed by a filter on its port, and its
    // event carries its addresses and ports (Tracee's PktMeta and the layer's arguments).
    let synthetic = SyntheticCaptures.capture(named: capture)
    let damaged = synthetic.frames.filter { $0.malformedHeader || $0.malformedPayload }.count
    let run = try Replay.run(
      file,
      "net.dport = 53 and net.sport = 50010",
      events: "net_packet_dns,net_packet_dns_request"
    )
    #expect(run.stats?.malformed == damaged, "\(run.stderr)")
    let events = try run.stdout.split(separator: "\n").map { try JSONLine(String($0)) }
    #expect(events.map(\.eventName) == ["net_packet_dns", "net_packet_dns_request"])
    #expect(events.map(\.argumentNames) == [["src", "dst", "src_port", "dst_port", "metadata"], ["metadata"]])
    // ESC stays in the path byte for byte, and the JSON escapes it.
    let escape = try Replay.run(file, "net_packet_http_request.data.http_request.host = 'esc.example.test'")
    #expect(escape.stdout.contains("\"uri_path\":\"/a\\u001b[31mb\""), "\(escape.stdout)")
  }

  // MARK: Comparisons

  func compareCounts(file: String, capture: String, tshark: Tshark) throws {
    var rows: [String] = []
    var nonzero = 0
    for pair in filterTable {
      let ours = try Replay.run(file, pair.netfilter)
      #expect(ours.status == 0, "\(pair.netfilter): \(ours.stderr)")
      let theirs = try tshark.count(file, pair.tshark)
      let matched = ours.stats?.matched ?? -1
      #expect(matched == theirs, "\(capture): \(pair) — netfilter \(matched), tshark \(theirs)")
      #expect(
        ours.stdout.split(separator: "\n").count == matched,
        "\(capture): \(pair.netfilter): one JSON line per match"
      )
      if theirs > 0 { nonzero += 1 }
      rows.append(
        "\(matched == theirs ? "ok  " : "DIFF") \(pad(String(matched), 5)) \(pad(String(theirs), 5))  \(pair.netfilter)  <->  \(pair.tshark)"
      )
    }
    print(
      "[PcapTests] \(capture): netfilter vs tshark -Y counts\n        netf  tshark\n"
        + rows.map { "  " + $0 }.joined(separator: "\n")
    )
    #expect(nonzero >= 12, "\(capture): at least 12 filters select something (\(nonzero))")
  }

  /// `packets`: the tshark filter that selects the packets (pcapng custom blocks are frames to
  /// tshark).
  func compareValues(file: String, capture: String, tshark: Tshark, packets: String? = nil) throws {
    let columns = ValueCheck.all.flatMap(\.tsharkFields)
    let rows = try tshark.fields(file, columns, filter: packets)
    let records = try PcapContents.read(file)
    #expect(rows.count == records.count, "\(capture): one tshark row per frame")
    var compared = [String: Int]()
    var damaged = 0
    for (index, record) in records.enumerated() where index < rows.count {
      let event = PacketEvent(
        bytes: record.bytes,
        record: (record.timestamp, record.originalLength),
        linkType: record.linkType,
        decodeApplication: true
      )
      // A damaged layer is absent in netfilter (as in Tracee) while tshark shows what it could
      // read of it: those frames are compared by count only.
      if event.isMalformed {
        damaged += 1
        continue
      }
      var row = [String: [String]]()
      for (column, name) in columns.enumerated() where column < rows[index].count {
        let cell = rows[index][column]
        row[name] = cell.isEmpty ? [] : cell.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      }
      for check in ValueCheck.all {
        guard let (ours, theirs) = check.compare(event, row) else { continue }
        compared[check.name, default: 0] += 1
        #expect(ours == theirs, "\(capture) frame \(index + 1): \(check.name): netfilter \(ours), tshark \(theirs)")
      }
    }
    print(
      "[PcapTests] \(capture): \(records.count) frames (\(damaged) damaged, skipped); frames compared with tshark -T fields, by value: "
        + compared.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    )
    if capture != "recorded" && !capture.hasPrefix("examples/") {
      for check in ValueCheck.all where check.requiredInSynthetic {
        #expect(compared[check.name, default: 0] > 0, "\(capture): no frame compared \(check.name)")
      }
    }
  }
}

func skip(_ reason: String) throws {
  print("[PcapTests] SKIPPED: \(reason)")
  try Test.cancel("\(reason)")
}

private func pad(_ text: String, _ width: Int) -> String {
  String(repeating: " ", count: max(0, width - text.count)) + text
}

// MARK: - Decoded values, field by field

/// One decoded value, read from netfilter's fields and from tshark's: `compare` returns both sides
/// normalized to strings (nil when the frame has neither).
private struct ValueCheck: Sendable {
  let name: String
  let tsharkFields: [String]
  var requiredInSynthetic = true
  let compare: @Sendable (PacketEvent, [String: [String]]) -> (ours: [String], theirs: [String])?

  static func field(_ name: String, argument: String? = nil) -> FieldBinding {
    guard let descriptor = Schema.network.field(named: name) else { fatalError("no field \(name)") }
    return FieldBinding(descriptor, argument: argument)
  }

  /// The value as strings (addresses and numbers in their text form).
  static func strings(_ value: FieldValue) -> [String] {
    switch value {
    case .missing: []
    case .bool(let v): [v ? "1" : "0"]
    case .uint(let v): [String(v)]
    case .int(let v): [String(v)]
    case .double(let v): [String(v)]
    case .string(let v): [v]
    case .ip(let v): [v.description]
    case .strings(let v): v
    case .ips(let v): v.map(\.description)
    case .uints(let v): v.map(String.init)
    }
  }

  static func ours(_ event: PacketEvent, _ names: [String], argument: String? = nil) -> [String] {
    names.flatMap { strings(event.lookup(field($0, argument: argument))) }
  }

  /// tshark numbers in hex ("0x1234") as decimal.
  static func decimal(_ text: String) -> String {
    text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16).map(String.init) ?? text : text
  }

  /// The same field of the answer, authority and additional sections (tshark's `dns.*` fields
  /// cover all three).
  static func sections(_ member: String) -> [String] {
    ["answers", "authorities", "additionals"].map { "net_packet_dns.data.proto_dns.\($0).\(member)" }
  }

  /// A plain comparison: netfilter `names` against tshark `fields`, skipping frames with neither.
  /// `skipEmpty`: Tracee's DNS records carry every member ("" and 0 where the type has none), and
  /// an HTTP response has method "": those are not values tshark shows.
  static func simple(
    _ name: String,
    _ names: [String],
    _ fields: [String],
    argument: String? = nil,
    required: Bool = true,
    skipEmpty: Bool = false,
    normalize: @escaping @Sendable (String) -> String = { $0 }
  ) -> ValueCheck {
    ValueCheck(name: name, tsharkFields: fields, requiredInSynthetic: required) { event, row in
      let ours = ValueCheck.ours(event, names, argument: argument).filter { !skipEmpty || ($0 != "" && $0 != "0") }
      let theirs = fields.flatMap { row[$0] ?? [] }.map(normalize)
      return ours.isEmpty && theirs.isEmpty ? nil : (ours, theirs)
    }
  }

  static let icmpNames: [String: String] = [
    "0/0": "EchoReply", "8/0": "EchoRequest", "13/0": "TimestampRequest", "14/0": "TimestampReply",
    "128/0": "EchoRequest", "129/0": "EchoReply", "135/0": "NeighborSolicitation", "136/0": "NeighborAdvertisement",
  ]

  static let all: [ValueCheck] = [
    simple("source address", ["net.sip"], ["ip.src", "ipv6.src"]),
    simple("destination address", ["net.dip"], ["ip.dst", "ipv6.dst"]),
    simple("ports", ["net.sport", "net.dport"], ["tcp.srcport", "udp.srcport", "tcp.dstport", "udp.dstport"]),
    simple("frame length", ["net.size"], ["frame.len"]),
    simple("IPv4 TTL", ["net_packet_ipv4.data.proto_ipv4.TTL"], ["ip.ttl"]),
    simple("IPv4 id", ["net_packet_ipv4.data.proto_ipv4.id"], ["ip.id"], normalize: decimal),
    simple("IPv4 fragment offset", ["net_packet_ipv4.data.proto_ipv4.fragOffset"], ["ip.frag_offset"]),
    simple("IPv6 hop limit", ["net_packet_ipv6.data.proto_ipv6.hopLimit"], ["ipv6.hlim"]),
    simple("IPv6 flow label", ["net_packet_ipv6.data.proto_ipv6.flowLabel"], ["ipv6.flow"], normalize: decimal),
    ValueCheck(name: "TCP flags", tsharkFields: ["tcp.flags"]) { event, row in
      let names = TCPFlagNames.all.map { "net_packet_tcp.data.proto_tcp.\($0)" }
      let bits = names.map { ValueCheck.ours(event, [$0]) }
      guard let theirs = row["tcp.flags"], !theirs.isEmpty || bits.contains(where: { !$0.isEmpty }) else { return nil }
      var flags = 0
      for (bit, value) in bits.enumerated() where value == ["1"] { flags |= 1 << bit }
      let ours = bits.allSatisfy { !$0.isEmpty } ? [String(flags)] : []
      return (ours, theirs.map(ValueCheck.decimal))
    },
    simple("TCP sequence", ["net_packet_tcp.data.proto_tcp.seq"], ["tcp.seq_raw"]),
    simple("TCP window", ["net_packet_tcp.data.proto_tcp.window"], ["tcp.window_size_value"]),
    simple("UDP length", ["net_packet_udp.data.proto_udp.length"], ["udp.length"]),
    ValueCheck(name: "ICMP type", tsharkFields: ["icmp.type", "icmp.code", "icmpv6.type", "icmpv6.code"]) {
      event,
      row in
      let ours = ValueCheck.ours(
        event,
        ["net_packet_icmp.data.proto_icmp.typeCode", "net_packet_icmpv6.data.proto_icmpv6.typeCode"]
      )
      let type = (row["icmp.type"] ?? []) + (row["icmpv6.type"] ?? [])
      let code = (row["icmp.code"] ?? []) + (row["icmpv6.code"] ?? [])
      guard !ours.isEmpty || !type.isEmpty else { return nil }
      let theirs = zip(type, code).map { ValueCheck.icmpNames["\($0)/\($1)"] ?? "\($0)/\($1)" }
      return (ours, theirs)
    },
    simple(
      "ICMP echo id and sequence",
      ["net_packet_icmp.data.proto_icmp.id", "net_packet_icmp.data.proto_icmp.seq"],
      ["icmp.ident", "icmp.seq"]
    ),
    simple("DNS id", ["net_packet_dns.data.proto_dns.ID"], ["dns.id"], normalize: decimal),
    simple("DNS question names", ["net_packet_dns.data.proto_dns.questions.name"], ["dns.qry.name"]),
    ValueCheck(name: "DNS A answers", tsharkFields: ["dns.a"]) { event, row in
      let ours = ValueCheck.ours(event, ValueCheck.sections("IP")).filter { !$0.contains(":") }
      let theirs = row["dns.a"] ?? []
      return ours.isEmpty && theirs.isEmpty ? nil : (ours, theirs)
    },
    ValueCheck(name: "DNS AAAA answers", tsharkFields: ["dns.aaaa"]) { event, row in
      let ours = ValueCheck.ours(event, ValueCheck.sections("IP")).filter { $0.contains(":") }
      let theirs = row["dns.aaaa"] ?? []
      return ours.isEmpty && theirs.isEmpty ? nil : (ours, theirs)
    },
    simple("DNS MX", sections("MX.name"), ["dns.mx.mail_exchange"], skipEmpty: true),
    simple("DNS TXT", sections("TXTs"), ["dns.txt"]),
    simple("DNS SRV port", sections("SRV.port"), ["dns.srv.port"], skipEmpty: true),
    simple("DNS NS", sections("NS"), ["dns.ns"], skipEmpty: true),
    simple("DNS PTR", sections("PTR"), ["dns.ptr.domain_name"], skipEmpty: true),
    simple("DNS CNAME", sections("CNAME"), ["dns.cname"], skipEmpty: true),
    simple("DNS SOA", sections("SOA.MName"), ["dns.soa.mname"], skipEmpty: true),
    simple("DNS answer count", ["net_packet_dns.data.proto_dns.ANCount"], ["dns.count.answers"]),
    simple("HTTP method", ["net_packet_http.data.proto_http.method"], ["http.request.method"], skipEmpty: true),
    simple("HTTP status", ["net_packet_http_response.data.http_response.status_code"], ["http.response.code"]),
    simple("HTTP Location", ["net_packet_http.data.proto_http.headers"], ["http.location"], argument: "Location"),
    simple("HTTP Host", ["net_packet_http_request.data.http_request.host"], ["http.host"]),
  ]
}

/// The TCP flag members of `proto_tcp`, FIN (bit 0) first.
private enum TCPFlagNames {
  static let all = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"]
}

// MARK: - Running netfilter and tshark

/// What one in-process `netfilter` run printed.
struct RunResult {
  var status: Int32
  var stdout: String
  var stderr: String

  /// The `--stats` line.
  struct Stats: Decodable {
    var received: Int
    var matched: Int
    var malformed: Int
  }

  var stats: Stats? {
    guard let line = stderr.split(separator: "\n").last(where: { $0.hasPrefix("{\"received\"") }) else { return nil }
    return try? JSONDecoder().decode(Stats.self, from: Data(line.utf8))
  }
}

final class Collected: @unchecked Sendable {
  private let lock = NSLock()
  private var text = ""
  func append(_ more: String) { lock.withLock { text += more } }
  var value: String { lock.withLock { text } }
}

/// Replays captures through the runtime library, as `netfilter run --pcap FILE --output json
/// --stats` does (the same pipeline and sinks, without the command line).
enum Replay {
  /// What `netfilter run --pcap file [options] filter` prints: JSON lines (or a table), and the
  /// reports and `--stats` line on standard error; status 1 for a filter that does not compile.
  static func run(
    _ file: String,
    _ filter: String,
    write: String? = nil,
    table: Bool = false,
    events: String? = nil
  ) throws -> RunResult {
    let err = Collected()
    let out = Collected()
    let compiled: Filter
    do { compiled = try Environment().compile(filter) } catch {
      return RunResult(status: 1, stdout: "", stderr: "\(error.diagnostics)")
    }
    var pipeline = compiled.pipeline(over: .pcap(path: file, write: write))
    pipeline.report = { err.append($0 + "\n") }
    if let events { pipeline.selection = try EventSelection(events, socketEvents: false) }
    let output = ByteOutput { bytes in out.append(String(decoding: bytes, as: UTF8.self)) }
    let sink: EventSink = table ? TableSink(output: output) : JSONLinesSink(output: output, hostName: "test")
    var counters = PipelineCounters()
    var status: Int32 = 0
    do { try pipeline.run(into: sink, stop: StopToken(), counters: &counters) } catch {
      err.append("error: \(error.message)\n")
      status = error.kind == .configuration ? 64 : 1
    }
    err.append(counters.json + "\n")
    return RunResult(status: status, stdout: out.value, stderr: err.value)
  }
}

/// One line of `--output json`.
private struct JSONLine {
  let eventName: String
  let argsNum: Int
  let argumentNames: [String]

  init(_ line: String) throws {
    let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
    eventName = object["eventName"] as? String ?? ""
    argsNum = object["argsNum"] as? Int ?? -1
    argumentNames = (object["args"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
  }
}

enum Tools {
  static func find(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in (path + ":/usr/sbin:/sbin:/usr/bin:/bin").split(separator: ":") {
      let candidate = "\(directory)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  struct Output {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  static func run(_ tool: String, _ arguments: [String]) throws -> Output {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool.hasPrefix("/") ? tool : find(tool) ?? tool)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes while the tool runs, so that neither fills up.
    let errorText = Collected()
    let done = DispatchGroup()
    done.enter()
    DispatchQueue.global().async {
      errorText.append(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
      done.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    done.wait()
    return Output(
      status: process.terminationStatus,
      stdout: String(decoding: outData, as: UTF8.self),
      stderr: errorText.value
    )
  }
}

/// tshark, with the preferences that make it decode the way Tracee does: no TCP reassembly, no IP
/// defragmentation (each packet on its own), HTTP also on the loopback capture's port 18080.
struct Tshark {
  let path: String

  static func required() throws -> Tshark {
    guard let path = Tools.find("tshark") else {
      try skip("tshark is not installed (apt-get install tshark)")
      fatalError()
    }
    return Tshark(path: path)
  }

  private var options: [String] {
    [
      "-n", "-o", "tcp.desegment_tcp_streams:FALSE", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
      "-o", "tcp.analyze_sequence_numbers:FALSE", "-d", "tcp.port==18080,http",
    ]
  }

  /// How many frames `filter` selects (`tshark -r FILE -Y FILTER`). stderr (with its "Running as
  /// user root" warning) is kept apart.
  func count(_ file: String, _ filter: String) throws -> Int {
    let result = try Tools.run(path, ["-r", file] + options + ["-Y", filter, "-T", "fields", "-e", "frame.number"])
    #expect(result.status == 0, "tshark -Y '\(filter)': \(result.stderr)")
    return result.stdout.split(separator: "\n").count
  }

  /// One row per frame (of those `filter` selects), one cell per field (several values joined by ",").
  func fields(_ file: String, _ fields: [String], filter: String? = nil) throws -> [[String]] {
    var arguments =
      ["-r", file] + options + ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]
    if let filter { arguments += ["-Y", filter] }
    for field in fields { arguments += ["-e", field] }
    let result = try Tools.run(path, arguments)
    #expect(result.status == 0, "tshark -T fields: \(result.stderr)")
    return result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
      .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
  }
}

// MARK: - Capture files

enum CaptureFiles {
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// One directory for the whole test run, removed when the process exits.
  private static let directory: URL = {
    let url = runDirectory()
    try? FileManager.default.removeItem(at: url)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: CaptureFiles.runDirectory()) }
    return url
  }()

  private static func runDirectory() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("netfilter-pcap-\(getpid())")
  }

  /// A new, empty directory under the run's directory.
  static func temporaryDirectory() throws -> URL {
    let url = directory.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// The path of a capture: a synthetic one written now, or a file of the package.
  static func path(for name: String) throws -> String {
    if name.contains("/") { return packageRoot.appendingPathComponent(name).path }
    let url = try temporaryDirectory().appendingPathComponent(name)
    try Data(SyntheticCaptures.capture(named: name).fileBytes).write(to: url)
    return url.path
  }
}

/// The records of a pcap or pcapng file, read with NetFilterPcap.
enum PcapContents {
  struct Record {
    var bytes: [UInt8]
    var timestamp: UInt64
    var originalLength: Int
    var linkType: Int32
  }

  static func read(_ path: String) throws -> [Record] {
    let reader = try PcapReader(path: path)
    var records: [Record] = []
    var buffer: [UInt8] = []
    while true {
      let record: PacketRecord?
      do { record = try reader.next(into: &buffer) } catch { break }
      guard let record else { break }
      records.append(
        Record(
          bytes: buffer,
          timestamp: record.timestamp,
          originalLength: record.originalLength,
          linkType: record.linkType
        )
      )
    }
    return records
  }
}
