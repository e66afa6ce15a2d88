import NetFilterSyntax

/// IPv4, IPv6 (with extension headers), TCP, UDP, ICMP and ICMPv6 headers.
package enum IPDecoder {
  package static func decodeIPv4(_ reader: ByteReader, _ offset: Int, _ packet: inout DecodedPacket) {
    guard reader.has(offset, 20), reader.at(offset) >> 4 == 4 else {
      packet.malformed = "truncated IPv4 header"
      return
    }
    let first = reader.at(offset), tos = reader.at(offset + 1), total = reader.be16(offset + 2)
    let id = reader.be16(offset + 4), fragment = reader.be16(offset + 6), ttl = reader.at(offset + 8)
    let proto = reader.at(offset + 9), checksum = reader.be16(offset + 10)
    let source = reader.be32(offset + 12), destination = reader.be32(offset + 16)
    let headerLength = Int(first & 0x0F) * 4
    guard headerLength >= 20 else {
      packet.malformed = "IPv4 header length \(headerLength) is below 20"
      return
    }
    packet.network = .ipv4
    packet.ipv4 = IPv4Header(
      ihl: first & 0x0F,
      tos: tos,
      totalLength: total,
      id: id,
      flags: UInt8(fragment >> 13),
      fragmentOffset: fragment & 0x1FFF,
      ttl: ttl,
      checksum: checksum
    )
    packet.source = IPAddress(v4: source)
    packet.destination = IPAddress(v4: destination)
    packet.protocolNumber = proto
    packet.isFragment = fragment & 0x2000 != 0 || fragment & 0x1FFF != 0
    guard fragment & 0x1FFF == 0 else { return }
    // A length of 0 means "unknown" (TSO/GSO and BIG TCP packets as the kernel hands them over):
    // the packet runs to the end of what was captured.
    let end = total == 0 ? reader.count : min(reader.count, offset + max(Int(total), headerLength))
    decodeTransport(reader, offset + headerLength, end: end, proto, &packet)
  }

  package static func decodeIPv6(_ reader: ByteReader, _ offset: Int, _ packet: inout DecodedPacket) {
    guard reader.has(offset, 40), reader.at(offset) >> 4 == 6 else {
      packet.malformed = "truncated IPv6 header"
      return
    }
    let word = reader.be32(offset), length = reader.be16(offset + 4), next = reader.at(offset + 6)
    let hops = reader.at(offset + 7), sourceHigh = reader.be64(offset + 8), sourceLow = reader.be64(offset + 16)
    let destinationHigh = reader.be64(offset + 24), destinationLow = reader.be64(offset + 32)
    packet.network = .ipv6
    packet.ipv6 = IPv6Header(
      trafficClass: UInt8(truncatingIfNeeded: word >> 20),
      flowLabel: word & 0xFFFFF,
      payloadLength: length,
      nextHeader: next,
      hopLimit: hops
    )
    packet.source = IPAddress(v6High: sourceHigh, low: sourceLow)
    packet.destination = IPAddress(v6High: destinationHigh, low: destinationLow)
    var header = next
    var position = offset + 40
    let end = length == 0 ? reader.count : min(reader.count, offset + 40 + Int(length))
    // However many extension headers there are: each takes at least 8 bytes, so the walk ends
    // within the captured bytes (a chain running past them is a truncated header).
    while true {
      switch header {
      // Hop-by-hop, routing, destination options, Shim6 (tshark walks it to the transport), AH.
      case 0, 43, 60, 140, 51:
        guard let following = reader.u8(position), let size = reader.u8(position + 1) else {
          packet.malformed = "truncated IPv6 extension header"
          return
        }
        position += header == 51 ? (Int(size) + 2) * 4 : (Int(size) + 1) * 8
        header = following
      case 44:
        guard let following = reader.u8(position), let fragment = reader.u16(position + 2) else {
          packet.malformed = "truncated IPv6 fragment header"
          return
        }
        packet.isFragment = true
        position += 8
        header = following
        if fragment & 0xFFF8 != 0 {
          packet.protocolNumber = header
          return
        }
      default:
        packet.protocolNumber = header
        decodeTransport(reader, position, end: end, header, &packet)
        return
      }
    }
  }

  private static func decodeTransport(
    _ reader: ByteReader,
    _ offset: Int,
    end: Int,
    _ proto: UInt8,
    _ packet: inout DecodedPacket
  ) {
    guard let segment = reader.sub(from: offset, length: max(0, end - offset)) else {
      packet.malformed = "truncated transport header"
      return
    }
    // Only first fragments (and whole packets) get here; a first fragment may end inside the
    // transport header.
    if packet.isFragment, proto == 6 || proto == 17, !segment.has(0, proto == 6 ? 20 : 8) {
      decodeCutHeader(segment, tcp: proto == 6, &packet)
      return
    }
    switch proto {
    case 6: decodeTCP(segment, &packet)
    case 17: decodeUDP(segment, &packet)
    case 1, 58: decodeICMP(segment, v6: proto == 58, &packet)
    default: return
    }
  }

  /// A TCP or UDP header cut by the end of a first fragment: its ports, when its first 4 bytes are
  /// there (tcpdump's `port` and tshark read them from such a fragment), and nothing more; the
  /// fragment is not damaged, its header goes on in the next one.
  private static func decodeCutHeader(_ segment: ByteReader, tcp: Bool, _ packet: inout DecodedPacket) {
    guard segment.has(0, 4) else {
      packet.malformed = tcp ? "truncated TCP header" : "truncated UDP header"
      return
    }
    packet.transport = tcp ? .tcp : .udp
    packet.sourcePort = segment.be16(0)
    packet.destinationPort = segment.be16(2)
    packet.isTransportHeaderCut = true
    packet.payloadOffset = segment.end
  }

  private static func decodeTCP(_ segment: ByteReader, _ packet: inout DecodedPacket) {
    guard segment.has(0, 20) else {
      packet.malformed = "truncated TCP header"
      return
    }
    let source = segment.be16(0), destination = segment.be16(2), sequence = segment.be32(4)
    let acknowledgment = segment.be32(8), offsetAndFlags = segment.be16(12), window = segment.be16(14)
    let checksum = segment.be16(16), urgent = segment.be16(18)
    let dataOffset = Int(offsetAndFlags >> 12) * 4
    packet.transport = .tcp
    packet.sourcePort = source
    packet.destinationPort = destination
    packet.tcp = TCPHeader(
      sequence: sequence,
      acknowledgment: acknowledgment,
      dataOffset: UInt8(offsetAndFlags >> 12),
      flags: offsetAndFlags & 0x01FF,
      window: window,
      checksum: checksum,
      urgent: urgent
    )
    guard dataOffset >= 20, dataOffset <= segment.count else {
      if dataOffset < 20 { packet.malformed = "TCP data offset \(dataOffset) is below 20" }
      return
    }
    packet.payloadOffset = segment.start + dataOffset
    packet.payloadLength = segment.count - dataOffset
  }

  private static func decodeUDP(_ segment: ByteReader, _ packet: inout DecodedPacket) {
    guard segment.has(0, 8) else {
      packet.malformed = "truncated UDP header"
      return
    }
    let source = segment.be16(0), destination = segment.be16(2), length = segment.be16(4), checksum = segment.be16(6)
    packet.transport = .udp
    packet.sourcePort = source
    packet.destinationPort = destination
    packet.udpLength = length
    packet.udpChecksum = checksum
    packet.payloadOffset = segment.start + 8
    packet.payloadLength = max(0, min(segment.count, Int(length)) - 8)
  }

  private static func decodeICMP(_ segment: ByteReader, v6: Bool, _ packet: inout DecodedPacket) {
    guard let type = segment.u8(0), let code = segment.u8(1), let checksum = segment.u16(2) else {
      packet.malformed = "truncated ICMP header"
      return
    }
    packet.transport = v6 ? .icmpv6 : .icmp
    packet.icmp = ICMPHeader(
      type: type,
      code: code,
      checksum: checksum,
      id: segment.u16(4) ?? 0,
      sequence: segment.u16(6) ?? 0
    )
    packet.payloadOffset = segment.start + 8
    packet.payloadLength = max(0, segment.count - 8)
  }
}
