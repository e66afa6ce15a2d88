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

// MARK: - Synthetic captures

/// One frame of a capture: the bytes captured (possibly fewer than on the wire).
struct Frame: Sendable {
  var captured: [UInt8]
  var originalLength: Int
  var note: String
  /// Whether netfilter's header decoders report this frame damaged.
  var malformedHeader = false
  /// Whether the frame is DNS or HTTP whose message does not decode (or DNS with a malformed
  /// record).
  var malformedPayload = false

  func decoded(linkType: Int32, application: Bool = false) -> PacketEvent {
    PacketEvent(bytes: captured, record: (1, originalLength), linkType: linkType, decodeApplication: application)
  }
}

private struct Capture: Sendable {
  var name: String
  var linkType: Int32
  var frames: [Frame]
  var fileBytes: [UInt8]
}

/// An IP packet before its link-layer header, and how it is damaged.
struct IPPacket: Sendable {
  var bytes: [UInt8]
  var v6: Bool
  var note: String
  /// Capture only this many bytes of the IP packet.
  var keep: Int?
  var malformedHeader = false
  var malformedPayload = false
}

private enum SyntheticCaptures {
  static let names = ["ethernet.pcap", "linux-sll.pcap", "linux-sll2.pcapng", "null.pcap", "raw.pcap"]

  static func capture(named name: String) -> Capture {
    switch name {
    case "ethernet.pcap": build(name, linkType: 1, format: .classic) { packet, index in Link.ethernet(packet, index) }
    case "linux-sll.pcap":
      build(name, linkType: 113, format: .nanoseconds) { packet, index in Link.cooked(packet, index) }
    case "linux-sll2.pcapng":
      build(name, linkType: 276, format: .pcapng) { packet, index in Link.cooked2(packet, index) }
    case "null.pcap": build(name, linkType: 0, format: .bigEndian) { packet, index in Link.null(packet, index) }
    default: build(name, linkType: 101, format: .classic) { packet, _ in packet.bytes }
    }
  }

  enum Format { case classic, nanoseconds, bigEndian, pcapng }

  private static func build(_ name: String, linkType: Int32, format: Format, wrap: (IPPacket, Int) -> [UInt8])
    -> Capture
  {
    var frames: [Frame] = []
    for (index, packet) in Packets.all.enumerated() {
      let frame = wrap(packet, index)
      let header = frame.count - packet.bytes.count
      let captured = packet.keep.map { Array(frame.prefix(header + $0)) } ?? frame
      frames.append(
        Frame(
          captured: captured,
          originalLength: frame.count,
          note: packet.note,
          malformedHeader: packet.malformedHeader,
          malformedPayload: packet.malformedPayload
        )
      )
    }
    // Frames the link layer itself damages or does not carry IP in.
    let sample = wrap(Packets.all[0], 0)
    let linkHeader = sample.count - Packets.all[0].bytes.count
    if linkHeader > 0 {
      frames.append(
        Frame(
          captured: Array(sample.prefix(linkHeader / 2)),
          originalLength: sample.count,
          note: "link header cut",
          malformedHeader: true
        )
      )
      if let arp = Link.arp(linkType) { frames.append(Frame(captured: arp, originalLength: arp.count, note: "ARP")) }
    } else {
      frames.append(
        Frame(
          captured: Array(sample.prefix(3)),
          originalLength: sample.count,
          note: "IP header cut to 3 bytes",
          malformedHeader: true
        )
      )
    }
    frames.append(Frame(captured: [], originalLength: 60, note: "nothing captured", malformedHeader: true))
    let fileBytes: [UInt8] =
      switch format {
      case .classic: PcapFile.classic(linkType: linkType, frames: frames, nanoseconds: false)
      case .nanoseconds: PcapFile.classic(linkType: linkType, frames: frames, nanoseconds: true)
      case .bigEndian: PcapFile.classic(linkType: linkType, frames: frames, nanoseconds: false, bigEndian: true)
      case .pcapng: PcapFile.pcapng(linkType: linkType, frames: frames)
      }
    return Capture(name: name, linkType: linkType, frames: frames, fileBytes: fileBytes)
  }
}

