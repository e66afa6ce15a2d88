import NetFilterSyntax

/// RDATA decoding: every read stays inside `start..<end`, the record's RDLENGTH bytes (names may
/// still point backwards into earlier parts of the message, as compression allows).
extension DNSParser {
  /// The decoded RDATA of a record of `type` occupying `start..<end`.
  package func rdata(type: UInt16, start: Int, end: Int, raw: [UInt8]) throws(DNSDecodeError)
    -> DNSRecordData
  {
    switch type {
    case DNSRecordType.a:
      guard raw.count == 4 else { return .other(type: type, data: raw) }
      return .a(IPAddress(v4: try u32(start, "A address")))
    case DNSRecordType.aaaa:
      guard raw.count == 16, let high = reader.u64(start), let low = reader.u64(start + 8) else {
        return .other(type: type, data: raw)
      }
      return .aaaa(IPAddress(v6High: high, low: low))
    case DNSRecordType.ns: return .ns(try name(at: start, limit: end).0)
    case DNSRecordType.cname: return .cname(try name(at: start, limit: end).0)
    case DNSRecordType.ptr: return .ptr(try name(at: start, limit: end).0)
    case DNSRecordType.mx:
      try need(2, at: start, end: end, "MX")
      return .mx(preference: try u16(start, "MX preference"), name: try name(at: start + 2, limit: end).0)
    case DNSRecordType.txt, DNSRecordType.hinfo:
      return .txt(try characterStrings(start: start, end: end))
    case DNSRecordType.soa: return try soa(start: start, end: end)
    case DNSRecordType.srv:
      try need(6, at: start, end: end, "SRV")
      return .srv(
        priority: try u16(start, "SRV priority"),
        weight: try u16(start + 2, "SRV weight"),
        port: try u16(start + 4, "SRV port"),
        target: try name(at: start + 6, limit: end).0
      )
    case DNSRecordType.opt: return .opt(try options(start: start, end: end))
    case DNSRecordType.uri:
      try need(4, at: start, end: end, "URI")
      return .uri(
        priority: try u16(start, "URI priority"),
        weight: try u16(start + 2, "URI weight"),
        target: String(decoding: raw.dropFirst(4), as: UTF8.self)
      )
    default:
      return .other(type: type, data: raw)
    }
  }

  /// Fails with `.badRData` unless `count` bytes fit between `offset` and `end`.
  package func need(_ count: Int, at offset: Int, end: Int, _ what: String) throws(DNSDecodeError) {
    guard offset + count <= end else {
      throw DNSDecodeError(
        .badRData,
        "\(what) RDATA needs \(count) more bytes, has \(max(0, end - offset))",
        at: offset
      )
    }
  }

  /// SOA: two names, then serial, refresh, retry, expire and minimum.
  package func soa(start: Int, end: Int) throws(DNSDecodeError) -> DNSRecordData {
    let (mname, afterMName) = try name(at: start, limit: end)
    let (rname, timers) = try name(at: afterMName, limit: end)
    try need(20, at: timers, end: end, "SOA")
    return .soa(
      mname: mname,
      rname: rname,
      serial: try u32(timers, "SOA serial"),
      refresh: try u32(timers + 4, "SOA refresh"),
      retry: try u32(timers + 8, "SOA retry"),
      expire: try u32(timers + 12, "SOA expire"),
      minimum: try u32(timers + 16, "SOA minimum")
    )
  }

  /// A run of <character-string>s (a length byte, then that many bytes) filling `start..<end`.
  package func characterStrings(start: Int, end: Int) throws(DNSDecodeError) -> [String] {
    var strings: [String] = []
    var offset = start
    while offset < end {
      guard let length = reader.u8(offset), offset + 1 + Int(length) <= end,
        let bytes = reader.slice(offset + 1, Int(length))
      else {
        throw DNSDecodeError(.badRData, "character-string runs past RDLENGTH", at: offset)
      }
      strings.append(String(decoding: bytes, as: UTF8.self))
      offset += 1 + Int(length)
    }
    return strings
  }

  /// EDNS options (code, length, data) filling `start..<end`.
  package func options(start: Int, end: Int) throws(DNSDecodeError) -> [DNSOption] {
    var options: [DNSOption] = []
    var offset = start
    while offset < end {
      try need(4, at: offset, end: end, "OPT option header")
      let code = try u16(offset, "OPT option code")
      let length = Int(try u16(offset + 2, "OPT option length"))
      try need(length, at: offset + 4, end: end, "OPT option data")
      guard let data = reader.slice(offset + 4, length) else {
        throw DNSDecodeError(.truncated, "OPT option data runs past the end", at: offset + 4)
      }
      options.append(DNSOption(code: code, data: Array(data)))
      offset += 4 + length
    }
    return options
  }
}
