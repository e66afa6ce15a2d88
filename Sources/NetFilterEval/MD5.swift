import Foundation

/// MD5 (RFC 1321) for the `md5()` function, which compares digests, not secrets.
enum MD5 {
  private static let shifts: [UInt32] = [
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15,
    21,
  ]
  private static let constants: [UInt32] = (0..<64).map { i in
    UInt32(truncatingIfNeeded: Int64((abs(sin(Double(i + 1))) * 4_294_967_296).rounded(.down)))
  }

  /// The digest of `message` as 32 lowercase hex digits.
  static func hex(_ message: [UInt8]) -> String {
    var bytes = message
    let bitLength = UInt64(message.count) &* 8
    bytes.append(0x80)
    while bytes.count % 64 != 56 { bytes.append(0) }
    for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
    var state: [UInt32] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476]
    for chunk in stride(from: 0, to: bytes.count, by: 64) {
      let words = (0..<16).map { i in
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[chunk + i * 4 + $1]) << UInt32($1 * 8) }
      }
      compress(&state, words)
    }
    return state.map { word in
      (0..<4).map { byte in
        let value = UInt8(truncatingIfNeeded: word >> UInt32(byte * 8))
        return String(value >> 4, radix: 16) + String(value & 0xF, radix: 16)
      }.joined()
    }.joined()
  }

  private static func compress(_ state: inout [UInt32], _ words: [UInt32]) {
    var (a, b, c, d) = (state[0], state[1], state[2], state[3])
    for i in 0..<64 {
      var f: UInt32
      let g: Int
      switch i {
      case 0..<16: (f, g) = ((b & c) | (~b & d), i)
      case 16..<32: (f, g) = ((d & b) | (~d & c), (5 * i + 1) % 16)
      case 32..<48: (f, g) = (b ^ c ^ d, (3 * i + 5) % 16)
      default: (f, g) = (c ^ (b | ~d), (7 * i) % 16)
      }
      f = f &+ a &+ constants[i] &+ words[g]
      a = d
      d = c
      c = b
      b = b &+ (f << shifts[i] | f >> (32 - shifts[i]))
    }
    state[0] &+= a
    state[1] &+= b
    state[2] &+= c
    state[3] &+= d
  }
}
