import NetFilterDecoders
import NetFilterSyntax

/// What one DNS reply says about the names of addresses: each A/AAAA answer's address gets the
/// chain from the question (the question name, then each CNAME target in turn); a PTR answer to a
/// reverse question (`x.in-addr.arpa`, `x.ip6.arpa`) gets its target name. Names are lowercase and
/// fully qualified with the trailing dot; the TTL is the lowest along the chain.
public struct DNSAnswerNames: Sendable, Equatable {
  /// An address, its names in order, and how many seconds they live.
  public struct Binding: Sendable, Equatable {
    /// The address named.
    public var address: IPAddress
    /// Its names: the chain, the question first.
    public var names: [String]
    /// The lowest TTL along the chain, in seconds.
    public var ttl: UInt32

    /// A binding.
    public init(address: IPAddress, names: [String], ttl: UInt32) {
      self.address = address
      self.names = names
      self.ttl = ttl
    }
  }

  /// The bindings, in answer order.
  public var bindings: [Binding] = []

  /// The names `message` gives addresses: none unless it is a successful reply with a question.
  public init(_ message: DNSMessage) {
    guard message.qr, message.rcode == 0, message.opcode == 0, let question = message.questions.first else { return }
    let questionName = Self.fullyQualified(question.name)
    // The chain: each CNAME whose owner is the chain's current end, followed once.
    var chain = [questionName]
    var chainTTL = UInt32.max
    var following = true
    while following, chain.count <= message.answers.count {
      following = false
      for record in message.answers {
        guard case .cname(let target) = record.data, Self.fullyQualified(record.name) == chain.last else { continue }
        let next = Self.fullyQualified(target)
        guard !chain.contains(next) else { break }
        chain.append(next)
        chainTTL = min(chainTTL, record.ttl)
        following = true
        break
      }
    }
    let reverse = Self.reverseAddress(questionName)
    for record in message.answers where chain.contains(Self.fullyQualified(record.name)) {
      switch record.data {
      case .a(let address), .aaaa(let address):
        bindings.append(Binding(address: address, names: chain, ttl: min(chainTTL, record.ttl)))
      case .ptr(let target):
        guard let reverse else { continue }
        bindings.append(Binding(address: reverse, names: [Self.fullyQualified(target)], ttl: min(chainTTL, record.ttl)))
      default: continue
      }
    }
  }

  /// `name` in ASCII lowercase with one trailing dot (`WWW.Test.LAN` → `www.test.lan.`).
  public static func fullyQualified(_ name: String) -> String {
    var bytes = Array(name.utf8)
    for index in bytes.indices where bytes[index] >= 0x41 && bytes[index] <= 0x5A { bytes[index] |= 0x20 }
    if bytes.last != UInt8(ascii: ".") { bytes.append(UInt8(ascii: ".")) }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The address a reverse-lookup name stands for (`4.3.2.1.in-addr.arpa.` → 1.2.3.4, the 32
  /// nibbles of `ip6.arpa.`), or nil.
  public static func reverseAddress(_ name: String) -> IPAddress? {
    let labels = name.split(separator: ".")
    if labels.count == 6, labels[4] == "in-addr", labels[5] == "arpa" {
      var value: UInt32 = 0
      for label in labels[0..<4].reversed() {
        guard label.count <= 3, let octet = UInt8(label) else { return nil }
        value = value << 8 | UInt32(octet)
      }
      return IPAddress(v4: value)
    }
    guard labels.count == 34, labels[32] == "ip6", labels[33] == "arpa" else { return nil }
    var high: UInt64 = 0
    var low: UInt64 = 0
    for (index, label) in labels[0..<32].reversed().enumerated() {
      guard label.count == 1, let nibble = UInt64(label, radix: 16) else { return nil }
      if index < 16 { high = high << 4 | nibble } else { low = low << 4 | nibble }
    }
    let address = IPAddress(v6High: high, low: low)
    return address.unmappedV4 ?? address
  }

  /// The reverse-lookup name of `address` (`4.3.2.1.in-addr.arpa`), without the trailing dot.
  public static func reverseName(_ address: IPAddress) -> String {
    let address = address.unmappedV4 ?? address
    if address.family == .v4 {
      let value = address.v4Value
      return (0..<4).map { String(value >> (8 * $0) & 0xFF) }.joined(separator: ".") + ".in-addr.arpa"
    }
    var nibbles: [String] = []
    for half in [address.low, address.high] {
      for shift in stride(from: 0, to: 64, by: 4) { nibbles.append(String(half >> UInt64(shift) & 0xF, radix: 16)) }
    }
    return nibbles.joined(separator: ".") + ".ip6.arpa"
  }
}
