/// Recognises a DNS message on a port that is not a DNS port, by a strict walk of its structure
/// (the way Suricata's probing parsers do), without allocating.
///
/// The rule, for a payload on any UDP or TCP port other than 53 and 5353:
/// - over TCP, a 2-byte length prefix equal to the rest of the segment (one whole message);
/// - a 12-byte header with opcode QUERY (0), the Z bit clear and exactly one question; a query
///   (QR clear) has RCODE 0, no answers, no authorities and at most one additional record (EDNS);
/// - a well-formed question (labels of at most 63 bytes, a name of at most 255 bytes, compression
///   pointers only backwards: stricter than the decoder, which follows forward pointers too) of
///   class IN, CH, HS or ANY;
/// - every record well-formed (owner name, type, class, TTL, RDLENGTH within the message);
/// - the message ends exactly where its last record ends;
/// - and the whole message decodes, every record well-formed (``DNSMessage/check(_:)``: record data
///   included, names in CNAME, NS, PTR, MX, SOA and SRV data, character-strings, EDNS options, A
///   and AAAA of their length).
///
/// On ports 53 and 5353 ``ApplicationDetector`` keeps the looser test Wireshark applies there.
package enum DNSProbe {
  /// The kind of DNS message `payload` is, or `.none` when it is not one by the rule above.
  package static func kind(_ payload: ByteReader, tcp: Bool) -> PacketKind.Application {
    var message = payload
    if tcp {
      guard let length = payload.u16(0), Int(length) == payload.count - 2,
        let body = payload.sub(from: 2, length: Int(length))
      else { return .none }
      message = body
    }
    // The walk rejects almost every other payload; what passes must also decode whole and
    // well-formed (record data included), so that a DNS event on any port always decodes.
    guard isMessage(message), case .some(.none) = try? DNSParser(reader: message).validate() else { return .none }
    return message.at(2) & 0x80 == 0 ? .dnsRequest : .dnsResponse
  }

  /// Whether `message` is one whole DNS message by the rule above.
  static func isMessage(_ message: ByteReader) -> Bool {
    // Header (12) plus the smallest question (root name, type, class: 5).
    guard message.count >= 17 else { return false }
    let flags = message.be16(2)
    let response = flags & 0x8000 != 0
    guard flags & 0x7800 == 0, flags & 0x0040 == 0, message.be16(4) == 1 else { return false }
    let answers = Int(message.be16(6))
    let authorities = Int(message.be16(8))
    let additionals = Int(message.be16(10))
    if !response, flags & 0x000F != 0 || answers != 0 || authorities != 0 || additionals > 1 { return false }
    guard let question = skipName(message, at: 12), question + 4 <= message.count else { return false }
    let questionClass = message.be16(question + 2)
    guard questionClass == 1 || questionClass == 3 || questionClass == 4 || questionClass == 255 else {
      return false
    }
    var offset = question + 4
    for _ in 0..<(answers + authorities + additionals) {
      guard let fixed = skipName(message, at: offset), fixed + 10 <= message.count else { return false }
      offset = fixed + 10 + Int(message.be16(fixed + 8))
      guard offset <= message.count else { return false }
    }
    return offset == message.count
  }

  /// The offset just past the name at `offset` (past its first pointer, if any), or nil when the
  /// name is not well-formed: a label over 63 bytes, a name over 255 bytes, a pointer that does
  /// not point strictly backwards, or bytes past the end.
  static func skipName(_ message: ByteReader, at offset: Int) -> Int? {
    var position = offset
    var runStart = offset
    var resume: Int?
    var wireLength = 1
    var jumps = 0
    while position < message.count {
      let length = message.at(position)
      switch length & 0xC0 {
      case 0x00 where length == 0:
        return resume ?? position + 1
      case 0x00:
        wireLength += 1 + Int(length)
        position += 1 + Int(length)
        guard wireLength <= DNSMessage.maxNameLength, position < message.count else { return nil }
      case 0xC0:
        guard position + 1 < message.count, jumps < DNSMessage.maxPointerJumps else { return nil }
        let target = Int(message.be16(position) & 0x3FFF)
        guard target < runStart, target >= 12 else { return nil }
        jumps += 1
        if resume == nil { resume = position + 2 }
        position = target
        runStart = target
      default:
        return nil
      }
    }
    return nil
  }
}