/// The link-layer headers.
enum Link {
  static let macA: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0A]
  static let macB: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0B]

  static func etherType(_ packet: IPPacket) -> UInt16 { packet.v6 ? 0x86DD : 0x0800 }

  /// Ethernet; every fifth packet has an 802.1Q tag, every seventh an 802.1ad and an 802.1Q tag.
  static func ethernet(_ packet: IPPacket, _ index: Int) -> [UInt8] {
    var header = (index % 2 == 0 ? macA + macB : macB + macA)
    if index % 7 == 3 {
      header += be16(0x88A8) + be16(100) + be16(0x8100) + be16(200)
    } else if index % 5 == 1 {
      header += be16(0x8100) + be16(UInt16(0x2000 | index))
    }
    return header + be16(etherType(packet)) + packet.bytes
  }

  /// Linux cooked capture v1: incoming and outgoing in turn.
  static func cooked(_ packet: IPPacket, _ index: Int) -> [UInt8] {
    be16(index % 2 == 0 ? 0 : 4) + be16(1) + be16(6) + macA + [0, 0] + be16(etherType(packet)) + packet.bytes
  }

  /// Linux cooked capture v2.
  static func cooked2(_ packet: IPPacket, _ index: Int) -> [UInt8] {
    be16(etherType(packet)) + be16(0) + be32(2) + be16(1) + [index % 2 == 0 ? 0 : 4, 6] + macB + [0, 0] + packet.bytes
  }

  /// BSD loopback: the address family in the capturing host's byte order (little-endian here);
  /// IPv6 as each BSD numbers it.
  static func null(_ packet: IPPacket, _ index: Int) -> [UInt8] {
    let family: UInt32 = packet.v6 ? [24, 28, 30][index % 3] : 2
    return le32(family) + packet.bytes
  }

  static func arp(_ linkType: Int32) -> [UInt8]? {
    let body =
      be16(1) + be16(0x0800) + [6, 4] + be16(1) + macA + [192, 168, 1, 10] + [0, 0, 0, 0, 0, 0] + [192, 168, 1, 1]
    switch linkType {
    case 1: return [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] + macA + be16(0x0806) + body
    case 113: return be16(4) + be16(1) + be16(6) + macA + [0, 0] + be16(0x0806) + body
    case 276: return be16(0x0806) + be16(0) + be32(2) + be16(1) + [4, 6] + macA + [0, 0] + body
    default: return nil
    }
  }
}

/// pcap and pcapng files.
private enum PcapFile {
  static let firstSecond: UInt32 = 1_700_000_000

  static func classic(linkType: Int32, frames: [Frame], nanoseconds: Bool, bigEndian: Bool = false) -> [UInt8] {
    let u16: (UInt16) -> [UInt8] = { bigEndian ? be16($0) : le16($0) }
    let u32: (UInt32) -> [UInt8] = { bigEndian ? be32($0) : le32($0) }
    let magic: UInt32 = nanoseconds ? 0xA1B2_3C4D : 0xA1B2_C3D4
    var out: [UInt8] = u32(magic)
    out += u16(2)
    out += u16(4)
    out += u32(0)
    out += u32(0)
    out += u32(262_144)
    out += u32(UInt32(linkType))
    for (index, frame) in frames.enumerated() {
      let fraction = UInt32(index) * 1000 + 7
      out += u32(firstSecond + UInt32(index / 100))
      out += u32(nanoseconds ? fraction * 1000 + 123 : fraction)
      out += u32(UInt32(frame.captured.count))
      out += u32(UInt32(frame.originalLength))
      out += frame.captured
    }
    return out
  }

  static func pcapng(linkType: Int32, frames: [Frame]) -> [UInt8] {
    func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
      let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
      let length = UInt32(12 + padded.count)
      return le32(type) + le32(length) + padded + le32(length)
    }
    var out = block(0x0A0D_0D0A, le32(0x1A2B_3C4D) + le16(1) + le16(0) + le32(0xFFFF_FFFF) + le32(0xFFFF_FFFF))
    // Interface: the link type, snap length, if_tsresol = 9 (nanoseconds).
    out += block(
      1,
      le16(UInt16(linkType)) + le16(0) + le32(262_144) + le16(9) + le16(1) + [9, 0, 0, 0] + le16(0) + le16(0)
    )
    for (index, frame) in frames.enumerated() {
      let time = UInt64(firstSecond + UInt32(index / 100)) * 1_000_000_000 + UInt64(index % 100) * 1_000_000 + 456
      let captured = frame.captured + [UInt8](repeating: 0, count: (4 - frame.captured.count % 4) % 4)
      out += block(
        6,
        le32(0) + le32(UInt32(time >> 32)) + le32(UInt32(time & 0xFFFF_FFFF)) + le32(UInt32(frame.captured.count))
          + le32(UInt32(frame.originalLength)) + captured
      )
    }
    return out
  }
}

// MARK: - Packets

private func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
private func be32(_ value: UInt32) -> [UInt8] { be16(UInt16(value >> 16)) + be16(UInt16(value & 0xFFFF)) }
private func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
private func le32(_ value: UInt32) -> [UInt8] { le16(UInt16(value & 0xFFFF)) + le16(UInt16(value >> 16)) }

/// An address's bytes.
private func address(_ text: String) -> [UInt8] {
  guard let ip = IPAddress(text) else { fatalError("bad address \(text)") }
  if ip.family == .v4 { return be32(ip.v4Value) }
  return be32(UInt32(ip.high >> 32)) + be32(UInt32(ip.high & 0xFFFF_FFFF)) + be32(UInt32(ip.low >> 32))
    + be32(UInt32(ip.low & 0xFFFF_FFFF))
}

/// The Internet checksum.
private func checksum(_ data: [UInt8]) -> UInt16 {
  var sum: UInt32 = 0
  var index = 0
  while index + 1 < data.count {
    sum += UInt32(data[index]) << 8 | UInt32(data[index + 1])
    index += 2
  }
  if index < data.count { sum += UInt32(data[index]) << 8 }
  while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
  return ~UInt16(sum)
}

