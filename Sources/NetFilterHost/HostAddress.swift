/// An IP address as 16 bytes in two words, with IPv4 addresses held IPv4-mapped (`::ffff:a.b.c.d`), so that an IPv4
/// packet and a dual-stack IPv6 socket carrying the same peer compare equal. A plain value: hashing and comparing it
/// never allocates.
public struct HostAddress: Hashable, Sendable, CustomStringConvertible {
  /// Bytes 0–7 of the IPv6 form, most significant byte first.
  public let high: UInt64
  /// Bytes 8–15 of the IPv6 form, most significant byte first.
  public let low: UInt64

  /// The address whose IPv6 form is `high` then `low` (big-endian words).
  public init(high: UInt64, low: UInt64) {
    self.high = high
    self.low = low
  }

  /// The IPv4 address `value`, whose most significant byte is the first octet (`0x7F00_0001` is 127.0.0.1).
  public init(ipv4 value: UInt32) {
    self.init(high: 0, low: 0xFFFF_0000_0000 | UInt64(value))
  }

  /// The address in `bytes`: 4 bytes for IPv4, 16 for IPv6, in network order; nil for any other length.
  public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
    switch bytes.count {
    case 4: self.init(ipv4: bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    case 16:
      let high = bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
      let low = bytes.dropFirst(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
      self.init(high: high, low: low)
    default: return nil
    }
  }

  /// The IPv4 unspecified address `0.0.0.0`.
  public static let anyIPv4 = HostAddress(ipv4: 0)
  /// The IPv6 unspecified address `::`.
  public static let anyIPv6 = HostAddress(high: 0, low: 0)

  /// Whether this is an IPv4 address (held IPv4-mapped).
  public var isIPv4: Bool { high == 0 && low >> 32 == 0xFFFF }

  /// The IPv4 address as a 32-bit value (first octet most significant), when this is one.
  public var ipv4: UInt32? { isIPv4 ? UInt32(truncatingIfNeeded: low) : nil }

  /// The unspecified address of this address's family: `0.0.0.0` for IPv4, `::` for IPv6.
  public var isUnspecified: Bool { self == .anyIPv4 || self == .anyIPv6 }

  /// The address's bytes in network order: 4 for IPv4, 16 for IPv6.
  public var bytes: [UInt8] {
    if let ipv4 { return (0..<4).map { UInt8(truncatingIfNeeded: ipv4 >> (24 - 8 * $0)) } }
    return (0..<16).map { index in
      let word = index < 8 ? high : low
      return UInt8(truncatingIfNeeded: word >> (56 - 8 * UInt64(index % 8)))
    }
  }

  /// Dotted quad for IPv4; for IPv6 the RFC 5952 form (lower case, longest zero run of two or more shortened to `::`).
  public var description: String {
    if let ipv4 { return (0..<4).map { String(ipv4 >> (24 - 8 * $0) & 0xFF) }.joined(separator: ".") }
    let groups = (0..<8).map { index in
      UInt16(truncatingIfNeeded: (index < 4 ? high : low) >> (48 - 16 * UInt64(index % 4)))
    }
    var best = (start: -1, length: 1)
    var index = 0
    while index < 8 {
      var end = index
      while end < 8 && groups[end] == 0 { end += 1 }
      if end - index > best.length { best = (index, end - index) }
      index = max(end, index + 1)
    }
    let hex = groups.map { String($0, radix: 16) }
    guard best.start >= 0 else { return hex.joined(separator: ":") }
    let head = hex[..<best.start].joined(separator: ":")
    let tail = hex[(best.start + best.length)...].joined(separator: ":")
    return head + "::" + tail
  }
}

/// The transport protocols whose sockets ``SocketOwners`` knows; raw values are the IP protocol numbers.
public enum SocketProtocol: UInt8, Sendable, CaseIterable {
  /// TCP (`/proc/net/tcp`, `/proc/net/tcp6`).
  case tcp = 6
  /// UDP (`/proc/net/udp`, `/proc/net/udp6`).
  case udp = 17
}
