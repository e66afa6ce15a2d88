import NetFilterEval

/// Tracee's DNS and HTTP argument trees, and the Fibratus `dns.*` fields, from decoded messages.
extension PacketEvent {
  func applicationArguments(for name: String) -> [JSONValue] {
    switch (name, application) {
    case ("net_packet_dns", .dns(let dns)?):
      return [addressArgument("src"), addressArgument("dst")] + ports
        + [metadata, argument("proto_dns", "trace.ProtoDNS", DNSTree.proto(dns))]
    case ("net_packet_dns_request", .dns(let dns)?):
      return [packetMeta, argument("dns_questions", "[]trace.DnsQueryData", .array(dns.questions.map(DNSTree.query)))]
    case ("net_packet_dns_response", .dns(let dns)?):
      return [packetMeta, argument("dns_response", "[]trace.DnsResponseData", .array([DNSTree.response(dns)]))]
    case ("net_packet_http", .http(let http)?):
      return [addressArgument("src"), addressArgument("dst")] + ports
        + [metadata, argument("proto_http", "trace.ProtoHTTP", HTTPTree.proto(http))]
    case ("net_packet_http_request", .http(let http)?):
      return [packetMeta, argument("http_request", "trace.ProtoHTTPRequest", HTTPTree.request(http))]
    case ("net_packet_http_response", .http(let http)?):
      return [packetMeta, argument("http_response", "trace.ProtoHTTPResponse", HTTPTree.response(http))]
    default:
      return []
    }
  }

  private func addressArgument(_ which: String) -> JSONValue {
    argument(which, "const char*", .string((which == "src" ? packet.source : packet.destination).description))
  }

  /// `dns.name`, `dns.rr`, `dns.rcode`, `dns.answers`, `dns.options` of a DNS packet.
  func dnsField(_ name: String) -> FieldValue {
    guard case .dns(let dns)? = application else { return .missing }
    switch name {
    case "dns.name": return dns.questions.first.map { .string($0.name) } ?? .missing
    case "dns.rr": return dns.questions.first.map { .string($0.typeName) } ?? .missing
    case "dns.rcode": return dns.qr ? .string(dns.rcodeFibratus) : .missing
    case "dns.answers": return dns.qr ? .strings(dns.answers.map(\.answerText).filter { !$0.isEmpty }) : .missing
    case "dns.options":
      let flags = [(dns.rd, "RECURSION_DESIRED"), (dns.ra, "RECURSION_AVAILABLE"), (dns.aa, "AUTHORITATIVE"), (dns.tc, "TRUNCATED")]
      return .strings(flags.filter(\.0).map(\.1))
    default: return .missing
    }
  }
}

/// Tracee's `ProtoDNS`, `DnsQueryData` and `DnsResponseData` as JSON.
enum DNSTree {
  static func number(_ value: some FixedWidthInteger) -> JSONValue { .number(String(value)) }
  static func flag(_ value: Bool) -> JSONValue { .number(value ? "1" : "0") }

  static func proto(_ dns: DNSMessage) -> JSONValue {
    .object([
      ("ID", number(dns.id)), ("QR", flag(dns.qr)), ("opCode", .string(dns.opcodeName)), ("AA", flag(dns.aa)),
      ("TC", flag(dns.tc)), ("RD", flag(dns.rd)), ("RA", flag(dns.ra)), ("Z", number(dns.z)),
      ("responseCode", .string(dns.responseCodeName)), ("QDCount", number(dns.qdCount)),
      ("ANCount", number(dns.anCount)), ("NSCount", number(dns.nsCount)), ("ARCount", number(dns.arCount)),
      (
        "questions",
        .array(dns.questions.map { .object([("name", .string($0.name)), ("type", .string($0.typeName)), ("class", .string($0.className))]) })
      ),
      ("answers", .array(dns.answers.map(record))), ("authorities", .array(dns.authorities.map(record))),
      ("additionals", .array(dns.additionals.map(record))),
    ])
  }

