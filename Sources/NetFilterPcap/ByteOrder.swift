/// The byte order of a classic pcap file or of one pcapng section, read from its magic number.
enum ByteOrder: Sendable {
  case little
  case big

  /// The 16-bit number at `index` of `bytes`.
  @inline(__always)
  func u16(_ bytes: [UInt8], _ index: Int) -> UInt16 {
    let first = UInt16(bytes[index])
    let second = UInt16(bytes[index + 1])
    return self == .little ? first | second << 8 : first << 8 | second
  }

  /// The 32-bit number at `index` of `bytes`.
  @inline(__always)
  func u32(_ bytes: [UInt8], _ index: Int) -> UInt32 {
    let low = UInt32(u16(bytes, self == .little ? index : index + 2))
    let high = UInt32(u16(bytes, self == .little ? index + 2 : index))
    return high << 16 | low
  }

  /// The 64-bit number at `index` of `bytes`.
  func u64(_ bytes: [UInt8], _ index: Int) -> UInt64 {
    let low = UInt64(u32(bytes, self == .little ? index : index + 4))
    let high = UInt64(u32(bytes, self == .little ? index + 4 : index))
    return high << 32 | low
  }
}
