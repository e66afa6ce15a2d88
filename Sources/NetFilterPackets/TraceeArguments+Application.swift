import NetFilterDecoders
import NetFilterEval
import NetFilterJSON

/// Tracee's DNS and HTTP argument trees, and the Fibratus `dns.*` fields, from decoded messages.
extension PacketEvent {
  /// How many arguments ``writeApplicationArguments(for:to:)`` writes for `event`.
  func applicationArgumentCount(for event: PacketEventName) -> Int {
    switch (event, application) {
    case (.dns, .dns?), (.http, .http?): 6
    case (.dnsRequest, .dns?), (.dnsResponse, .dns?), (.httpRequest, .http?), (.httpResponse, .http?): 2
    case (.dns, .malformedDNS?), (.http, .malformedHTTP?): 5
    case (.dnsRequest, .malformedDNS?), (.dnsResponse, .malformedDNS?), (.httpRequest, .malformedHTTP?),
      (.httpResponse, .malformedHTTP?):
      1
    default: 0
    }
  }

  func writeApplicationArguments<S: JSONTokenWriter>(for event: PacketEventName, to sink: inout S) {
    switch (event, application) {
    case (.dns, .dns(let dns)?):
      writeAddresses(to: &sink)
      writePorts(to: &sink)
      writeMetadata(to: &sink)
      sink.argument("proto_dns", "trace.ProtoDNS") { DNSTree.proto(dns, to: &$0) }
    case (.dnsRequest, .dns(let dns)?):
      writePacketMeta(to: &sink)
      sink.argument("dns_questions", "[]trace.DnsQueryData") {
        $0.beginArray()
        for question in dns.questions { DNSTree.query(question, to: &$0) }
        $0.endArray()
      }
    case (.dnsResponse, .dns(let dns)?):
      writePacketMeta(to: &sink)
      sink.argument("dns_response", "[]trace.DnsResponseData") {
        $0.beginArray()
        DNSTree.response(dns, to: &$0)
        $0.endArray()
      }
    case (.http, .http(let http)?):
      writeAddresses(to: &sink)
      writePorts(to: &sink)
      writeMetadata(to: &sink)
      sink.argument("proto_http", "trace.ProtoHTTP") { HTTPTree.proto(http, to: &$0) }
    case (.httpRequest, .http(let http)?):
      writePacketMeta(to: &sink)
      sink.argument("http_request", "trace.ProtoHTTPRequest") { HTTPTree.request(http, to: &$0) }
    case (.httpResponse, .http(let http)?):
      writePacketMeta(to: &sink)
      sink.argument("http_response", "trace.ProtoHTTPResponse") { HTTPTree.response(http, to: &$0) }
    // A payload that does not decode: the event keeps its addresses, ports and metadata (a filter
    // on them still sees it), only the message is missing.
    case (.dns, .malformedDNS?), (.http, .malformedHTTP?):
      writeAddresses(to: &sink)
      writePorts(to: &sink)
      writeMetadata(to: &sink)
    case (.dnsRequest, .malformedDNS?), (.dnsResponse, .malformedDNS?), (.httpRequest, .malformedHTTP?),
      (.httpResponse, .malformedHTTP?):
      writePacketMeta(to: &sink)
    default:
      return
    }
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
      let flags = [
        (dns.rd, "RECURSION_DESIRED"), (dns.ra, "RECURSION_AVAILABLE"), (dns.aa, "AUTHORITATIVE"),
        (dns.tc, "TRUNCATED"),
      ]
      return .strings(flags.filter(\.0).map(\.1))
    default: return .missing
    }
  }
}

/// Tracee's `ProtoDNS`, `DnsQueryData` and `DnsResponseData`.
enum DNSTree {
  static func proto<S: JSONTokenWriter>(_ dns: DNSMessage, to sink: inout S) {
    sink.beginObject()
    sink.member("ID", number: dns.id)
    sink.member("QR", flag: dns.qr)
    sink.member("opCode", dns.opcodeName)
    sink.member("AA", flag: dns.aa)
    sink.member("TC", flag: dns.tc)
    sink.member("RD", flag: dns.rd)
    sink.member("RA", flag: dns.ra)
    sink.member("Z", number: dns.z)
    sink.member("responseCode", dns.responseCodeName)
    sink.member("QDCount", number: dns.qdCount)
    sink.member("ANCount", number: dns.anCount)
    sink.member("NSCount", number: dns.nsCount)
    sink.member("ARCount", number: dns.arCount)
    sink.key("questions")
    sink.beginArray()
    for question in dns.questions {
      sink.beginObject()
      sink.member("name", question.name)
      sink.member("type", question.typeName)
      sink.member("class", question.className)
      sink.endObject()
    }
    sink.endArray()
    sink.key("answers")
    records(dns.answers, to: &sink)
    sink.key("authorities")
    records(dns.authorities, to: &sink)
    sink.key("additionals")
    records(dns.additionals, to: &sink)
    sink.endObject()
  }

  static func records<S: JSONTokenWriter>(_ list: [DNSResourceRecord], to sink: inout S) {
    sink.beginArray()
    for each in list { record(each, to: &sink) }
    sink.endArray()
  }

