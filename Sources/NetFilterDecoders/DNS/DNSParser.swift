import NetFilterSyntax

/// The DNS wire-format decoder behind ``DNSMessage/decode(_:)``. Every read is bounds-checked
/// through ``ByteReader``; offsets are relative to the reader's first byte.
package struct DNSParser {
  package let reader: ByteReader

  /// The header and the four sections.
  package func message() throws(DNSDecodeError) -> DNSMessage {
    guard reader.count >= 12 else {
      throw DNSDecodeError(.truncated, "header needs 12 bytes, have \(reader.count)", at: 0)
    }
    let flags = try u16(2, "flags")
    var message = DNSMessage(
      id: try u16(0, "id"),
      qr: flags & 0x8000 != 0,
      opcode: UInt8(flags >> 11 & 0xF),
      aa: flags & 0x0400 != 0,
      tc: flags & 0x0200 != 0,
      rd: flags & 0x0100 != 0,
      ra: flags & 0x0080 != 0,
      z: UInt8(flags >> 4 & 0x7),
      rcode: UInt8(flags & 0xF),
      qdCount: try u16(4, "QDCOUNT"),
      anCount: try u16(6, "ANCOUNT"),
      nsCount: try u16(8, "NSCOUNT"),
      arCount: try u16(10, "ARCOUNT")
    )
    try checkCounts(message)
    var offset = 12
    for _ in 0..<Int(message.qdCount) {
      message.questions.append(try question(at: &offset))
    }
    message.answers = try records(Int(message.anCount), at: &offset)
    message.authorities = try records(Int(message.nsCount), at: &offset)
    message.additionals = try records(Int(message.arCount), at: &offset)
    return message
  }

  /// Rejects counts above the per-section cap, and counts whose smallest possible encoding
  /// (5 bytes a question, 11 a record) would not fit in the bytes after the header.
  package func checkCounts(_ message: DNSMessage) throws(DNSDecodeError) {
    try checkCap(message.qdCount, at: 4)
    try checkCap(message.anCount, at: 6)
    try checkCap(message.nsCount, at: 8)
    try checkCap(message.arCount, at: 10)
    let records = Int(message.anCount) + Int(message.nsCount) + Int(message.arCount)
    let needed = 5 * Int(message.qdCount) + 11 * records
    guard needed <= reader.count - 12 else {
      throw DNSDecodeError(
        .countsExceedData,
        "section counts need at least \(needed) bytes, have \(reader.count - 12)",
        at: 4
      )
    }
  }

  /// Rejects one section count above ``DNSMessage/maxRecordsPerSection``.
  package func checkCap(_ count: UInt16, at offset: Int) throws(DNSDecodeError) {
    guard Int(count) <= DNSMessage.maxRecordsPerSection else {
      throw DNSDecodeError(
        .tooManyRecords,
        "section count \(count) exceeds \(DNSMessage.maxRecordsPerSection)",
        at: offset
      )
    }
  }

  /// One question at `offset`, advancing it.
  package func question(at offset: inout Int) throws(DNSDecodeError) -> DNSQuestion {
    let (name, next) = try name(at: offset, limit: reader.count)
    let question = DNSQuestion(
      name: name,
      type: try u16(next, "question type"),
      class: try u16(next + 2, "question class")
    )
    offset = next + 4
    return question
  }

  /// `count` resource records starting at `offset`, advancing it.
  package func records(_ count: Int, at offset: inout Int) throws(DNSDecodeError) -> [DNSResourceRecord] {
    var result: [DNSResourceRecord] = []
    result.reserveCapacity(count)
    for _ in 0..<count {
      result.append(try record(at: &offset))
    }
    return result
  }

  /// One resource record at `offset`, advancing it past its RDATA.
  package func record(at offset: inout Int) throws(DNSDecodeError) -> DNSResourceRecord {
    let (name, fixed) = try name(at: offset, limit: reader.count)
    let type = try u16(fixed, "record type")
    let recordClass = try u16(fixed + 2, "record class")
    let ttl = try u32(fixed + 4, "record TTL")
    let length = Int(try u16(fixed + 8, "RDLENGTH"))
    let start = fixed + 10
    guard let raw = reader.slice(start, length) else {
      throw DNSDecodeError(
        .truncated,
        "RDATA of \(length) bytes runs past the end (\(reader.count - start) left)",
        at: start
      )
    }
    let data = try rdata(type: type, start: start, end: start + length, raw: Array(raw))
    offset = start + length
    return DNSResourceRecord(
      name: name,
      type: type,
      class: recordClass,
      ttl: ttl,
      data: data,
      rawData: Array(raw)
    )
  }

  // MARK: Names

  /// The name at `offset` and the offset just past it (past the first pointer, if any). In-line
  /// labels must lie before `limit`. Each pointer must point before the first byte of the labels
  /// read since the previous jump, so positions strictly decrease and no loop is possible.
  package func name(at offset: Int, limit: Int) throws(DNSDecodeError) -> (String, Int) {
    var text: [UInt8] = []
    var position = offset
    var runStart = offset
    var resume: Int? = nil
    var wireLength = 1
    var jumps = 0
    while true {
      guard position < limit, let length = reader.u8(position) else {
        throw DNSDecodeError(.truncated, "name runs past the end", at: position)
      }
      switch length & 0xC0 {
      case 0x00 where length == 0:
        return (String(decoding: text, as: UTF8.self), resume ?? position + 1)
      case 0x00:
        wireLength += 1 + Int(length)
        guard wireLength <= DNSMessage.maxNameLength else {
          throw DNSDecodeError(
            .nameTooLong,
            "name longer than \(DNSMessage.maxNameLength) octets",
            at: position
          )
        }
        guard position + 1 + Int(length) <= limit,
          let label = reader.slice(position + 1, Int(length))
        else {
          throw DNSDecodeError(.truncated, "label of \(length) bytes runs past the end", at: position)
        }
        if !text.isEmpty { text.append(UInt8(ascii: ".")) }
        text.append(contentsOf: label)
        position += 1 + Int(length)
      case 0xC0:
        let target = try pointer(at: position, limit: limit, runStart: runStart, jumps: &jumps)
        if resume == nil { resume = position + 2 }
        position = target
        runStart = target
      default:
        throw DNSDecodeError(
          .labelTooLong,
          "label length byte 0x\(String(length, radix: 16)) (over 63)",
          at: position
        )
      }
    }
  }

  /// The target of the compression pointer at `position`, checked to point strictly before
  /// `runStart` and counted against the jump limit.
  package func pointer(at position: Int, limit: Int, runStart: Int, jumps: inout Int)
    throws(DNSDecodeError) -> Int
  {
    guard position + 2 <= limit, let word = reader.u16(position) else {
      throw DNSDecodeError(.truncated, "compression pointer runs past the end", at: position)
    }
    let target = Int(word & 0x3FFF)
    guard target < runStart else {
      throw DNSDecodeError(
        .badPointer,
        "compression pointer to \(target) does not point backwards",
        at: position
      )
    }
    jumps += 1
    guard jumps <= DNSMessage.maxPointerJumps else {
      throw DNSDecodeError(
        .tooManyPointers,
        "more than \(DNSMessage.maxPointerJumps) compression pointers",
        at: position
      )
    }
    return target
  }

  // MARK: Fixed-width reads

  /// The 16-bit value at `offset`, or a truncation error naming `what`.
  package func u16(_ offset: Int, _ what: String) throws(DNSDecodeError) -> UInt16 {
    guard let value = reader.u16(offset) else {
      throw DNSDecodeError(.truncated, "\(what) runs past the end", at: offset)
    }
    return value
  }

  /// The 32-bit value at `offset`, or a truncation error naming `what`.
  package func u32(_ offset: Int, _ what: String) throws(DNSDecodeError) -> UInt32 {
    guard let value = reader.u32(offset) else {
      throw DNSDecodeError(.truncated, "\(what) runs past the end", at: offset)
    }
    return value
  }
}
