import Foundation
import NetFilterSyntax
import NetFilterTestSupport
import Testing

@testable import NetFilterDecoders

private func decode(_ bytes: [UInt8]) throws(DNSDecodeError) -> DNSMessage {
  try DNSMessage.decode(ByteReader(bytes))
}

/// The error decoding `bytes` raises (the test fails if it decodes).
private func failure(_ bytes: [UInt8], tcp: Bool = false) -> DNSDecodeError? {
  do {
    let message = tcp ? try DNSMessage.decodeTCP(ByteReader(bytes)) : try decode(bytes)
    Issue.record("expected a decode error, got \(message)")
    return nil
  } catch {
    return error
  }
}

/// The only answer of a response to example.com carrying one record.
private func answer(type: UInt16, rdata: [UInt8], class: UInt16 = 1) throws -> DNSResourceRecord {
  let bytes = DNSWire.response(answers: [DNSWire.record([0xC0, 12], type: type, class: `class`, rdata: rdata)])
  let message = try decode(bytes)
  try #require(message.answers.count == 1)
  #expect(message.answers[0].name == "example.com")
  return message.answers[0]
}

/// DNS decoding: header, every record type, compression, TCP, a real capture, hostile input.
@Suite struct DNSTests {}

extension DNSTests {
  @Suite struct Header {
    @Test func headerFieldsAndNames() throws {
      // QR=1 opcode=2 AA TC RD | RA Z=0b101 RCODE=3
      let message = try decode(DNSWire.header(id: 0xBEEF, flags: 0b1_0010_1_1_1_1_101_0011))
      #expect(message.id == 0xBEEF)
      #expect(message.qr && message.aa && message.tc && message.rd && message.ra)
      #expect(message.opcode == 2 && message.z == 5 && message.rcode == 3)
      #expect(message.opcodeName == "status")
      #expect(message.responseCodeName == "non-existent domain")
      #expect(message.rcodeFibratus == "NXDOMAIN")
      #expect(message.questions.isEmpty && message.answers.isEmpty)
    }

    @Test func gopacketStrings() {
      let names = (0...6).map { DNSMessage(opcode: UInt8($0)).opcodeName }
      #expect(names == ["query", "inverse query", "status", "unknown", "notify", "update", "unknown"])
      #expect(DNSMessage(rcode: 2).responseCodeName == "server failure ")  // gopacket's trailing space
      #expect(DNSMessage(rcode: 5).responseCodeName == "query refused")
      #expect(DNSMessage(rcode: 11).responseCodeName == "unknown")
      #expect(DNSMessage(rcode: 9).rcodeFibratus == "NOTAUTH")
      #expect(DNSMessage(rcode: 15).rcodeFibratus == "INVALID")
      let types: [UInt16] = [1, 2, 5, 6, 12, 13, 15, 16, 28, 33, 41, 64, 65, 256, 257, 0]
      #expect(
        types.map(DNSMessage.typeName) == [
          "A", "NS", "CNAME", "SOA", "PTR", "HINFO", "MX", "TXT", "AAAA", "SRV", "OPT", "Unknown",
          "Unknown", "URI", "Unknown", "Unknown",
        ]
      )
      #expect([1, 2, 3, 4, 255, 1232].map(DNSMessage.className) == ["IN", "CS", "CH", "HS", "Any", "Unknown"])
    }

    @Test func extendedRcodeFromOPT() throws {
      // An OPT record whose TTL carries extended RCODE 1: with header RCODE 0 that is 16 (BADVERS).
      let opt = DNSWire.record([0], type: 41, class: 1232, ttl: 0x0100_0000, rdata: [])
      let message = try decode(DNSWire.header(ar: 1) + opt)
      #expect(message.rcode == 0 && message.responseCode == 16)
      #expect(message.responseCodeName == "bad opt version" && message.rcodeFibratus == "BADSIG")
    }

    @Test func decodesFromAnOffsetReader() throws {
      let payload = DNSWire.response(answers: [DNSWire.record([0xC0, 12], type: 1, rdata: [1, 2, 3, 4])])
      let packet = [UInt8](repeating: 0xEE, count: 28) + payload + [0xEE]
      let message = try DNSMessage.decode(ByteReader(packet, start: 28, end: 28 + payload.count))
      #expect(message.answers.first?.answerText == "1.2.3.4")
    }
  }
}

