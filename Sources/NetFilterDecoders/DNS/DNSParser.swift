import NetFilterSyntax

/// The DNS wire-format decoder behind ``DNSMessage/decode(_:)``. Every read is bounds-checked
/// through ``ByteReader``; offsets are relative to the reader's first byte.
///
/// ``message()`` builds the message; ``validate()`` walks it the same way, through the same
/// checks in the same order, building nothing (no allocation unless the message is malformed), so
/// that a packet whose DNS payload is not needed is still counted as malformed when it would be.
package struct DNSParser {
  package let reader: ByteReader

  /// The header and the four sections.
  package func message() throws(DNSDecodeError) -> DNSMessage {
    var message = try header()
    var offset = 12
    message.questions.reserveCapacity(Int(message.qdCount))
    for _ in 0..<Int(message.qdCount) {
      message.questions.append(try question(at: &offset))
    }
    var malformation: DNSDecodeError? = nil
    message.answers = try records(Int(message.anCount), at: &offset, &malformation)
    message.authorities = try records(Int(message.nsCount), at: &offset, &malformation)
    message.additionals = try records(Int(message.arCount), at: &offset, &malformation)
    message.malformation = malformation
    return message
  }

  /// What ``message()`` would make of the message, without building it: the error it would throw,
  /// else its ``DNSMessage/malformation`` (nil for a well-formed message).
  package func validate() throws(DNSDecodeError) -> DNSDecodeError? {
    guard reader.count >= 12 else { throw shortHeader() }
    let questions = Int(reader.be16(4))
    let records = Int(reader.be16(6)) + Int(reader.be16(8)) + Int(reader.be16(10))
    try checkCounts(questions: questions, records: records)
    var offset = 12
    for _ in 0..<questions {
      let next = try skipName(at: offset, limit: reader.count)
      _ = try questionFields(next)
      offset = next + 4
    }
    var malformation: DNSDecodeError? = nil
    for _ in 0..<records {
      let fixed = try skipName(at: offset, limit: reader.count)
      let fields = try recordFields(fixed)
      try checkRData(type: fields.type, start: fields.start, end: fields.end, &malformation)
      offset = fields.end
    }
    return malformation
  }

  /// The 12-byte header, its counts checked against the bytes after it.
  package func header() throws(DNSDecodeError) -> DNSMessage {
    guard reader.count >= 12 else { throw shortHeader() }
    let flags = reader.be16(2)
    let message = DNSMessage(
      id: reader.be16(0),
      qr: flags & 0x8000 != 0,
      opcode: UInt8(flags >> 11 & 0xF),
      aa: flags & 0x0400 != 0,
      tc: flags & 0x0200 != 0,
      rd: flags & 0x0100 != 0,
      ra: flags & 0x0080 != 0,
      z: UInt8(flags >> 4 & 0x7),
      rcode: UInt8(flags & 0xF),
      qdCount: reader.be16(4),
      anCount: reader.be16(6),
      nsCount: reader.be16(8),
      arCount: reader.be16(10)
    )
    try checkCounts(
      questions: Int(message.qdCount),
      records: Int(message.anCount) + Int(message.nsCount) + Int(message.arCount)
    )
    return message
  }

  /// The error for a message shorter than its header.
  package func shortHeader() -> DNSDecodeError {
    DNSDecodeError(.truncated, "header needs 12 bytes, have \(reader.count)", at: 0)
  }

  /// Rejects counts whose smallest possible encoding (5 bytes a question, 11 a record) would not
  /// fit in the bytes after the header. This is the only bound on the number of records: a
  /// section holds as many as the message has room for (at most 5,956 records in the 65,535
  /// bytes of a DNS message over TCP).
  package func checkCounts(questions: Int, records: Int) throws(DNSDecodeError) {
    let needed = 5 * questions + 11 * records
    guard needed <= reader.count - 12 else {
      throw DNSDecodeError(
        .countsExceedData,
        "section counts need at least \(needed) bytes, have \(reader.count - 12)",
        at: 4
      )
    }
  }

  /// One question at `offset`, advancing it.
  package func question(at offset: inout Int) throws(DNSDecodeError) -> DNSQuestion {
    let (name, next) = try name(at: offset, limit: reader.count)
    let (type, questionClass) = try questionFields(next)
    offset = next + 4
    return DNSQuestion(name: name, type: type, class: questionClass)
  }

  /// QTYPE and QCLASS of the question whose name ends at `next`.
  @inline(__always)
  package func questionFields(_ next: Int) throws(DNSDecodeError) -> (UInt16, UInt16) {
    if reader.has(next, 4) { return (reader.be16(next), reader.be16(next + 2)) }
    return (try u16(next, "question type"), try u16(next + 2, "question class"))
  }

  /// `count` resource records starting at `offset`, advancing it; the first malformed record
  /// (one that decodes, but not as its type requires) is noted in `malformation`.
  package func records(_ count: Int, at offset: inout Int, _ malformation: inout DNSDecodeError?)
    throws(DNSDecodeError) -> [DNSResourceRecord]
  {
    var result: [DNSResourceRecord] = []
    result.reserveCapacity(count)
    for _ in 0..<count {
      result.append(try record(at: &offset, &malformation))
    }
    return result
  }

  /// One resource record at `offset`, advancing it past its RDATA.
  package func record(at offset: inout Int, _ malformation: inout DNSDecodeError?) throws(DNSDecodeError)
    -> DNSResourceRecord
  {
    let (name, fixed) = try name(at: offset, limit: reader.count)
    let fields = try recordFields(fixed)
    let raw = Array(reader.bytes[(reader.start + fields.start)..<(reader.start + fields.end)])
    let data = try rdata(type: fields.type, start: fields.start, end: fields.end, raw: raw, &malformation)
    offset = fields.end
    return DNSResourceRecord(
      name: name,
      type: fields.type,
      class: fields.class,
      ttl: fields.ttl,
      data: data,
      rawData: raw
    )
  }

  /// TYPE, CLASS, TTL and where the RDATA lies, for the record whose name ends at `fixed`; the
  /// RDATA must lie within the message.
  @inline(__always)
  package func recordFields(_ fixed: Int) throws(DNSDecodeError)
    -> (type: UInt16, class: UInt16, ttl: UInt32, start: Int, end: Int)
  {
    let type: UInt16, recordClass: UInt16, ttl: UInt32, length: Int
    if reader.has(fixed, 10) {
      (type, recordClass, ttl) = (reader.be16(fixed), reader.be16(fixed + 2), reader.be32(fixed + 4))
      length = Int(reader.be16(fixed + 8))
    } else {
      type = try u16(fixed, "record type")
      recordClass = try u16(fixed + 2, "record class")
      ttl = try u32(fixed + 4, "record TTL")
      length = Int(try u16(fixed + 8, "RDLENGTH"))
    }
    let start = fixed + 10
    guard start + length <= reader.count else {
      throw DNSDecodeError(
        .truncated,
        "RDATA of \(length) bytes runs past the end (\(reader.count - start) left)",
        at: start
      )
    }
    return (type, recordClass, ttl, start, start + length)
  }

  // MARK: Names

  /// The name at `offset` and the offset just past it (past its first pointer, if any); see
  /// ``walkName(at:limit:_:)``.
  package func name(at offset: Int, limit: Int) throws(DNSDecodeError) -> (String, Int) {
    var text: [UInt8] = []
    text.reserveCapacity(64)  // most names: one allocation, not one per doubling
    let next = try walkName(at: offset, limit: limit) { start, length in
      if !text.isEmpty { text.append(UInt8(ascii: ".")) }
      text.append(contentsOf: reader.bytes[(reader.start + start)..<(reader.start + start + length)])
    }
    return (String(decoding: text, as: UTF8.self), next)
  }

  /// The offset just past the name at `offset`, checked as ``name(at:limit:)`` checks it.
  package func skipName(at offset: Int, limit: Int) throws(DNSDecodeError) -> Int {
    try walkName(at: offset, limit: limit) { _, _ in }
  }

  /// Walks the name at `offset`, handing `label` the offset and length of each label in order, and
  /// returns the offset just past the name (past its first pointer, if any). The labels written
  /// in line must lie before `limit` (at most the message's end; the end of the RDATA for a name
  /// inside one); a compression
  /// pointer may point anywhere in the message, backwards or forwards (RFC 1035 says "a prior
  /// occurrence", but encoders and tshark accept later ones), and what it points to may use the
  /// whole message. A loop is impossible: a name follows at most ``DNSMessage/maxPointerJumps``
  /// pointers and holds at most ``DNSMessage/maxNameLength`` octets.
  @inline(__always)
  package func walkName(at offset: Int, limit: Int, _ label: (Int, Int) -> Void) throws(DNSDecodeError) -> Int {
    var position = offset
    var limit = min(limit, reader.count)
    var resume: Int? = nil
    var wireLength = 1
    var jumps = 0
    while true {
      guard position >= 0, position < limit else {
        throw DNSDecodeError(.truncated, "name runs past the end", at: position)
      }
      let length = reader.at(position)
      switch length & 0xC0 {
      case 0x00 where length == 0:
        return resume ?? position + 1
      case 0x00:
        wireLength += 1 + Int(length)
        guard wireLength <= DNSMessage.maxNameLength else {
          throw DNSDecodeError(
            .nameTooLong,
            "name longer than \(DNSMessage.maxNameLength) octets",
            at: position
          )
        }
        guard position + 1 + Int(length) <= limit else {
          throw DNSDecodeError(.truncated, "label of \(length) bytes runs past the end", at: position)
        }
        label(position + 1, Int(length))
        position += 1 + Int(length)
      case 0xC0:
        let target = try pointer(at: position, limit: limit, jumps: &jumps)
        if resume == nil { resume = position + 2 }
        position = target
        limit = reader.count
      default:
        throw DNSDecodeError(
          .labelTooLong,
          "label length byte 0x\(String(length, radix: 16)) (over 63)",
          at: position
        )
      }
    }
  }

  /// The target of the compression pointer at `position`: inside the message and not the pointer
  /// itself, counted against the jump limit.
  @inline(__always)
  package func pointer(at position: Int, limit: Int, jumps: inout Int) throws(DNSDecodeError) -> Int {
    guard position + 2 <= limit, reader.has(position, 2) else {
      throw DNSDecodeError(.truncated, "compression pointer runs past the end", at: position)
    }
    let target = Int(reader.be16(position) & 0x3FFF)
    guard target < reader.count else {
      throw DNSDecodeError(
        .badPointer,
        "compression pointer to \(target) points past the end (\(reader.count) bytes)",
        at: position
      )
    }
    guard target != position else {
      throw DNSDecodeError(.badPointer, "compression pointer points to itself", at: position)
    }
    jumps += 1
    guard jumps <= DNSMessage.maxPointerJumps else {
      throw DNSDecodeError(
        .tooManyPointers,
        "more than \(DNSMessage.maxPointerJumps) compression pointers (a loop)",
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
