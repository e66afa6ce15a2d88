/// An IPv4 or IPv6 address, stored as 16 bytes in network order (IPv4 in the first 4).
public struct IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// Which family the address belongs to.
  public enum Family: Sendable, Hashable { case v4, v6 }

  /// The address family.
  public let family: Family
  /// The high 64 bits of the address (IPv4: the address in the top 32 bits).
  public let high: UInt64
  /// The low 64 bits of the address (always 0 for IPv4).
  public let low: UInt64

  /// Creates an IPv4 address from its 32-bit value in host order.
  public init(v4 value: UInt32) {
    family = .v4
    high = UInt64(value) << 32
    low = 0
  }

  /// Creates an IPv6 address from its two 64-bit halves in host order.
  public init(v6High high: UInt64, low: UInt64) {
    family = .v6
    self.high = high
    self.low = low
  }

  /// The 32-bit value of an IPv4 address.
  public var v4Value: UInt32 { UInt32(truncatingIfNeeded: high >> 32) }

  /// The number of bits in an address of this family.
  public var bitWidth: Int { family == .v4 ? 32 : 128 }

  /// The IPv4 address an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) stands for, if it is one.
  public var unmappedV4: IPAddress? {
    guard family == .v6, high == 0, low >> 32 == 0xFFFF else { return nil }
    return IPAddress(v4: UInt32(truncatingIfNeeded: low))
  }

  /// Parses an IPv4 dotted quad or an IPv6 address; `nil` if `text` is neither.
  public init?(_ text: some StringProtocol) {
    if let v4 = IPAddress.parseV4(Substring(text)) {
      self.init(v4: v4)
    } else if let (high, low) = IPAddress.parseV6(Substring(text)) {
      self.init(v6High: high, low: low)
    } else {
      return nil
    }
  }

  /// Whether `text` is a dotted quad with an octet written with a leading zero (`010.0.0.1`),
  /// which `inet_aton` reads as octal and `inet_pton` rejects: it is not an address here either.
  public static func hasLeadingZeroOctet(_ text: some StringProtocol) -> Bool {
    let octets = text.split(separator: ".", omittingEmptySubsequences: false)
    return octets.count == 4
      && octets.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
      && octets.contains { $0.count > 1 && $0.first == "0" }
  }

  /// Parses exactly four decimal octets separated by dots, none with a leading zero.
  static func parseV4(_ text: Substring) -> UInt32? {
    var value: UInt32 = 0
    var octets = 0
    var octet: UInt32 = 0
    var digits = 0
    for byte in text.utf8 {
      if byte == UInt8(ascii: ".") {
        guard digits > 0, octet <= 255 else { return nil }
        value = value << 8 | octet
        octets += 1
        (octet, digits) = (0, 0)
      } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 3, digits == 0 || octet > 0 {
        octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
        digits += 1
      } else {
        return nil
      }
    }
    guard digits > 0, octet <= 255, octets == 3 else { return nil }
    return value << 8 | octet
  }

  /// Parses RFC 4291 text: hex groups, one `::`, and an optional trailing dotted quad.
  static func parseV6(_ text: Substring) -> (UInt64, UInt64)? {
    let bytes = Array(text.utf8)
    guard bytes.contains(UInt8(ascii: ":")), bytes.count <= 45 else { return nil }
    var head: [UInt16] = []
    var tail: [UInt16] = []
    var sawGap = false
    var index = 0
    if bytes.starts(with: [0x3A, 0x3A]) {
      sawGap = true
      index = 2
    }
    while index < bytes.count {
      var end = index
      while end < bytes.count, bytes[end] != UInt8(ascii: ":") { end += 1 }
      let group = bytes[index..<end]
      if group.contains(UInt8(ascii: ".")) {
        guard end == bytes.count, let v4 = parseV4(Substring(String(decoding: group, as: UTF8.self))) else {
          return nil
        }
        let words = [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
        if sawGap { tail += words } else { head += words }
        index = end
        break
      }
      guard !group.isEmpty, group.count <= 4, let word = hexWord(group) else { return nil }
      if sawGap { tail.append(word) } else { head.append(word) }
      if end == bytes.count { index = end; break }
      if end + 1 < bytes.count, bytes[end + 1] == UInt8(ascii: ":") {
        guard !sawGap else { return nil }
        sawGap = true
        index = end + 2
      } else {
        guard end + 1 < bytes.count else { return nil }
        index = end + 1
      }
    }
    let count = head.count + tail.count
    guard sawGap ? count <= 7 : count == 8 else { return nil }
    let words = head + Array(repeating: 0, count: 8 - count) + tail
    let high = words[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
    let low = words[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
    return (high, low)
  }

  private static func hexWord(_ digits: ArraySlice<UInt8>) -> UInt16? {
    var value: UInt16 = 0
    for byte in digits {
      let nibble: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
      default: return nil
      }
      value = value << 4 | UInt16(nibble)
    }
    return value
  }

  /// The canonical text: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run as `::`,
  /// IPv4-mapped addresses as `::ffff:1.2.3.4`).
  public var description: String {
    if family == .v4 {
      let v = v4Value
      return "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
    }
    if let mapped = unmappedV4 { return "::ffff:" + mapped.description }
    let words = (0..<8).map { i -> UInt16 in
      let half = i < 4 ? high : low
      return UInt16(truncatingIfNeeded: half >> UInt64(48 - 16 * (i % 4)))
    }
    var best = (start: -1, length: 0)
    var run = (start: -1, length: 0)
    for (i, word) in words.enumerated() {
      if word == 0 {
        run = run.start < 0 ? (i, 1) : (run.start, run.length + 1)
        if run.length > best.length { best = run }
      } else {
        run = (-1, 0)
      }
    }
    if best.length < 2 { return words.map { String($0, radix: 16) }.joined(separator: ":") }
    let head = words[..<best.start].map { String($0, radix: 16) }.joined(separator: ":")
    let tail = words[(best.start + best.length)...].map { String($0, radix: 16) }.joined(separator: ":")
    return head + "::" + tail
  }

  public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
    if lhs.family != rhs.family { return lhs.family == .v4 }
    return (lhs.high, lhs.low) < (rhs.high, rhs.low)
  }

  /// Whether the first `prefix` bits of `self` and `other` are equal (same family only).
  public func sharesPrefix(_ prefix: Int, with other: IPAddress) -> Bool {
    guard family == other.family else { return false }
    let highBits = min(prefix, 64)
    let lowBits = max(0, prefix - 64)
    let highMask: UInt64 = highBits == 0 ? 0 : ~UInt64(0) << UInt64(64 - highBits)
    let lowMask: UInt64 = lowBits == 0 ? 0 : ~UInt64(0) << UInt64(64 - lowBits)
    return high & highMask == other.high & highMask && low & lowMask == other.low & lowMask
  }
}