extension DNSTests {
  @Suite struct Records {
    @Test func a() throws {
      let record = try answer(type: 1, rdata: [10, 1, 2, 3])
      #expect(record.data == .a(IPAddress(v4: 0x0A01_0203)))
      #expect(record.typeName == "A" && record.className == "IN" && record.ttl == 300)
      #expect(record.answerText == "10.1.2.3" && record.traceeAnswer == "10.1.2.3")
    }

    @Test func aaaa() throws {
      let record = try answer(type: 28, rdata: [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [1])
      #expect(record.data == .aaaa(IPAddress(v6High: 0x2001_0DB8_0000_0000, low: 1)))
      #expect(record.answerText == "2001:db8::1")
      let mapped = try answer(type: 28, rdata: Array(repeating: 0, count: 10) + [0xFF, 0xFF, 10, 0, 0, 1])
      #expect(mapped.answerText == "::ffff:10.0.0.1" && mapped.traceeAnswer == "10.0.0.1")  // Go's net.IP
    }

    @Test func wrongLengthAddressIsOther() throws {
      let record = try answer(type: 1, rdata: [1, 2, 3])
      #expect(record.data == .other(type: 1, data: [1, 2, 3]))
      #expect(record.answerText == "" && record.traceeAnswer == "?010203")
    }

    @Test func nameRecords() throws {
      #expect(try answer(type: 2, rdata: DNSWire.name("ns1.example.com")).data == .ns("ns1.example.com"))
      let cname = try answer(type: 5, rdata: [3] + Array("cdn".utf8) + [0xC0, 12])
      #expect(cname.data == .cname("cdn.example.com") && cname.answerText == "cdn.example.com")
      let ptr = try answer(type: 12, rdata: DNSWire.name("host.example.com"))
      #expect(ptr.data == .ptr("host.example.com") && ptr.traceeAnswer == "host.example.com")
    }

    @Test func mx() throws {
      let record = try answer(type: 15, rdata: DNSWire.u16(10) + [4] + Array("mail".utf8) + [0xC0, 12])
      #expect(record.data == .mx(preference: 10, name: "mail.example.com"))
      #expect(record.answerText == "mail.example.com" && record.traceeAnswer == "mail.example.com")
    }

    @Test func txtWithSeveralStrings() throws {
      let rdata: [UInt8] = [5] + Array("v=spf".utf8) + [0] + [3] + Array("1 a".utf8)
      let record = try answer(type: 16, rdata: rdata)
      #expect(record.data == .txt(["v=spf", "", "1 a"]))
      #expect(record.answerText == "v=spf1 a")
      #expect(record.traceeAnswer == String(decoding: rdata, as: UTF8.self))  // raw RDATA, as Tracee
      #expect(try answer(type: 16, rdata: []).data == .txt([]))
      #expect(
        try answer(type: 13, rdata: [3] + Array("x86".utf8) + [5] + Array("Linux".utf8)).data == .txt(["x86", "Linux"])
      )
    }

    @Test func soa() throws {
      let timers = [2024_010_101, 7200, 3600, 1_209_600, 300].flatMap { DNSWire.u32(UInt32($0)) }
      let record = try answer(
        type: 6,
        rdata: DNSWire.name("ns1.example.com") + [10] + Array("hostmaster".utf8) + [0xC0, 12] + timers
      )
      #expect(
        record.data
          == .soa(
            mname: "ns1.example.com",
            rname: "hostmaster.example.com",
            serial: 2024_010_101,
            refresh: 7200,
            retry: 3600,
            expire: 1_209_600,
            minimum: 300
          )
      )
      #expect(record.answerText == "ns1.example.com" && record.traceeAnswer == "not implemented")
    }

    @Test func srv() throws {
      let record = try answer(
        type: 33,
        rdata: DNSWire.u16(1) + DNSWire.u16(5) + DNSWire.u16(5060) + DNSWire.name("sip.example.com")
      )
      #expect(record.data == .srv(priority: 1, weight: 5, port: 5060, target: "sip.example.com"))
      #expect(record.answerText == "sip.example.com" && record.typeName == "SRV")
    }