private enum Build {
  /// Fills in the TCP, UDP, ICMP or ICMPv6 checksum of `segment`.
  static func checksummed(_ segment: [UInt8], proto: UInt8, source: [UInt8], destination: [UInt8]) -> [UInt8] {
    var segment = segment
    let offset: Int
    switch proto {
    case 6: offset = 16
    case 17: offset = 6
    default: offset = 2
    }
    guard segment.count >= offset + 2 else { return segment }
    segment[offset] = 0
    segment[offset + 1] = 0
    var pseudo: [UInt8] = []
    if proto != 1 {
      pseudo = source + destination
      pseudo +=
        source.count == 4 ? [0, proto] + be16(UInt16(segment.count)) : be32(UInt32(segment.count)) + [0, 0, 0, proto]
    }
    var sum = checksum(pseudo + segment)
    if proto == 17 && sum == 0 { sum = 0xFFFF }
    segment[offset] = UInt8(sum >> 8)
    segment[offset + 1] = UInt8(sum & 0xFF)
    return segment
  }

  static func ipv4(
    _ source: String,
    _ destination: String,
    proto: UInt8,
    _ payload: [UInt8],
    ttl: UInt8 = 64,
    id: UInt16 = 0x1000,
    dontFragment: Bool = true,
    moreFragments: Bool = false,
    fragmentOffset: UInt16 = 0,
    options: [UInt8] = [],
    tos: UInt8 = 0,
    totalLength: UInt16? = nil,
    ihl: UInt8? = nil,
    transportChecksum: Bool = true
  ) -> [UInt8] {
    let src = address(source)
    let dst = address(destination)
    let body =
      transportChecksum && fragmentOffset == 0 && !moreFragments
      ? checksummed(payload, proto: proto, source: src, destination: dst) : payload
    let headerLength = 20 + options.count
    let flags: UInt16 = (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | fragmentOffset
    var header: [UInt8] = [0x40 | (ihl ?? UInt8(headerLength / 4)), tos]
    header += be16(totalLength ?? UInt16(headerLength + body.count)) + be16(id) + be16(flags) + [ttl, proto] + [0, 0]
    header += src + dst + options
    let sum = checksum(header)
    header[10] = UInt8(sum >> 8)
    header[11] = UInt8(sum & 0xFF)
    return header + body
  }

  /// IPv6 with extension headers: each (next header, bytes) names the header that follows it.
  static func ipv6(
    _ source: String,
    _ destination: String,
    proto: UInt8,
    _ payload: [UInt8],
    hopLimit: UInt8 = 64,
    flowLabel: UInt32 = 0x12345,
    trafficClass: UInt8 = 0,
    extensions: [(type: UInt8, bytes: [UInt8])] = [],
    transportChecksum: Bool = true,
    payloadLength: UInt16? = nil
  ) -> [UInt8] {
    let src = address(source)
    let dst = address(destination)
    let body = transportChecksum ? checksummed(payload, proto: proto, source: src, destination: dst) : payload
    var chain: [UInt8] = []
    for (index, ext) in extensions.enumerated() {
      var bytes = ext.bytes
      bytes[0] = index + 1 < extensions.count ? extensions[index + 1].type : proto
      chain += bytes
    }
    let first = extensions.first?.type ?? proto
    let word = UInt32(6) << 28 | UInt32(trafficClass) << 20 | flowLabel
    return be32(word) + be16(payloadLength ?? UInt16(chain.count + body.count)) + [first, hopLimit] + src + dst + chain
      + body
  }

  static func tcp(
    _ sourcePort: UInt16,
    _ destinationPort: UInt16,
    flags: UInt16,
    seq: UInt32 = 1000,
    ack: UInt32 = 0,
    window: UInt16 = 64240,
    urgent: UInt16 = 0,
    options: [UInt8] = [],
    payload: [UInt8] = [],
    dataOffset: UInt8? = nil
  ) -> [UInt8] {
    let padded = options + [UInt8](repeating: 0, count: (4 - options.count % 4) % 4)
    let offset = dataOffset ?? UInt8((20 + padded.count) / 4)
    return be16(sourcePort) + be16(destinationPort) + be32(seq) + be32(ack)
      + [offset << 4 | UInt8(flags >> 8 & 1), UInt8(flags & 0xFF)] + be16(window) + [0, 0] + be16(urgent) + padded
      + payload
  }

  static func udp(_ sourcePort: UInt16, _ destinationPort: UInt16, _ payload: [UInt8], length: UInt16? = nil) -> [UInt8]
  {
    be16(sourcePort) + be16(destinationPort) + be16(length ?? UInt16(8 + payload.count)) + [0, 0] + payload
  }

  static func icmp(
    type: UInt8,
    code: UInt8 = 0,
    id: UInt16,
    seq: UInt16,
    payload: [UInt8] = Array("netfilter-ping".utf8)
  ) -> [UInt8] {
    [type, code, 0, 0] + be16(id) + be16(seq) + payload
  }

  /// TCP options: MSS 1460, SACK permitted, timestamps, NOP, window scale 7.
  static let synOptions: [UInt8] = [2, 4, 0x05, 0xB4, 4, 2, 8, 10] + be32(123_456) + be32(0) + [1, 3, 3, 7]

  static let FIN: UInt16 = 0x01, SYN: UInt16 = 0x02, RST: UInt16 = 0x04, PSH: UInt16 = 0x08, ACK: UInt16 = 0x10
  static let URG: UInt16 = 0x20, ECE: UInt16 = 0x40, CWR: UInt16 = 0x80, NS: UInt16 = 0x100
}

/// DNS messages (RFC 1035), with name compression.
private enum DNS {
  static func name(_ dotted: String) -> [UInt8] {
    dotted.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
  }