/// An address prefix such as `10.0.0.0/8` or `fd00::/8`.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
  /// The address as written (host bits may be set, as in `216.58.201.1/24`).
  public let address: IPAddress
  /// The prefix length in bits.
  public let prefixLength: Int

  /// Creates a prefix; `nil` if the length does not fit the family.
  public init?(address: IPAddress, prefixLength: Int) {
    guard prefixLength >= 0, prefixLength <= address.bitWidth else { return nil }
    self.address = address
    self.prefixLength = prefixLength
  }

  /// Parses `address/length`.
  public init?(_ text: some StringProtocol) {
    let utf8 = text.utf8
    guard let slash = utf8.firstIndex(of: UInt8(ascii: "/")) else { return nil }
    let digits = utf8[utf8.index(after: slash)...]
    guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
      let address = IPAddress(Substring(text)[..<slash])
    else { return nil }
    self.init(address: address, prefixLength: digits.reduce(0) { $0 * 10 + Int($1 - 0x30) })
  }

  /// The IPv4 prefix an IPv4-mapped prefix stands for: `::ffff:10.0.0.0/104` is `10.0.0.0/8`;
  /// `nil` for any other prefix, and for one shorter than 96 bits (it is not only IPv4 addresses).
  public var unmappedV4: CIDR? {
    guard prefixLength >= 96, let v4 = address.unmappedV4 else { return nil }
    return CIDR(address: v4, prefixLength: prefixLength - 96)
  }

  /// Whether `ip` lies inside the prefix; IPv4-mapped IPv6 addresses count as IPv4.
  public func contains(_ ip: IPAddress) -> Bool {
    let candidate = address.family == .v4 ? (ip.unmappedV4 ?? ip) : ip
    return address.sharesPrefix(prefixLength, with: candidate)
  }

  public var description: String { "\(address)/\(prefixLength)" }
}
