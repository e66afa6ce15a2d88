import NetFilterTestSupport

/// Test scaffolding shared by DNSTests.swift and HTTPTests.swift: DNS wire-format builders and a
/// seeded random generator. (Kept here so the test files stay short.)

/// Hand-built DNS wire bytes.
enum DNSWire {
  static func u16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
  static func u32(_ value: UInt32) -> [UInt8] { u16(UInt16(value >> 16)) + u16(UInt16(value & 0xFFFF)) }

  /// A 12-byte header (default flags: a recursive response, RCODE 0).
  static func header(
    id: UInt16 = 0x1234,
    flags: UInt16 = 0x8180,
    qd: UInt16 = 0,
    an: UInt16 = 0,
    ns: UInt16 = 0,
    ar: UInt16 = 0
  ) -> [UInt8] {
    u16(id) + u16(flags) + u16(qd) + u16(an) + u16(ns) + u16(ar)
  }

  /// An uncompressed name ("" is the root).
  static func name(_ dotted: String) -> [UInt8] {
    let labels = dotted.split(separator: ".").map { [UInt8($0.utf8.count)] + Array($0.utf8) }
    return labels.flatMap { $0 } + [0]
  }

  static func question(_ name: [UInt8], type: UInt16 = 1, class: UInt16 = 1) -> [UInt8] {
    name + u16(type) + u16(`class`)
  }

  static func record(
    _ name: [UInt8],
    type: UInt16,
    class: UInt16 = 1,
    ttl: UInt32 = 300,
    rdata: [UInt8]
  ) -> [UInt8] {
    name + u16(type) + u16(`class`) + u32(ttl) + u16(UInt16(rdata.count)) + rdata
  }

  /// A response with one question for `qname` and the given answers.
  static func response(_ qname: String = "example.com", qtype: UInt16 = 1, answers: [[UInt8]])
    -> [UInt8]
  {
    header(qd: 1, an: UInt16(answers.count)) + question(name(qname), type: qtype) + answers.flatMap { $0 }
  }

  static func hex(_ text: Substring) -> [UInt8] {
    let digits = Array(text.utf8)
    return stride(from: 0, to: digits.count - 1, by: 2).map {
      UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)!
    }
  }
}

extension SplitMix64 {
  /// `count` random bytes.
  mutating func bytes(_ count: Int) -> [UInt8] {
    var result = [UInt8](repeating: 0, count: count)
    var word: UInt64 = 0
    var index = 0
    while index < count {
      if index & 7 == 0 { word = next() }
      result[index] = UInt8(truncatingIfNeeded: word)
      word >>= 8
      index += 1
    }
    return result
  }

  /// `count` fuzz inputs: a third random bytes shorter than `maxLength`, the rest one of `seeds`
  /// with up to four bytes replaced and, when `truncate` is set, cut to a random length.
  mutating func fuzzInputs(count: Int, maxLength: Int, seeds: [[UInt8]], truncate: Bool) -> [[UInt8]] {
    var inputs: [[UInt8]] = []
    inputs.reserveCapacity(count)
    for round in 0..<count {
      if round % 3 == 0 {
        inputs.append(bytes(Int(next() % UInt64(maxLength))))
        continue
      }
      var input = seeds[round % seeds.count]
      for _ in 0...(next() % 4) {
        input[Int(next() % UInt64(input.count))] = UInt8(truncatingIfNeeded: next())
      }
      if truncate { input.removeLast(Int(next() % UInt64(input.count))) }
      inputs.append(input)
    }
    return inputs
  }
}
