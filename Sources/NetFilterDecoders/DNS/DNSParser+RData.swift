import NetFilterSyntax

/// RDATA decoding: every read stays inside `start..<end`, the record's RDLENGTH bytes (names may
/// still point elsewhere in the message, as compression allows). ``rdata(type:start:end:raw:_:)``
/// decodes, ``checkRData(type:start:end:_:)`` makes the same checks in the same order without
/// building anything.
extension DNSParser {
  /// The decoded RDATA of a record of `type` occupying `start..<end`. An A record whose RDATA is
  /// not 4 bytes, or an AAAA not 16, is kept as ``DNSRecordData/other(type:data:)`` (no address)
  /// and noted in `malformation`, as tshark marks such a record malformed.
  package func rdata(
    type: UInt16,
    start: Int,
    end: Int,
    raw: [UInt8],
    _ malformation: inout DNSDecodeError?
  ) throws(DNSDecodeError) -> DNSRecordData {
    switch type {
    case DNSRecordType.a:
      guard end - start == 4 else {
        note(addressLength(type: type, start: start, end: end), in: &malformation)
        return .other(type: type, data: raw)
      }
      return .a(IPAddress(v4: reader.be32(start)))
    case DNSRecordType.aaaa:
      guard end - start == 16 else {
        note(addressLength(type: type, start: start, end: end), in: &malformation)
        return .other(type: type, data: raw)
      }
      return .aaaa(IPAddress(v6High: reader.be64(start), low: reader.be64(start + 8)))
    case DNSRecordType.ns: return .ns(try name(at: start, limit: end).0)
    case DNSRecordType.cname: return .cname(try name(at: start, limit: end).0)
    case DNSRecordType.ptr: return .ptr(try name(at: start, limit: end).0)
    case DNSRecordType.mx:
      try need(2, at: start, end: end, "MX")
      return .mx(preference: reader.be16(start), name: try name(at: start + 2, limit: end).0)
    case DNSRecordType.txt, DNSRecordType.hinfo:
      var strings: [String] = []
      try walkCharacterStrings(start: start, end: end) { offset, length in
        strings.append(
          String(decoding: reader.bytes[(reader.start + offset)..<(reader.start + offset + length)], as: UTF8.self)
        )
      }
      return .txt(strings)
    case DNSRecordType.soa: return try soa(start: start, end: end)
    case DNSRecordType.srv:
      try need(6, at: start, end: end, "SRV")
      return .srv(
        priority: reader.be16(start),
        weight: reader.be16(start + 2),
        port: reader.be16(start + 4),
        target: try name(at: start + 6, limit: end).0
      )
    case DNSRecordType.opt:
      var options: [DNSOption] = []
      try walkOptions(start: start, end: end) { code, offset, length in
        options.append(
          DNSOption(code: code, data: Array(reader.bytes[(reader.start + offset)..<(reader.start + offset + length)]))
        )
      }
      return .opt(options)
    case DNSRecordType.uri:
      try need(4, at: start, end: end, "URI")
      return .uri(
        priority: reader.be16(start),
        weight: reader.be16(start + 2),
        target: String(decoding: raw.dropFirst(4), as: UTF8.self)
      )
    default:
      return .other(type: type, data: raw)
    }
  }

  /// The checks ``rdata(type:start:end:raw:_:)`` makes, in its order, building nothing.
  package func checkRData(type: UInt16, start: Int, end: Int, _ malformation: inout DNSDecodeError?)
    throws(DNSDecodeError)
  {
    switch type {
    case DNSRecordType.a, DNSRecordType.aaaa:
      if end - start != (type == DNSRecordType.a ? 4 : 16) {
        note(addressLength(type: type, start: start, end: end), in: &malformation)
      }
    case DNSRecordType.ns, DNSRecordType.cname, DNSRecordType.ptr:
      _ = try skipName(at: start, limit: end)
    case DNSRecordType.mx:
      try need(2, at: start, end: end, "MX")
      _ = try skipName(at: start + 2, limit: end)
    case DNSRecordType.txt, DNSRecordType.hinfo:
      try walkCharacterStrings(start: start, end: end) { _, _ in }
    case DNSRecordType.soa:
      let afterMName = try skipName(at: start, limit: end)
      let timers = try skipName(at: afterMName, limit: end)
      try need(20, at: timers, end: end, "SOA")
    case DNSRecordType.srv:
      try need(6, at: start, end: end, "SRV")
      _ = try skipName(at: start + 6, limit: end)
    case DNSRecordType.opt:
      try walkOptions(start: start, end: end) { _, _, _ in }
    case DNSRecordType.uri:
      try need(4, at: start, end: end, "URI")
    default:
      return
    }
  }

  /// Why an A or AAAA record's RDATA is malformed: its length is not the address's.
  package func addressLength(type: UInt16, start: Int, end: Int) -> DNSDecodeError {
    let name = type == DNSRecordType.a ? "A" : "AAAA"
    let expected = type == DNSRecordType.a ? 4 : 16
    return DNSDecodeError(
      .badRData,
      "\(name) RDATA is \(end - start) bytes, not \(expected); the record has no address",
      at: start
    )
  }

  /// Keeps the first record-level problem.
  package func note(_ problem: @autoclosure () -> DNSDecodeError, in malformation: inout DNSDecodeError?) {
    if malformation == nil { malformation = problem() }
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
      serial: reader.be32(timers),
      refresh: reader.be32(timers + 4),
      retry: reader.be32(timers + 8),
      expire: reader.be32(timers + 12),
      minimum: reader.be32(timers + 16)
    )
  }

  /// A run of <character-string>s (a length byte, then that many bytes) filling `start..<end`:
  /// `visit` gets the offset and length of each string's bytes.
  @inline(__always)
  package func walkCharacterStrings(start: Int, end: Int, _ visit: (Int, Int) -> Void) throws(DNSDecodeError) {
    var offset = start
    while offset < end {
      let length = Int(reader.at(offset))
      guard offset + 1 + length <= end else {
        throw DNSDecodeError(.badRData, "character-string runs past RDLENGTH", at: offset)
      }
      visit(offset + 1, length)
      offset += 1 + length
    }
  }

  /// EDNS options (code, length, data) filling `start..<end`: `visit` gets each option's code and
  /// the offset and length of its data.
  @inline(__always)
  package func walkOptions(start: Int, end: Int, _ visit: (UInt16, Int, Int) -> Void) throws(DNSDecodeError) {
    var offset = start
    while offset < end {
      try need(4, at: offset, end: end, "OPT option header")
      let code = reader.be16(offset)
      let length = Int(reader.be16(offset + 2))
      try need(length, at: offset + 4, end: end, "OPT option data")
      visit(code, offset + 4, length)
      offset += 4 + length
    }
  }
}