  /// A pointer to offset 12, the first question's name.
  static let questionName: [UInt8] = [0xC0, 0x0C]

  static func header(id: UInt16, flags: UInt16, qd: UInt16 = 1, an: UInt16 = 0, ns: UInt16 = 0, ar: UInt16 = 0)
    -> [UInt8]
  {
    be16(id) + be16(flags) + be16(qd) + be16(an) + be16(ns) + be16(ar)
  }

  static func question(_ name: String, type: UInt16) -> [UInt8] { DNS.name(name) + be16(type) + be16(1) }

  static func record(_ owner: [UInt8], type: UInt16, ttl: UInt32 = 300, class: UInt16 = 1, _ data: [UInt8]) -> [UInt8] {
    owner + be16(type) + be16(`class`) + be32(ttl) + be16(UInt16(data.count)) + data
  }

  static func txt(_ strings: [String]) -> [UInt8] { strings.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } }

  /// An EDNS OPT record: 4096-byte payload, a client cookie.
  static let opt: [UInt8] = record([0], type: 41, ttl: 0, class: 4096, be16(10) + be16(8) + [1, 2, 3, 4, 5, 6, 7, 8])

  static func query(id: UInt16, _ name: String, type: UInt16, edns: Bool = true) -> [UInt8] {
    header(id: id, flags: 0x0120, ar: edns ? 1 : 0) + question(name, type: type) + (edns ? opt : [])
  }

  /// www.example.com: a CNAME, then two addresses.
  static let wwwResponse: [UInt8] =
    header(id: 0x1001, flags: 0x8180, an: 3, ar: 1) + question("www.example.com", type: 1)
    + record(questionName, type: 5, name("web.example.com"))
    + record(name("web.example.com"), type: 1, address("93.184.216.34"))
    + record(name("web.example.com"), type: 1, ttl: 60, address("93.184.216.35")) + opt

  /// example.test ANY: MX, TXT, NS, AAAA, A, SRV, CAA; SOA in the authority section; glue in the
  /// additional section.
  static let zooResponse: [UInt8] =
    header(id: 0x2002, flags: 0x8580, an: 7, ns: 1, ar: 3) + question("example.test", type: 255)
    + record(questionName, type: 15, be16(10) + name("mail.example.test"))
    + record(questionName, type: 16, txt(["v=spf1 -all", "hello world"]))
    + record(questionName, type: 2, name("ns1.example.test"))
    + record(questionName, type: 28, address("2001:db8::53"))
    + record(questionName, type: 1, address("192.0.2.53"))
    + record(name("_sip._udp.example.test"), type: 33, be16(10) + be16(20) + be16(5060) + name("sip.example.test"))
    + record(questionName, type: 257, [0, 5] + Array("issueletsencrypt.org".utf8))
    + record(
      questionName,
      type: 6,
      name("ns1.example.test") + name("hostmaster.example.test") + be32(2_024_010_101) + be32(3600) + be32(600)
        + be32(86400) + be32(300)
    )
    + record(name("mail.example.test"), type: 1, address("192.0.2.25"))
    + record(name("mail.example.test"), type: 28, address("2001:db8::25")) + opt

  static let ptrResponse: [UInt8] =
    header(id: 0x3003, flags: 0x8180, an: 1) + question("34.216.184.93.in-addr.arpa", type: 12)
    + record(questionName, type: 12, name("www.example.com"))

  static let nxdomainResponse: [UInt8] =
    header(id: 0x4004, flags: 0x8183, ns: 1) + question("nope.example.test", type: 1)
    + record(
      name("example.test"),
      type: 6,
      name("ns1.example.test") + name("hostmaster.example.test") + be32(1) + be32(3600) + be32(600) + be32(86400)
        + be32(300)
    )

  static let mxResponse: [UInt8] =
    header(id: 0x5005, flags: 0x8180, an: 2) + question("example.test", type: 15)
    + record(questionName, type: 15, be16(10) + name("mail.example.test"))
    + record(questionName, type: 15, be16(20) + name("backup.example.test"))

  static let aaaaResponse: [UInt8] =
    header(id: 0x6006, flags: 0x8180, an: 2) + question("ipv6.example.com", type: 28)
    + record(questionName, type: 28, address("2606:2800:220:1:248:1893:25c8:1946"))
    + record(questionName, type: 28, address("2001:db8::1:1"))

  /// An answer whose name is a compression pointer to itself.
  static let pointerLoop: [UInt8] = {
    let start = header(id: 0x7007, flags: 0x8180, an: 1) + question("loop.example.test", type: 1)
    return start + [0xC0, UInt8(start.count)] + be16(1) + be16(1) + be32(60) + be16(4) + [1, 2, 3, 4]
  }()

  /// Over TCP: the two-byte length first.
  static func overTCP(_ message: [UInt8]) -> [UInt8] { be16(UInt16(message.count)) + message }

