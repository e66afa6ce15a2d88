import NetFilterSyntax
import Testing

@testable import NetFilterDecoders

/// Raw IP packets (link type 101) decoded into headers.
private func decoded(_ bytes: [UInt8]) -> DecodedPacket {
  var packet = DecodedPacket()
  PacketDecoder.decode(bytes, linkType: 101, record: (1, bytes.count), into: &packet)
  return packet
}

private func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }

/// An IPv4 header (no options) before `payload`; `fragment` is the flags and offset word.
private func ipv4(proto: UInt8, fragment: Int = 0x4000, _ payload: [UInt8]) -> [UInt8] {
  [0x45, 0] + be16(20 + payload.count) + [0x43, 0x43] + be16(fragment) + [64, proto, 0, 0]
    + [192, 168, 1, 10, 93, 184, 216, 34] + payload
}

/// An IPv6 header before the extension headers `chain` (each 8 bytes, destination options unless
/// given) and `payload`.
private func ipv6(proto: UInt8, chain: [(type: UInt8, bytes: [UInt8])], _ payload: [UInt8]) -> [UInt8] {
  var body: [UInt8] = []
  for (index, header) in chain.enumerated() {
    body += [index + 1 < chain.count ? chain[index + 1].type : proto] + header.bytes.dropFirst()
  }
  body += payload
  let address: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1]
  return [0x60, 0, 0, 0] + be16(body.count) + [chain.first?.type ?? proto, 64] + address + address + body
}

private let syn: [UInt8] = be16(40030) + be16(22) + [0, 0, 0, 77, 0, 0, 0, 0, 0x50, 0x02, 0xFF, 0xFF, 0, 0, 0, 0]
private let destinationOptions: (type: UInt8, bytes: [UInt8]) = (60, [0, 0, 1, 4, 0, 0, 0, 0])

/// IPv6 extension header chains and first fragments: the ports a filter must see.
@Suite struct IPDecoderTests {
  @Test func ipv6ChainOfAnyLength() {
    // 8 extension headers decoded before; 9, 50 and 1,000 (8 KB of headers) did not.
    for count in [1, 8, 9, 50, 1_000] {
      let packet = decoded(ipv6(proto: 6, chain: Array(repeating: destinationOptions, count: count), syn))
      #expect(packet.malformed == nil, "\(count)")
      #expect(packet.transport == .tcp && packet.sourcePort == 40030 && packet.destinationPort == 22, "\(count)")
      #expect(packet.tcp.flags == 0x02 && packet.protocolNumber == 6, "\(count)")
    }
    // Every kind walked: hop-by-hop, routing, destination options, Shim6, AH (length in 4-byte words).
    let mixed: [(type: UInt8, bytes: [UInt8])] = [
      (0, [0, 0, 1, 4, 0, 0, 0, 0]), (43, [0, 0, 0, 0, 0, 0, 0, 0]), destinationOptions,
      (140, [0, 0, 0, 0, 0, 0, 0, 0]),
      (51, [0, 1] + [UInt8](repeating: 0, count: 10)),
    ]
    let packet = decoded(ipv6(proto: 17, chain: mixed, be16(5000) + be16(53) + be16(8) + [0, 0]))
    #expect(packet.transport == .udp && packet.destinationPort == 53 && packet.malformed == nil)
    // A chain that runs past the captured bytes is a truncated header, however long.
    let cut = Array(ipv6(proto: 6, chain: Array(repeating: destinationOptions, count: 20), syn).prefix(40 + 8 * 12 + 1))
    #expect(decoded(cut).malformed == "truncated IPv6 extension header" && decoded(cut).transport == .none)
  }

  @Test func tinyFirstIPv4Fragment() {
    // 8 bytes of TCP in a first fragment (MF set, offset 0): the ports, nothing more; not damaged.
    let first = decoded(ipv4(proto: 6, fragment: 0x2000, Array(syn.prefix(8))))
    #expect(first.transport == .tcp && first.sourcePort == 40030 && first.destinationPort == 22)
    #expect(first.isTransportHeaderCut && first.isFragment && first.malformed == nil)
    #expect(first.payloadLength == 0)
    // 4 bytes are enough; 3 are not.
    #expect(decoded(ipv4(proto: 6, fragment: 0x2000, Array(syn.prefix(4)))).destinationPort == 22)
    let three = decoded(ipv4(proto: 6, fragment: 0x2000, Array(syn.prefix(3))))
    #expect(three.transport == .none && three.malformed == "truncated TCP header")
    // UDP the same.
    let udp = decoded(ipv4(proto: 17, fragment: 0x2000, be16(5000) + be16(53)))
    #expect(udp.transport == .udp && udp.destinationPort == 53 && udp.isTransportHeaderCut)
    // The second fragment has no ports.
    let second = decoded(ipv4(proto: 6, fragment: 0x0001, Array(syn.dropFirst(8))))
    #expect(second.transport == .none && second.isFragment && second.malformed == nil)
    // A whole TCP header in a first fragment is decoded as always.
    let whole = decoded(ipv4(proto: 6, fragment: 0x2000, syn))
    #expect(whole.transport == .tcp && !whole.isTransportHeaderCut && whole.tcp.flags == 0x02)
    // A packet that is no fragment, its TCP header cut: damaged, as before (Tracee has no layer).
    let truncated = decoded(ipv4(proto: 6, Array(syn.prefix(8))))
    #expect(truncated.transport == .none && truncated.malformed == "truncated TCP header")
  }

  @Test func tinyFirstIPv6Fragment() {
    let fragment: (type: UInt8, bytes: [UInt8]) = (44, [0, 0, 0, 1, 0, 0, 0x43, 0x43])
    let first = decoded(ipv6(proto: 6, chain: [fragment], Array(syn.prefix(8))))
    #expect(first.transport == .tcp && first.destinationPort == 22 && first.isTransportHeaderCut)
    #expect(first.malformed == nil)
    let later: (type: UInt8, bytes: [UInt8]) = (44, [0, 0, 0, 8, 0, 0, 0x43, 0x43])
    #expect(decoded(ipv6(proto: 6, chain: [later], Array(syn.dropFirst(8)))).transport == .none)
  }
}
