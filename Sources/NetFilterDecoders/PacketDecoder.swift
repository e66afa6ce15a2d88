import NetFilterSyntax

/// Decodes link, network and transport headers for the link types users meet: Ethernet (with
/// VLAN tags), Linux cooked capture v1 and v2, BSD loopback/null, and raw IP.
public enum PacketDecoder {
  /// Link-layer header types (pcap `DLT_*`/`LINKTYPE_*`).
  public enum LinkType: Int32, Sendable {
    case null = 0
    case ethernet = 1
    case raw = 12
    case rawLinktype = 101
    case loop = 108
    case linuxCooked = 113
    case ipv4 = 228
    case ipv6 = 229
    case linuxCooked2 = 276
  }

  /// Whether netfilter can decode packets of `linkType`.
  public static func supports(_ linkType: Int32) -> Bool { LinkType(rawValue: linkType) != nil }

  /// Decodes `bytes` captured on a link of type `linkType`, at `record.timestamp` from a packet
  /// of `record.originalLength` bytes, into `packet`, replacing what it held (the reset happens
  /// here, beside the type, where it costs a few stores rather than a call per packet).
  public static func decode(
    _ bytes: [UInt8],
    linkType: Int32,
    record: (timestamp: UInt64, originalLength: Int),
    into packet: inout DecodedPacket
  ) {
    packet = DecodedPacket()
    packet.timestamp = record.timestamp
    packet.originalLength = record.originalLength
    let reader = ByteReader(bytes)
    guard let link = LinkType(rawValue: linkType) else {
      packet.malformed = "unsupported link type \(linkType)"
      return
    }
    guard let (offset, etherType) = linkHeader(reader, link, &packet) else {
      packet.malformed = "truncated link-layer header"
      return
    }
    decodeNetwork(reader, offset: offset, etherType: etherType, into: &packet)
  }

  /// The offset of the network header and its EtherType (0 if the version nibble decides).
  private static func linkHeader(_ reader: ByteReader, _ link: LinkType, _ packet: inout DecodedPacket) -> (
    Int, UInt16
  )? {
    switch link {
    case .ethernet:
      guard var etherType = reader.u16(12) else { return nil }
      var offset = 14
      while etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100 {
        guard let inner = reader.u16(offset + 2) else { return nil }
        etherType = inner
        offset += 4
      }
      return (offset, etherType)
    case .linuxCooked:
      guard let kind = reader.u16(0), let protocolType = reader.u16(14) else { return nil }
      packet.direction = kind == 4 ? .egress : .ingress
      return (16, protocolType)
    case .linuxCooked2:
      guard let protocolType = reader.u16(0), let kind = reader.u8(10) else { return nil }
      packet.direction = kind == 4 ? .egress : .ingress
      return (20, protocolType)
    case .null, .loop:
      guard let b0 = reader.u8(0), let b1 = reader.u8(1), let b2 = reader.u8(2), let b3 = reader.u8(3) else {
        return nil
      }
      let family = link == .loop || (b0 == 0 && b1 == 0) ? UInt32(b2) << 8 | UInt32(b3) : UInt32(b1) << 8 | UInt32(b0)
      return (4, family == 2 ? 0x0800 : [24, 28, 30].contains(family) ? 0x86DD : 0)
    case .raw, .rawLinktype, .ipv4, .ipv6:
      return (0, 0)
    }
  }

  private static func decodeNetwork(
    _ reader: ByteReader,
    offset: Int,
    etherType: UInt16,
    into packet: inout DecodedPacket
  ) {
    var type = etherType
    if type == 0 {
      guard let first = reader.u8(offset) else {
        packet.malformed = "truncated network header"
        return
      }
      type = first >> 4 == 4 ? 0x0800 : first >> 4 == 6 ? 0x86DD : 0
    }
    packet.networkOffset = offset
    switch type {
    case 0x0800: IPDecoder.decodeIPv4(reader, offset, &packet)
    case 0x86DD: IPDecoder.decodeIPv6(reader, offset, &packet)
    default: return
    }
  }
}
