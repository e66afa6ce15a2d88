import Foundation
import NetFilterSyntax

// The IP packets of the synthetic captures, built byte by byte: each with a note saying what it
// is, and whether netfilter's decoders should find its headers or its payload damaged.
// MARK: - Packets

func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
func be32(_ value: UInt32) -> [UInt8] { be16(UInt16(value >> 16)) + be16(UInt16(value & 0xFFFF)) }
func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
func le32(_ value: UInt32) -> [UInt8] { le16(UInt16(value & 0xFFFF)) + le16(UInt16(value >> 16)) }

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

enum Build {
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
enum DNS {
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

enum HTTP {
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