    @Test func opt() throws {
      let rdata = DNSWire.u16(10) + DNSWire.u16(3) + [1, 2, 3] + DNSWire.u16(12) + DNSWire.u16(0)
      let message = try decode(DNSWire.header(ar: 1) + DNSWire.record([0], type: 41, class: 1232, ttl: 0, rdata: rdata))
      let record = try #require(message.additionals.first)
      #expect(record.name == "" && record.className == "Unknown")
      #expect(record.data == .opt([DNSOption(code: 10, data: [1, 2, 3]), DNSOption(code: 12, data: [])]))
      guard case .opt(let options) = record.data else { return }
      #expect(options.map(\.codeName) == ["Cookie", "CodePadding"])
    }

    @Test func uri() throws {
      let record = try answer(type: 256, rdata: DNSWire.u16(10) + DNSWire.u16(1) + Array("https://example.com/".utf8))
      #expect(record.data == .uri(priority: 10, weight: 1, target: "https://example.com/"))
      #expect(record.typeName == "URI" && record.answerText == "")
    }

    @Test func otherTypesKeepRawBytes() throws {
      let caa: [UInt8] = [0, 5] + Array("issueca.example".utf8)
      let record = try answer(type: 257, rdata: caa)
      #expect(record.data == .other(type: 257, data: caa) && record.rawData == caa)
      #expect(record.typeName == "Unknown" && record.traceeAnswer == "not implemented")
    }

    @Test func compressionAcrossSections() throws {
      // Question www.example.com at 12; "example.com" starts at 16.
      let cname = DNSWire.record([0xC0, 12], type: 5, rdata: [3] + Array("cdn".utf8) + [0xC0, 16])
      let cnameStart = 12 + DNSWire.name("www.example.com").count + 4
      let a = DNSWire.record([0xC0, UInt8(cnameStart + 12)], type: 1, rdata: [192, 0, 2, 7])
      let message = try decode(DNSWire.response("www.example.com", answers: [cname, a]))
      #expect(message.questions == [DNSQuestion(name: "www.example.com", type: 1)])
      #expect(message.answers.map(\.name) == ["www.example.com", "cdn.example.com"])
      #expect(message.answers.map(\.answerText) == ["cdn.example.com", "192.0.2.7"])
      #expect(message.questions[0].typeName == "A" && message.questions[0].className == "IN")
    }

    @Test func dnsOverTCP() throws {
      let body = DNSWire.response(answers: [DNSWire.record([0xC0, 12], type: 1, rdata: [1, 1, 1, 1])])
      let message = try DNSMessage.decodeTCP(ByteReader(DNSWire.u16(UInt16(body.count)) + body + [9, 9]))
      #expect(message.answers.first?.data == .a(IPAddress(v4: 0x0101_0101)))
      // Length prefix larger than the segment: a partial message is not decoded.
      #expect(failure(DNSWire.u16(UInt16(body.count + 1)) + body, tcp: true)?.kind == .badLength)
      // One byte: not even a length prefix.
      #expect(failure([0], tcp: true)?.kind == .truncated)
    }
  }
}

