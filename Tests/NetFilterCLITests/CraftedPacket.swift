import NetFilter
import NetFilterTestSupport

/// An IPv4 or IPv6 packet built for a test run of the kernel program, with what the kernel should
/// see of it when it is well formed.
struct CraftedPacket: CustomStringConvertible {
  /// `tinyFirstFragment` is no damage: a first IPv4 fragment (more to come) ending 8 bytes into its
  /// TCP header or 6 into its UDP header, whose ports the decoder and the kernel both read.
  enum Damage: CaseIterable {
    case none, truncatedTransport, laterFragment, extensionHeader, shortIHL, tinyFirstFragment
  }

  var v6: Bool
  var proto: UInt8
  var source: IPAddress
  var destination: IPAddress
  var sourcePort: UInt16
  var destinationPort: UInt16
  var payload: Int
  var damage: Damage

  /// The packet from its IP header.
  var bytes: [UInt8] {
    var transport = transportHeader()
    transport += [UInt8](repeating: 0x61, count: payload)
    if damage == .truncatedTransport { transport = Array(transport.prefix(proto == 6 ? 12 : 3)) }
    if damage == .tinyFirstFragment { transport = Array(transport.prefix(proto == 17 ? 6 : 8)) }
    return v6 ? ipv6(transport) : ipv4(transport)
  }

  /// The packet behind an Ethernet header (what BPF_PROG_TEST_RUN takes).
  var frame: [UInt8] {
    [UInt8](repeating: 0, count: 12) + (v6 ? [0x86, 0xDD] : [0x08, 0x00]) + bytes
  }

  var wellFormed: Bool { damage == .none || damage == .tinyFirstFragment }

  /// What the kernel knows of the packet on egress, without a socket.
  var view: KernelView {
    let ports = proto == 6 || proto == 17
    let known = [1, 6, 17, 58].contains(proto)
    return KernelView(
      sourcePort: ports ? .value(sourcePort) : .missing,
      destinationPort: ports ? .value(destinationPort) : .missing,
      sourceAddress: .value(source),
      destinationAddress: .value(destination),
      l4Protocol: known ? .value(proto) : .missing,
      direction: .value(2),
      eventKind: .value(.packet)
    )
  }

  var description: String {
    "\(v6 ? "IPv6" : "IPv4") proto \(proto) \(source):\(sourcePort) -> \(destination):\(destinationPort), "
      + "\(payload) payload bytes, damage \(damage)"
  }

  static func random(_ random: inout SplitMix64) -> CraftedPacket {
    let v6 = Int.random(in: 0..<10, using: &random) < 3
    let pool = RandomKernelFilter.addresses.compactMap(IPAddress.init).filter { ($0.family == .v6) == v6 }
    let protos: [UInt8] = v6 ? [6, 17, 58, 6, 17, 47] : [6, 17, 1, 6, 17, 47]
    let ports = RandomKernelFilter.ports.compactMap(UInt16.init) + [UInt16.random(in: 1...65535, using: &random)]
    let damaged = Int.random(in: 0..<5, using: &random) == 0
    var damage = damaged ? Damage.allCases.dropFirst().randomElement(using: &random)! : .none
    if v6 && (damage == .shortIHL || damage == .laterFragment || damage == .tinyFirstFragment) {
      damage = .extensionHeader
    }
    if !v6 && damage == .extensionHeader { damage = .laterFragment }
    return CraftedPacket(
      v6: v6,
      proto: protos.randomElement(using: &random)!,
      source: pool.randomElement(using: &random)!,
      destination: pool.randomElement(using: &random)!,
      sourcePort: ports.randomElement(using: &random)!,
      destinationPort: ports.randomElement(using: &random)!,
      payload: Int.random(in: 0...40, using: &random),
      damage: damage
    )
  }

  private func transportHeader() -> [UInt8] {
    let ports = [
      UInt8(sourcePort >> 8), UInt8(sourcePort & 0xFF), UInt8(destinationPort >> 8), UInt8(destinationPort & 0xFF),
    ]
    switch proto {
    case 6: return ports + [0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xFF, 0xFF, 0, 0, 0, 0]
    case 17:
      let length = UInt16(8 + payload)
      return ports + [UInt8(length >> 8), UInt8(length & 0xFF), 0, 0]
    case 1, 58: return [proto == 1 ? 8 : 128, 0, 0, 0, 0, 1, 0, 1]
    default: return [0, 0, 0x65, 0x58]  // GRE
    }
  }

  private func ipv4(_ transport: [UInt8]) -> [UInt8] {
    let length = UInt16(20 + transport.count)
    let fragment: [UInt8] =
      switch damage {
      case .laterFragment: [0x00, 0x10]
      case .tinyFirstFragment: [0x20, 0x00]
      default: [0x40, 0x00]
      }
    var header: [UInt8] = [damage == .shortIHL ? 0x44 : 0x45, 0, UInt8(length >> 8), UInt8(length & 0xFF), 0, 1]
    header += fragment + [64, proto, 0, 0]
    header += Self.bytes(of: source, count: 4) + Self.bytes(of: destination, count: 4)
    return header + transport
  }

  private func ipv6(_ transport: [UInt8]) -> [UInt8] {
    var body = transport
    var next = proto
    if damage == .extensionHeader {
      // 1 to 12 headers of 8 bytes (options with 4 bytes of padding): hop-by-hop, destination
      // options or Shim6, chosen by the payload length.
      let type: UInt8 = [0, 60, 140][payload % 3]
      for _ in 0...(payload % 12) {
        body = [next, 0, 1, 4, 0, 0, 0, 0] + body
        next = type
      }
    }
    let length = UInt16(body.count)
    var header: [UInt8] = [0x60, 0, 0, 0, UInt8(length >> 8), UInt8(length & 0xFF), next, 64]
    header += Self.bytes(of: source, count: 16) + Self.bytes(of: destination, count: 16)
    return header + body
  }

  private static func bytes(of address: IPAddress, count: Int) -> [UInt8] {
    if count == 4 { return (0..<4).map { UInt8(truncatingIfNeeded: address.v4Value >> (24 - 8 * UInt32($0))) } }
    return (0..<8).map { UInt8(truncatingIfNeeded: address.high >> (56 - 8 * UInt64($0))) }
      + (0..<8).map { UInt8(truncatingIfNeeded: address.low >> (56 - 8 * UInt64($0))) }
  }
}