  static func record<S: JSONTokenWriter>(_ record: DNSResourceRecord, to sink: inout S) {
    var ip = "", ns = "", cname = "", ptr = ""
    var soa = (
      mname: "", rname: "", serial: UInt32(0), refresh: UInt32(0), retry: UInt32(0), expire: UInt32(0),
      minimum: UInt32(0)
    )
    var srv = (priority: UInt16(0), weight: UInt16(0), port: UInt16(0), name: "")
    var mx = (preference: UInt16(0), name: "")
    var uri = (priority: UInt16(0), weight: UInt16(0), target: "")
    var texts: [String]?
    var options: [DNSOption] = []
    switch record.data {
    case .a(let address), .aaaa(let address): ip = address.description
    case .ns(let name): ns = name
    case .cname(let name): cname = name
    case .ptr(let name): ptr = name
    case .mx(let preference, let name): mx = (preference, name)
    case .txt(let strings): texts = strings
    case .soa(let m, let r, let serial, let refresh, let retry, let expire, let minimum):
      soa = (m, r, serial, refresh, retry, expire, minimum)
    case .srv(let priority, let weight, let port, let target): srv = (priority, weight, port, target)
    case .opt(let list): options = list
    case .uri(let priority, let weight, let target): uri = (priority, weight, target)
    case .other: break
    }
    sink.beginObject()
    sink.member("name", record.name)
    sink.member("type", record.typeName)
    sink.member("class", record.className)
    sink.member("TTL", number: record.ttl)
    sink.member("IP", ip)
    sink.member("NS", ns)
    sink.member("CNAME", cname)
    sink.member("PTR", ptr)
    sink.key("TXTs")
    if let texts {
      sink.beginArray()
      for text in texts { sink.string(text) }
      sink.endArray()
    } else {
      sink.null()
    }
    sink.key("SOA")
    sink.beginObject()
    sink.member("MName", soa.mname)
    sink.member("RName", soa.rname)
    sink.member("serial", number: soa.serial)
    sink.member("refresh", number: soa.refresh)
    sink.member("retry", number: soa.retry)
    sink.member("expire", number: soa.expire)
    sink.member("minimum", number: soa.minimum)
    sink.endObject()
    sink.key("SRV")
    sink.beginObject()
    sink.member("priority", number: srv.priority)
    sink.member("weight", number: srv.weight)
    sink.member("port", number: srv.port)
    sink.member("name", srv.name)
    sink.endObject()
    sink.key("MX")
    sink.beginObject()
    sink.member("preference", number: mx.preference)
    sink.member("name", mx.name)
    sink.endObject()
    sink.key("OPT")
    sink.beginArray()
    for option in options {
      sink.beginObject()
      sink.member("code", option.codeName)
      sink.member("data", String(decoding: option.data, as: UTF8.self))
      sink.endObject()
    }
    sink.endArray()
    sink.key("URI")
    sink.beginObject()
    sink.member("priority", number: uri.priority)
    sink.member("weight", number: uri.weight)
    sink.member("target", uri.target)
    sink.endObject()
    sink.member("TXT", texts?.joined() ?? "")
    sink.endObject()
  }

  static func query<S: JSONTokenWriter>(_ question: DNSQuestion, to sink: inout S) {
    sink.beginObject()
    sink.member("query", question.name)
    sink.member("query_type", question.typeName)
    sink.member("query_class", question.className)
    sink.endObject()
  }

  static func response<S: JSONTokenWriter>(_ dns: DNSMessage, to sink: inout S) {
    sink.beginObject()
    sink.key("query_data")
    if let question = dns.questions.first {
      query(question, to: &sink)
    } else {
      sink.beginObject()
      sink.endObject()
    }
    sink.key("dns_answer")
    sink.beginArray()
    for record in dns.answers {
      sink.beginObject()
      sink.member("answer_type", record.typeName)
      sink.member("ttl", number: record.ttl)
      sink.member("answer", record.traceeAnswer)
      sink.endObject()
    }
    sink.endArray()
    sink.endObject()
  }
}

/// Tracee's `ProtoHTTP`, `ProtoHTTPRequest` and `ProtoHTTPResponse`.
enum HTTPTree {
  static func headers<S: JSONTokenWriter>(_ http: HTTPMessage, to sink: inout S) {
    sink.key("headers")
    sink.beginObject()
    for header in http.headers {
      sink.dynamicKey(header.name)
      sink.beginArray()
      for value in header.values { sink.string(value) }
      sink.endArray()
    }
    sink.endObject()
  }

  static func proto<S: JSONTokenWriter>(_ http: HTTPMessage, to sink: inout S) {
    sink.beginObject()
    sink.member("direction", http.kind == .request ? "request" : "response")
    sink.member("method", http.method)
    sink.member("protocol", http.protocol)
    sink.member("host", http.host)
    sink.member("uri_path", http.path)
    sink.member("status", http.status)
    sink.member("status_code", number: http.statusCode)
    headers(http, to: &sink)
    sink.member("content_length", number: http.contentLength)
    sink.endObject()
  }

  static func request<S: JSONTokenWriter>(_ http: HTTPMessage, to sink: inout S) {
    sink.beginObject()
    sink.member("method", http.method)
    sink.member("protocol", http.protocol)
    sink.member("host", http.host)
    sink.member("uri_path", http.path)
    headers(http, to: &sink)
    sink.member("content_length", number: http.contentLength)
    sink.endObject()
  }

  static func response<S: JSONTokenWriter>(_ http: HTTPMessage, to sink: inout S) {
    sink.beginObject()
    sink.member("status", http.status)
    sink.member("status_code", number: http.statusCode)
    sink.member("protocol", http.protocol)
    headers(http, to: &sink)
    sink.member("content_length", number: http.contentLength)
    sink.endObject()
  }
}