extension DNSTests {
  @Suite struct Fixtures {
    /// The captured dnsmasq payloads, by name.
    static let payloads: [String: [UInt8]] = {
      let path = String(#filePath).split(separator: "/").dropLast().joined(separator: "/")
      let text = (try? String(contentsOfFile: "/" + path + "/Fixtures/dnsmasq-example-test.txt", encoding: .utf8)) ?? ""
      let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
      return Dictionary(
        uniqueKeysWithValues: lines.map { line in
          let parts = line.split(separator: " ")
          return (String(parts[0]), DNSWire.hex(parts[1]))
        }
      )
    }()

    @Test func realResponsesFromDnsmasq() throws {
      let a = try decode(try #require(Fixtures.payloads["a-response"]))
      #expect(a.id == 0xA47F && a.qr && a.aa && a.rd && a.ra && a.rcodeFibratus == "NOERROR")
      #expect(a.questions == [DNSQuestion(name: "example.test", type: 1)])
      #expect(a.answers.map(\.answerText) == ["10.1.2.3"] && a.answers[0].ttl == 0)
      #expect(a.additionals.map(\.typeName) == ["OPT"] && a.additionals[0].class == 1232)
      let mx = try decode(try #require(Fixtures.payloads["mx-response"]))
      #expect(mx.answers.first?.data == .mx(preference: 10, name: "mail.example.test"))
      let txt = try decode(try #require(Fixtures.payloads["txt-response"]))
      #expect(txt.answers.first?.data == .txt(["v=spf1 -all"]))
      let tcp = try DNSMessage.decodeTCP(ByteReader(try #require(Fixtures.payloads["tcp-txt-response"])))
      #expect(tcp.answers == txt.answers && tcp.id == 0xFBAF)
    }

    @Test func realQueriesAndRefusal() throws {
      let query = try decode(try #require(Fixtures.payloads["a-query"]))
      #expect(!query.qr && query.opcodeName == "query" && query.questions.first?.name == "example.test")
      guard case .opt(let options) = query.additionals.first?.data else {
        Issue.record("query has no OPT")
        return
      }
      #expect(options.first?.codeName == "Cookie" && options.first?.data.count == 8)
      let refused = try decode(try #require(Fixtures.payloads["refused-response"]))
      #expect(refused.rcode == 5 && refused.responseCodeName == "query refused")
      #expect(refused.rcodeFibratus == "REFUSED" && refused.answers.isEmpty)
      #expect(refused.additionals.first?.data == .opt([DNSOption(code: 15, data: [0, 14])]))
      #expect(Fixtures.payloads.count == 10)
    }
  }
}

extension DNSTests {
  @Suite struct Adversarial {
    @Test func pointerToItself() {
      // The question name is a pointer at offset 12 to offset 12.
      let error = failure(DNSWire.header(qd: 1) + [0xC0, 12] + DNSWire.u16(1) + DNSWire.u16(1))
      #expect(error?.kind == .badPointer && error?.offset == 12)
    }

    @Test func twoPointersToEachOther() {
      // The question name at 12 is a label then a pointer; the answer name (at 20) points back to
      // 14, the question's pointer, which points forward to 20: a cycle 20 → 14 → 20, ended by
      // the jump limit.
      let bytes =
        DNSWire.header(qd: 1, an: 1) + [1, 0x61, 0xC0, 20] + DNSWire.u16(1) + DNSWire.u16(1)
        + DNSWire.record([0xC0, 14], type: 1, rdata: [1, 2, 3, 4])
      #expect(failure(bytes)?.kind == .tooManyPointers)
    }

    @Test func pointerLoopThroughLabels() {
      // "x" at 12, then a pointer at 14 back to 12: "x.x.x…", ended by the name length limit.
      let error = failure(DNSWire.header(qd: 1) + [1, 0x78, 0xC0, 12] + DNSWire.u16(1) + DNSWire.u16(1))
      #expect(error?.kind == .nameTooLong)
    }

    @Test func pointerPastTheEnd() {
      // A pointer from the question name to offset 0x3FF, past everything.
      let error = failure(DNSWire.header(qd: 1) + [0xC3, 0xFF] + DNSWire.u16(1) + DNSWire.u16(1))
      #expect(error?.kind == .badPointer && error?.offset == 12)
    }

    @Test func longPointerChain() throws {
      // An opaque record (type 99) whose RDATA is a chain of pointers, each to the one before
      // (the first to the question name); a second answer's name enters at the last. 70 jumps and
      // 128 decode (tshark follows them); 129 is over the limit.
      func message(pointers: Int) -> [UInt8] {
        let question = DNSWire.question(DNSWire.name("a"))
        let rdataStart = 12 + question.count + 2 + 10
        let chain: [UInt8] = (0..<pointers).flatMap { k -> [UInt8] in
          k == 0 ? [0xC0, 12] : DNSWire.u16(0xC000 | UInt16(rdataStart + 2 * (k - 1)))
        }
        let last = DNSWire.u16(0xC000 | UInt16(rdataStart + 2 * (pointers - 1)))
        return DNSWire.header(qd: 1, an: 2) + question + DNSWire.record([0xC0, 12], type: 99, rdata: chain)
          + DNSWire.record(last, type: 1, rdata: [1, 2, 3, 4])
      }
      #expect(try decode(message(pointers: 69)).answers.last?.name == "a")
      #expect(try decode(message(pointers: DNSMessage.maxPointerJumps - 1)).answers.last?.name == "a")
      #expect(failure(message(pointers: DNSMessage.maxPointerJumps))?.kind == .tooManyPointers)
    }

    @Test func truncatedHeader() {
      // Five bytes: not a header.
      let error = failure([0x12, 0x34, 0x81, 0x80, 0x00])
      #expect(error?.kind == .truncated && error?.offset == 0)
      #expect(failure([])?.kind == .truncated)
    }

    @Test func truncatedRData() {
      // RDLENGTH says 4, two bytes follow.
      var bytes = DNSWire.response(answers: [DNSWire.record([0xC0, 12], type: 1, rdata: [1, 2, 3, 4])])
      bytes.removeLast(2)
      #expect(failure(bytes)?.kind == .truncated)
    }

    @Test func truncatedName() {
      // A label of 7 announced, 3 bytes present.
      #expect(failure(DNSWire.header(qd: 1) + [7, 0x61, 0x62, 0x63] + [0, 0])?.kind == .truncated)
    }

    @Test func labelLongerThan63() {
      // A length byte of 64 (0x40): over 63, and a reserved label type.
      let bytes =
        DNSWire.header(qd: 1) + [64] + Array(repeating: 0x61, count: 64) + [0] + DNSWire.u16(1) + DNSWire.u16(1)
      let error = failure(bytes)
      #expect(error?.kind == .labelTooLong && error?.offset == 12)
      // 0x80 is the other reserved type.
      #expect(failure(DNSWire.header(qd: 1) + [0x80, 0, 0, 1, 0, 1])?.kind == .labelTooLong)
    }

    @Test func nameLongerThan255() {
      // Five labels of 63: 320 octets.
      let label = [UInt8(63)] + Array(repeating: 0x61, count: 63)
      let bytes =
        DNSWire.header(qd: 1) + Array(repeating: label, count: 5).flatMap { $0 } + [0] + DNSWire.u16(1) + DNSWire.u16(1)
      #expect(failure(bytes)?.kind == .nameTooLong)
      // Exactly 255 (three labels of 63, one of 61, the root) is fine.
      let longest = label + label + label + [61] + Array(repeating: 0x62, count: 61) + [0]
      #expect(longest.count == 255)
      #expect((try? decode(DNSWire.header(qd: 1) + longest + [0, 1, 0, 1]))?.questions.first?.name.count == 253)
    }

    @Test func hugeCountsWithoutData() {
      // ANCOUNT 65535 and nothing after the header.
      let error = failure(DNSWire.header(an: 0xFFFF))
      #expect(error?.kind == .countsExceedData && error?.offset == 4)
      // ANCOUNT 10, but 20 bytes cannot hold 10 records of at least 11 bytes.
      #expect(failure(DNSWire.header(an: 10) + Array(repeating: 0, count: 20))?.kind == .countsExceedData)
    }

    @Test func rdataInconsistentWithItsType() {
      // SOA with only 10 timer bytes; TXT string running past RDLENGTH; OPT option past RDLENGTH;
      // MX with one byte; a CNAME whose name runs past RDLENGTH into the next bytes.
      #expect(
        failure(
          DNSWire.response(answers: [
            DNSWire.record([0xC0, 12], type: 6, rdata: [0, 0] + Array(repeating: 0, count: 10))
          ])
        )?.kind == .badRData
      )
      #expect(
        failure(DNSWire.response(answers: [DNSWire.record([0xC0, 12], type: 16, rdata: [9, 0x61])]))?.kind == .badRData
      )
      #expect(
        failure(
          DNSWire.response(answers: [
            DNSWire.record([0xC0, 12], type: 41, rdata: DNSWire.u16(8) + DNSWire.u16(9) + [1])
          ])
        )?
        .kind == .badRData
      )
      #expect(
        failure(DNSWire.response(answers: [DNSWire.record([0xC0, 12], type: 15, rdata: [1])]))?.kind == .badRData
      )
      let spill =
        DNSWire.response(answers: [DNSWire.record([0xC0, 12], type: 5, rdata: [3, 0x61, 0x62])]) + [0x63, 0]
      #expect(failure(spill)?.kind == .truncated)
    }

    @Test func randomBytesNeverCrashOrHang() {
      var generator = SplitMix64(seed: 0x5EED_D45)
      let valid = DNSWire.response(answers: [
        DNSWire.record([0xC0, 12], type: 5, rdata: [3] + Array("cdn".utf8) + [0xC0, 12]),
        DNSWire.record(
          [0xC0, 12],
          type: 6,
          rdata: DNSWire.name("ns.x") + [0xC0, 12] + Array(repeating: 1, count: 20)
        ),
      ])
      // Random bytes, and the valid message with bytes replaced (whole or cut short).
      let inputs =
        generator.fuzzInputs(count: 10_000, maxLength: 300, seeds: [valid], truncate: false)
        + generator.fuzzInputs(count: 10_000, maxLength: 300, seeds: [valid], truncate: true)
      var decoded = 0
      let elapsed = ContinuousClock().measure {
        for bytes in inputs {
          if (try? decode(bytes)) != nil { decoded += 1 }
          _ = try? DNSMessage.decodeTCP(ByteReader(bytes))
        }
      }
      #expect(decoded > 0)
      #expect(elapsed < .seconds(2))
    }
  }
}

extension DNSTests {
  /// Messages tshark decodes that a filter must see: more than 512 records, forward compression
  /// pointers, addresses of the wrong length.
  @Suite struct Evasion {
    /// A response to `qname` with `count` A answers (10.0.x.y), each named by a pointer to the
    /// question.
    static func manyAnswers(_ count: Int, qname: String = "many.example.com") -> [UInt8] {
      let answers = (0..<count).map { index in
        DNSWire.record([0xC0, 12], type: 1, ttl: 60, rdata: [10, 0, UInt8(index >> 8), UInt8(index & 0xFF)])
      }
      return DNSWire.response(qname, answers: answers)
    }

    @Test func moreThan512Records() throws {
      // 600 answers over TCP (a 9,660-byte message): every one is decoded, the question too.
      let body = Self.manyAnswers(600)
      let message = try DNSMessage.decodeTCP(ByteReader(DNSWire.u16(UInt16(body.count)) + body))
      #expect(message.anCount == 600 && message.answers.count == 600)
      #expect(message.questions.first?.name == "many.example.com")
      #expect(message.answers.last?.answerText == "10.0.2.87" && message.malformation == nil)
      // 600 records in each of the four sections.
      let record = DNSWire.record([0xC0, 12], type: 16, rdata: [1, 0x74])
      let sections =
        DNSWire.header(qd: 1, an: 600, ns: 600, ar: 600) + DNSWire.question(DNSWire.name("t.test"), type: 16)
        + Array([[UInt8]](repeating: record, count: 1800).joined())
      let all = try decode(sections)
      #expect(all.answers.count == 600 && all.authorities.count == 600 && all.additionals.count == 600)
    }

    @Test func theMostRecordsAMessageCanHold() throws {
      // A 65,535-byte message of the smallest records (root name, type 0xFF00, no RDATA: 11 bytes)
      // holds 5,956 of them, the bound the counts check enforces.
      let count = (65_535 - 12) / 11
      let record = [0] + DNSWire.u16(0xFF00) + DNSWire.u16(1) + DNSWire.u32(0) + DNSWire.u16(0)
      let message = DNSWire.header(ar: UInt16(count)) + Array([[UInt8]](repeating: record, count: count).joined())
      #expect(count == 5_956 && message.count <= 65_535)
      let decoded = try DNSMessage.decodeTCP(ByteReader(DNSWire.u16(UInt16(message.count)) + message))
      #expect(decoded.additionals.count == count)
      // One more than fits is a malformed message, found before any record is read.
      let over = DNSWire.header(ar: UInt16(count + 1)) + Array([[UInt8]](repeating: record, count: count).joined())
      #expect(failure(over)?.kind == .countsExceedData)
    }

    @Test func forwardPointers() throws {
      // The question name is a pointer forwards into the answer's RDATA (type 99, opaque), which
      // holds "fwd.example.com"; the answer's owner points at the question's pointer.
      let rdata = DNSWire.name("fwd.example.com")
      let rdataStart = 12 + 6 + 2 + 10
      let bytes =
        DNSWire.header(qd: 1, an: 1) + [0xC0, UInt8(rdataStart)] + DNSWire.u16(1) + DNSWire.u16(1)
        + DNSWire.record([0xC0, 12], type: 99, rdata: rdata)
      let message = try decode(bytes)
      #expect(message.questions.first?.name == "fwd.example.com")
      #expect(message.answers.first?.name == "fwd.example.com")
      // A name inside RDATA (a CNAME) pointing forwards past its own RDATA into the next record:
      // the labels it reaches there may lie anywhere in the message.
      let question = DNSWire.question(DNSWire.name("a.test"))
      let cnameStart = 12 + question.count
      let secondRData = cnameStart + 2 + 10 + 2 + 2 + 10
      let forward =
        DNSWire.header(qd: 1, an: 2) + question
        + DNSWire.record([0xC0, 12], type: 5, rdata: DNSWire.u16(0xC000 | UInt16(secondRData)))
        + DNSWire.record([0xC0, 12], type: 99, rdata: [3] + Array("cdn".utf8) + [0xC0, 14])
      let cname = try decode(forward)
      #expect(cname.answers.first?.data == .cname("cdn.test"))
      // Labels written in line still must stay inside their RDATA.
      let spill =
        DNSWire.header(qd: 1, an: 1) + question + DNSWire.record([0xC0, 12], type: 5, rdata: [3, 0x61, 0x62])
        + [0x63, 0]
      #expect(failure(spill)?.kind == .truncated)
    }

    @Test func addressOfTheWrongLength() throws {
      // An A record of 16 bytes and an AAAA of 4, then a good A: the bad ones carry no address and
      // are not printed as one of the other family; the message is flagged, the rest decodes.
      let v6: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [1]
      let bytes = DNSWire.response(
        "addr.example.com",
        answers: [
          DNSWire.record([0xC0, 12], type: 1, rdata: v6),
          DNSWire.record([0xC0, 12], type: 28, rdata: [192, 0, 2, 1]),
          DNSWire.record([0xC0, 12], type: 1, rdata: [192, 0, 2, 7]),
        ]
      )
      let message = try decode(bytes)
      #expect(
        message.answers.map(\.data) == [
          .other(type: 1, data: v6), .other(type: 28, data: [192, 0, 2, 1]), .a(IPAddress(v4: 0xC000_0207)),
        ]
      )
      #expect(message.answers.map(\.answerText) == ["", "", "192.0.2.7"])
      #expect(message.answers.map(\.traceeAnswer) == ["?20010db8000000000000000000000001", "?c0000201", "192.0.2.7"])
      #expect(message.malformation?.kind == .badRData)
      #expect(message.malformation?.offset == 12 + DNSWire.name("addr.example.com").count + 4 + 12)
      #expect(message.questions.first?.name == "addr.example.com")
      #expect(try DNSMessage.check(ByteReader(bytes)) == message.malformation)
    }

    @Test func checkAgreesWithDecode() {
      // check() walks what decode() builds: on valid messages, mutated ones and random bytes it
      // throws the same error or gives the same malformation.
      var generator = SplitMix64(seed: 0xC4EC_C0DE)
      let seeds = [
        Self.manyAnswers(3),
        DNSWire.response(answers: [
          DNSWire.record([0xC0, 12], type: 5, rdata: [3] + Array("cdn".utf8) + [0xC0, 12]),
          DNSWire.record(
            [0xC0, 12],
            type: 6,
            rdata: DNSWire.name("ns.x") + [0xC0, 12] + Array(repeating: 1, count: 20)
          ),
          DNSWire.record([0xC0, 12], type: 15, rdata: DNSWire.u16(5) + [0xC0, 12]),
          DNSWire.record([0xC0, 12], type: 33, rdata: DNSWire.u16(1) + DNSWire.u16(2) + DNSWire.u16(3) + [0xC0, 12]),
          DNSWire.record([0xC0, 12], type: 16, rdata: [2, 0x61, 0x62, 0]),
          DNSWire.record([0], type: 41, rdata: DNSWire.u16(10) + DNSWire.u16(2) + [1, 2]),
          DNSWire.record([0xC0, 12], type: 28, rdata: Array(repeating: 1, count: 16)),
          DNSWire.record([0xC0, 12], type: 256, rdata: DNSWire.u16(1) + DNSWire.u16(1) + [0x61]),
        ]),
      ]
      let inputs =
        generator.fuzzInputs(count: 10_000, maxLength: 300, seeds: seeds, truncate: false)
        + generator.fuzzInputs(count: 10_000, maxLength: 300, seeds: seeds, truncate: true)
      var decoded = 0
      for bytes in inputs {
        let reader = ByteReader(bytes)
        let built: Result<DNSDecodeError?, DNSDecodeError> = Result { () throws(DNSDecodeError) in
          try DNSMessage.decode(reader).malformation
        }
        let checked: Result<DNSDecodeError?, DNSDecodeError> = Result { () throws(DNSDecodeError) in
          try DNSMessage.check(reader)
        }
        #expect(built == checked, "\(bytes)")
        if case .success = built { decoded += 1 }
      }
      #expect(decoded > 1_000)
    }
  }
}