  /// A query for evil.example.test whose ANCOUNT says 1, with no answer: it does not decode.
  static let answerMissing: [UInt8] = header(id: 0xB00B, flags: 0x0100, an: 1) + question("evil.example.test", type: 1)

  /// many.example.test with `count` A answers, 10.2.x.y.
  static func manyAnswers(_ count: Int) -> [UInt8] {
    header(id: 0x8008, flags: 0x8180, an: UInt16(count)) + question("many.example.test", type: 1)
      + (0..<count).flatMap { record(questionName, type: 1, ttl: 60, [10, 2, UInt8($0 >> 8), UInt8($0 & 0xFF)]) }
  }

  /// The question's name is a pointer forwards, into the CNAME's RDATA "www.fwd.example.test"
  /// (to "fwd.example.test"); the answer's owner points at the question's pointer.
  static let forwardPointer: [UInt8] = {
    let rdataStart = 12 + 6 + 12
    return header(id: 0x9009, flags: 0x8180, an: 1) + [0xC0, UInt8(rdataStart + 4)] + be16(1) + be16(1)
      + record(questionName, type: 5, name("www.fwd.example.test"))
  }()

  /// An A record of 16 bytes and an AAAA of 4 (neither is an address), then a good A.
  static let wrongLengthAddresses: [UInt8] =
    header(id: 0xA00A, flags: 0x8180, an: 3) + question("addr.example.test", type: 1)
    + record(questionName, type: 1, address("2001:db8::a"))
    + record(questionName, type: 28, address("192.0.2.10"))
    + record(questionName, type: 1, address("192.0.2.11"))
}

private enum HTTP {
  static let get = Array(
    "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n".utf8
  )
  static let ok = Array("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\nhello, world\n".utf8)
  static let getOld = Array("GET /old%20page?x=1 HTTP/1.1\r\nHost: www.example.com:8080\r\n\r\n".utf8)
  static let moved = Array(
    "HTTP/1.1 301 Moved Permanently\r\nLocation: http://www.example.com/new\r\nContent-Length: 0\r\n\r\n".utf8
  )
  static let post = Array(
    "POST /api/v1/items HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{\"name\":\"x\"}"
      .utf8
  )
  static let notFound = Array("HTTP/1.1 404 Not Found\r\nServer: test\r\nContent-Length: 0\r\n\r\n".utf8)
  static let found = Array("HTTP/1.1 302 Found\r\nLocation: /login?next=%2Fhome\r\nContent-Length: 0\r\n\r\n".utf8)
  static let badStatus = Array("HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n".utf8)
  static let longLine = Array(
    ("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: long.example.test\r\n\r\n").utf8
  )
  static let escape = Array("GET /a\u{1B}[31mb HTTP/1.1\r\nHost: esc.example.test\r\n\r\n".utf8)
  static let lateHost = Array(
    ("GET /late HTTP/1.1\r\n" + (0..<101).map { "X-H\($0): v\r\n" }.joined() + "Host: late.example.test\r\n\r\n")
      .utf8
  )
}

/// The IP packets every synthetic capture carries, in order.
enum Packets {
  static let client = "192.168.1.10", server = "93.184.216.34", resolver = "8.8.8.8", other = "10.20.30.40"
  static let client6 = "2001:db8::10", server6 = "2001:db8:1::80", resolver6 = "2001:4860:4860::8888"