  static func record(_ record: DNSResourceRecord) -> JSONValue {
    var ip = "", ns = "", cname = "", ptr = ""
    var txts: JSONValue = .null
    var soa = (mname: "", rname: "", serial: UInt32(0), refresh: UInt32(0), retry: UInt32(0), expire: UInt32(0), minimum: UInt32(0))
    var srv = (priority: UInt16(0), weight: UInt16(0), port: UInt16(0), name: "")
    var mx = (preference: UInt16(0), name: "")
    var uri = (priority: UInt16(0), weight: UInt16(0), target: "")
    var options: [JSONValue] = []
    switch record.data {
    case .a(let address), .aaaa(let address): ip = address.description
    case .ns(let name): ns = name
    case .cname(let name): cname = name
    case .ptr(let name): ptr = name
    case .mx(let preference, let name): mx = (preference, name)
    case .txt(let strings): txts = .array(strings.map { .string($0) })
    case .soa(let m, let r, let serial, let refresh, let retry, let expire, let minimum):
      soa = (m, r, serial, refresh, retry, expire, minimum)
    case .srv(let priority, let weight, let port, let target): srv = (priority, weight, port, target)
    case .opt(let list): options = list.map { .object([("code", .string($0.codeName)), ("data", .string(String(decoding: $0.data, as: UTF8.self)))]) }
    case .uri(let priority, let weight, let target): uri = (priority, weight, target)
    case .other: break
    }
    let text: String = if case .txt(let strings) = record.data { strings.joined() } else { "" }
    return .object([
      ("name", .string(record.name)), ("type", .string(record.typeName)), ("class", .string(record.className)),
      ("TTL", number(record.ttl)), ("IP", .string(ip)), ("NS", .string(ns)), ("CNAME", .string(cname)), ("PTR", .string(ptr)),
      ("TXTs", txts),
      (
        "SOA",
        .object([
          ("MName", .string(soa.mname)), ("RName", .string(soa.rname)), ("serial", number(soa.serial)),
          ("refresh", number(soa.refresh)), ("retry", number(soa.retry)), ("expire", number(soa.expire)),
          ("minimum", number(soa.minimum)),
        ])
      ),
      ("SRV", .object([("priority", number(srv.priority)), ("weight", number(srv.weight)), ("port", number(srv.port)), ("name", .string(srv.name))])),
      ("MX", .object([("preference", number(mx.preference)), ("name", .string(mx.name))])),
      ("OPT", .array(options)),
      ("URI", .object([("priority", number(uri.priority)), ("weight", number(uri.weight)), ("target", .string(uri.target))])),
      ("TXT", .string(text)),
    ])
  }

  static func query(_ question: DNSQuestion) -> JSONValue {
    .object([("query", .string(question.name)), ("query_type", .string(question.typeName)), ("query_class", .string(question.className))])
  }

  static func response(_ dns: DNSMessage) -> JSONValue {
    let answers = dns.answers.map { record -> JSONValue in
      .object([("answer_type", .string(record.typeName)), ("ttl", number(record.ttl)), ("answer", .string(record.traceeAnswer))])
    }
    return .object([("query_data", dns.questions.first.map(query) ?? .object([])), ("dns_answer", .array(answers))])
  }
}

/// Tracee's `ProtoHTTP`, `ProtoHTTPRequest` and `ProtoHTTPResponse` as JSON.
enum HTTPTree {
  static func headers(_ http: HTTPMessage) -> JSONValue {
    .object(http.headers.map { ($0.name, JSONValue.array($0.values.map { .string($0) })) })
  }

  static func proto(_ http: HTTPMessage) -> JSONValue {
    .object([
      ("direction", .string(http.kind == .request ? "request" : "response")), ("method", .string(http.method)),
      ("protocol", .string(http.protocol)), ("host", .string(http.host)), ("uri_path", .string(http.path)),
      ("status", .string(http.status)), ("status_code", .number(String(http.statusCode))), ("headers", headers(http)),
      ("content_length", .number(String(http.contentLength))),
    ])
  }

  static func request(_ http: HTTPMessage) -> JSONValue {
    .object([
      ("method", .string(http.method)), ("protocol", .string(http.protocol)), ("host", .string(http.host)),
      ("uri_path", .string(http.path)), ("headers", headers(http)), ("content_length", .number(String(http.contentLength))),
    ])
  }

  static func response(_ http: HTTPMessage) -> JSONValue {
    .object([
      ("status", .string(http.status)), ("status_code", .number(String(http.statusCode))), ("protocol", .string(http.protocol)),
      ("headers", headers(http)), ("content_length", .number(String(http.contentLength))),
    ])
  }
}