  static let all: [IPPacket] = {
    var list: [IPPacket] = []
    func v4(_ note: String, _ bytes: [UInt8], keep: Int? = nil, header: Bool = false, payload: Bool = false) {
      list.append(
        IPPacket(bytes: bytes, v6: false, note: note, keep: keep, malformedHeader: header, malformedPayload: payload)
      )
    }
    func v6(_ note: String, _ bytes: [UInt8], keep: Int? = nil, header: Bool = false, payload: Bool = false) {
      list.append(
        IPPacket(bytes: bytes, v6: true, note: note, keep: keep, malformedHeader: header, malformedPayload: payload)
      )
    }
    typealias B = Build

    // A TCP connection to port 80 carrying HTTP.
    v4(
      "SYN with options",
      B.ipv4(client, server, proto: 6, B.tcp(40001, 80, flags: B.SYN, seq: 1000, options: B.synOptions))
    )
    v4(
      "SYN-ACK",
      B.ipv4(
        server,
        client,
        proto: 6,
        B.tcp(80, 40001, flags: B.SYN | B.ACK, seq: 5000, ack: 1001, options: [2, 4, 0x05, 0xB4, 1, 1, 4, 2]),
        ttl: 56
      )
    )
    v4("ACK", B.ipv4(client, server, proto: 6, B.tcp(40001, 80, flags: B.ACK, seq: 1001, ack: 5001)))
    v4(
      "HTTP GET",
      B.ipv4(client, server, proto: 6, B.tcp(40001, 80, flags: B.PSH | B.ACK, seq: 1001, ack: 5001, payload: HTTP.get))
    )
    v4(
      "HTTP 200",
      B.ipv4(
        server,
        client,
        proto: 6,
        B.tcp(80, 40001, flags: B.PSH | B.ACK, seq: 5001, ack: 1100, payload: HTTP.ok),
        ttl: 56
      )
    )
    v4(
      "HTTP POST",
      B.ipv4(client, server, proto: 6, B.tcp(40001, 80, flags: B.PSH | B.ACK, seq: 1100, ack: 5080, payload: HTTP.post))
    )
    v4(
      "HTTP 404",
      B.ipv4(
        server,
        client,
        proto: 6,
        B.tcp(80, 40001, flags: B.PSH | B.ACK, seq: 5080, ack: 1250, payload: HTTP.notFound),
        ttl: 56
      )
    )
    v4("FIN", B.ipv4(client, server, proto: 6, B.tcp(40001, 80, flags: B.FIN | B.ACK, seq: 1250, ack: 5140)))
    v4("RST", B.ipv4(server, client, proto: 6, B.tcp(80, 40001, flags: B.RST, seq: 5140), ttl: 56))
    // HTTP on 8080: a redirect with a Location header.
    v4(
      "HTTP GET :8080",
      B.ipv4(other, server, proto: 6, B.tcp(40002, 8080, flags: B.PSH | B.ACK, payload: HTTP.getOld), ttl: 128)
    )
    v4(
      "HTTP 301",
      B.ipv4(server, other, proto: 6, B.tcp(8080, 40002, flags: B.PSH | B.ACK, payload: HTTP.moved), ttl: 50)
    )
    v4(
      "HTTP 302",
      B.ipv4(server, other, proto: 6, B.tcp(8080, 40002, flags: B.PSH | B.ACK, payload: HTTP.found), ttl: 50)
    )
    v4(
      "every TCP flag but SYN, RST, FIN",
      B.ipv4(
        client,
        server,
        proto: 6,
        B.tcp(
          40003,
          443,
          flags: B.PSH | B.ACK | B.URG | B.ECE | B.CWR | B.NS,
          urgent: 5,
          payload: [0x17, 3, 3, 0, 5, 1, 2, 3, 4, 5]
        )
      )
    )
    v4(
      "TLS-ish bytes on 443",
      B.ipv4(
        server,
        client,
        proto: 6,
        B.tcp(443, 40003, flags: B.ACK, payload: [UInt8](repeating: 0x16, count: 120)),
        ttl: 120
      )
    )
    // DNS over UDP.
    v4(
      "DNS query A",
      B.ipv4(client, resolver, proto: 17, B.udp(50001, 53, DNS.query(id: 0x1001, "www.example.com", type: 1)))
    )
    v4("DNS response CNAME+A", B.ipv4(resolver, client, proto: 17, B.udp(53, 50001, DNS.wwwResponse), ttl: 118))
    v4(
      "DNS query ANY",
      B.ipv4(client, resolver, proto: 17, B.udp(50002, 53, DNS.query(id: 0x2002, "example.test", type: 255)))
    )
    v4(
      "DNS response MX/TXT/NS/AAAA/A/SRV/CAA/SOA",
      B.ipv4(resolver, client, proto: 17, B.udp(53, 50002, DNS.zooResponse), ttl: 118)
    )
    v4(
      "DNS query PTR",
      B.ipv4(
        client,
        resolver,
        proto: 17,
        B.udp(50003, 53, DNS.query(id: 0x3003, "34.216.184.93.in-addr.arpa", type: 12, edns: false))
      )
    )
    v4("DNS response PTR", B.ipv4(resolver, client, proto: 17, B.udp(53, 50003, DNS.ptrResponse), ttl: 118))
    v4("DNS response NXDOMAIN", B.ipv4(resolver, client, proto: 17, B.udp(53, 50004, DNS.nxdomainResponse), ttl: 118))
    // DNS over TCP.
    v4(
      "DNS/TCP query MX",
      B.ipv4(
        client,
        resolver,
        proto: 6,
        B.tcp(
          40100,
          53,
          flags: B.PSH | B.ACK,
          payload: DNS.overTCP(DNS.query(id: 0x5005, "example.test", type: 15, edns: false))
        )
      )
    )
    v4(
      "DNS/TCP response MX",
      B.ipv4(
        resolver,
        client,
        proto: 6,
        B.tcp(53, 40100, flags: B.PSH | B.ACK, payload: DNS.overTCP(DNS.mxResponse)),
        ttl: 118
      )
    )
    v4("DNS/TCP ACK", B.ipv4(client, resolver, proto: 6, B.tcp(40100, 53, flags: B.ACK)))
    // ICMP.
    v4("ICMP echo request", B.ipv4(client, resolver, proto: 1, B.icmp(type: 8, id: 0x1234, seq: 1)))
    v4("ICMP echo reply", B.ipv4(resolver, client, proto: 1, B.icmp(type: 0, id: 0x1234, seq: 1), ttl: 118))
    v4("ICMP echo request, TTL 1", B.ipv4(client, resolver, proto: 1, B.icmp(type: 8, id: 0x1234, seq: 2), ttl: 1))
    v4(
      "ICMP timestamp request",
      B.ipv4(client, server, proto: 1, B.icmp(type: 13, id: 7, seq: 9, payload: [UInt8](repeating: 0, count: 12)))
    )
    // IPv4 options, fragments, TOS.
    v4(
      "IPv4 Router Alert option, UDP",
      B.ipv4(client, other, proto: 17, B.udp(9999, 9999, Array("options".utf8)), options: [0x94, 4, 0, 0], tos: 0xB8)
    )
    v4(
      "IPv4 Record Route option, ICMP",
      B.ipv4(
        client,
        resolver,
        proto: 1,
        B.icmp(type: 8, id: 0x1234, seq: 3),
        options: [7, 11, 4] + [UInt8](repeating: 0, count: 8) + [0]
      )
    )
    let datagram = B.checksummed(
      B.udp(5000, 5001, [UInt8](repeating: 0x61, count: 40)),
      proto: 17,
      source: address(client),
      destination: address(other)
    )
    v4(
      "first IPv4 fragment (UDP header)",
      B.ipv4(
        client,
        other,
        proto: 17,
        Array(datagram.prefix(24)),
        id: 0x4242,
        dontFragment: false,
        moreFragments: true,
        transportChecksum: false
      )
    )
    v4(
      "last IPv4 fragment",
      B.ipv4(
        client,
        other,
        proto: 17,
        Array(datagram.dropFirst(24)),
        id: 0x4242,
        dontFragment: false,
        fragmentOffset: 3,
        transportChecksum: false
      )
    )
    v4("UDP, large", B.ipv4(other, client, proto: 17, B.udp(123, 123, [UInt8](repeating: 0x23, count: 200)), ttl: 255))
    // IPv6.
    v6(
      "DNS query AAAA over IPv6",
      B.ipv6(client6, resolver6, proto: 17, B.udp(50005, 53, DNS.query(id: 0x6006, "ipv6.example.com", type: 28)))
    )
    v6(
      "DNS response AAAA over IPv6",
      B.ipv6(resolver6, client6, proto: 17, B.udp(53, 50005, DNS.aaaaResponse), hopLimit: 57)
    )
    let destinationOptions: [UInt8] = [0, 0, 1, 4, 0, 0, 0, 0]
    v6(
      "ICMPv6 echo request behind destination options",
      B.ipv6(client6, server6, proto: 58, B.icmp(type: 128, id: 77, seq: 1), extensions: [(60, destinationOptions)])
    )
    v6("ICMPv6 echo reply", B.ipv6(server6, client6, proto: 58, B.icmp(type: 129, id: 77, seq: 1), hopLimit: 57))
    let hopByHop: [UInt8] = [0, 0, 5, 2, 0, 0, 1, 0]
    v6(
      "UDP behind hop-by-hop and destination options, hop limit 1",
      B.ipv6(
        client6,
        "ff02::1:3",
        proto: 17,
        B.udp(9000, 9000, Array("multicast".utf8)),
        hopLimit: 1,
        extensions: [(0, hopByHop), (60, destinationOptions)]
      )
    )
    let routing: [UInt8] = [0, 2, 2, 0, 0, 0, 0, 0] + address("2001:db8::99")
    v6(
      "TCP SYN behind a routing header",
      B.ipv6(
        client6,
        server6,
        proto: 6,
        B.tcp(40010, 443, flags: B.SYN, options: B.synOptions),
        extensions: [(43, routing)]
      )
    )
    let datagram6 = B.checksummed(
      B.udp(7000, 7001, [UInt8](repeating: 0x62, count: 40)),
      proto: 17,
      source: address(client6),
      destination: address(server6)
    )
    v6(
      "first IPv6 fragment",
      B.ipv6(
        client6,
        server6,
        proto: 17,
        Array(datagram6.prefix(24)),
        extensions: [(44, [0, 0, 0, 1, 0, 0, 0x12, 0x34])],
        transportChecksum: false
      )
    )
    v6(
      "last IPv6 fragment",
      B.ipv6(
        client6,
        server6,
        proto: 17,
        Array(datagram6.dropFirst(24)),
        extensions: [(44, [0, 0, 0, 24, 0, 0, 0x12, 0x34])],
        transportChecksum: false
      )
    )
    v6(
      "ICMPv6 neighbor solicitation",
      B.ipv6("fe80::1", "ff02::1:ff00:10", proto: 58, [135, 0, 0, 0, 0, 0, 0, 0] + address(client6), hopLimit: 255)
    )
    v6("IPv6 no next header", B.ipv6(client6, server6, proto: 59, [], flowLabel: 0xABCDE, trafficClass: 0x20))
    v6(
      "TCP over IPv6 to ::1",
      B.ipv6("::1", "::1", proto: 6, B.tcp(50100, 18080, flags: B.ACK, payload: [1, 2, 3]), flowLabel: 0)
    )

    // Truncated and malformed.
    let zoo = B.ipv4(resolver, client, proto: 17, B.udp(53, 50006, DNS.zooResponse), ttl: 118)
    v4("DNS response cut mid-answer", zoo, keep: zoo.count * 6 / 10, payload: true)
    v4("DNS compression loop", B.ipv4(resolver, client, proto: 17, B.udp(53, 50007, DNS.pointerLoop)), payload: true)
    let shortTCP = B.ipv4(client, server, proto: 6, B.tcp(40020, 80, flags: B.SYN, options: B.synOptions))
    v4("TCP header cut at 12 bytes", shortTCP, keep: 32, header: true)
    v4(
      "IPv4 header cut at 12 bytes",
      B.ipv4(client, server, proto: 17, B.udp(1, 2, [1, 2, 3])),
      keep: 12,
      header: true
    )
    v4(
      "IPv4 header length 12",
      B.ipv4(client, server, proto: 17, B.udp(1000, 2000, [1, 2, 3, 4]), ihl: 3),
      header: true
    )
    v4(
      "TCP data offset 12",
      B.ipv4(client, server, proto: 6, B.tcp(40021, 80, flags: B.ACK, dataOffset: 3)),
      header: true
    )
    v4(
      "UDP length beyond the packet",
      B.ipv4(client, other, proto: 17, B.udp(3333, 4444, [UInt8](repeating: 1, count: 20), length: 300))
    )
    v4(
      "IPv4 total length beyond the packet",
      B.ipv4(client, other, proto: 17, B.udp(3334, 4445, [1, 2, 3, 4]), totalLength: 1000)
    )
    v6(
      "IPv6 hop-by-hop header running past the end",
      B.ipv6(
        client6,
        server6,
        proto: 17,
        B.udp(1, 2, []),
        extensions: [(0, [0, 9, 5, 2, 0, 0, 1, 0])],
        transportChecksum: false
      ),
      header: true
    )
    v6("IPv6 header cut at 30 bytes", B.ipv6(client6, server6, proto: 17, B.udp(1, 2, [9])), keep: 30, header: true)

    // Shapes tshark and tcpdump see that a filter must see too (hostile input): a payload that
    // does not decode keeps the packet's addresses and ports; DNS with more than 512 records, a
    // forward compression pointer, addresses of the wrong length; HTTP with a long request line, a
    // control byte in the path, Host after 101 headers; a long IPv6 extension header chain; tiny
    // first fragments.
    v4(
      "DNS query claiming an answer it lacks",
      B.ipv4(client, resolver, proto: 17, B.udp(50010, 53, DNS.answerMissing)),
      payload: true
    )
    v4(
      "HTTP status line with a 4-digit code",
      B.ipv4(server, client, proto: 6, B.tcp(80, 40001, flags: B.PSH | B.ACK, payload: HTTP.badStatus), ttl: 56),
      payload: true
    )
    v4(
      "DNS/TCP response with 600 answers",
      B.ipv4(
        resolver,
        client,
        proto: 6,
        B.tcp(53, 40101, flags: B.PSH | B.ACK, payload: DNS.overTCP(DNS.manyAnswers(600))),
        ttl: 118
      )
    )
    v4(
      "DNS response, question name a forward pointer",
      B.ipv4(resolver, client, proto: 17, B.udp(53, 50008, DNS.forwardPointer), ttl: 118)
    )
    v4(
      "DNS response, A of 16 bytes and AAAA of 4",
      B.ipv4(resolver, client, proto: 17, B.udp(53, 50009, DNS.wrongLengthAddresses), ttl: 118),
      payload: true
    )
    v4(
      "HTTP GET, request line of 9 KiB",
      B.ipv4(client, server, proto: 6, B.tcp(40004, 80, flags: B.PSH | B.ACK, payload: HTTP.longLine))
    )
    v4(
      "HTTP GET, ESC in the path",
      B.ipv4(client, server, proto: 6, B.tcp(40005, 80, flags: B.PSH | B.ACK, payload: HTTP.escape))
    )
    v4(
      "HTTP GET, Host after 101 headers",
      B.ipv4(client, server, proto: 6, B.tcp(40006, 80, flags: B.PSH | B.ACK, payload: HTTP.lateHost))
    )
    v6(
      "TCP SYN behind 10 destination options headers",
      B.ipv6(
        client6,
        server6,
        proto: 6,
        B.tcp(40011, 443, flags: B.SYN),
        extensions: Array(repeating: (60, destinationOptions), count: 10)
      )
    )
    v6(
      "TCP SYN behind a Shim6 header",
      B.ipv6(
        client6,
        server6,
        proto: 6,
        B.tcp(40012, 443, flags: B.SYN),
        extensions: [(140, [0, 0, 0, 0, 0, 0, 0, 0])]
      )
    )
    let tinySegment = B.checksummed(
      B.tcp(40030, 22, flags: B.SYN, seq: 77),
      proto: 6,
      source: address(client),
      destination: address(server)
    )
    v4(
      "tiny first IPv4 fragment: 8 bytes of TCP",
      B.ipv4(
        client,
        server,
        proto: 6,
        Array(tinySegment.prefix(8)),
        id: 0x4343,
        dontFragment: false,
        moreFragments: true,
        transportChecksum: false
      )
    )
    v4(
      "second IPv4 fragment: the rest of the TCP header",
      B.ipv4(
        client,
        server,
        proto: 6,
        Array(tinySegment.dropFirst(8)),
        id: 0x4343,
        dontFragment: false,
        fragmentOffset: 1,
        transportChecksum: false
      )
    )
    v6(
      "tiny first IPv6 fragment: 8 bytes of TCP",
      B.ipv6(
        client6,
        server6,
        proto: 6,
        Array(tinySegment.prefix(8)),
        extensions: [(44, [0, 0, 0, 1, 0, 0, 0x43, 0x43])],
        transportChecksum: false
      )
    )
    return list
  }()
}
