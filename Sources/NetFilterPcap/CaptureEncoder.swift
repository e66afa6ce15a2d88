/// Encodes packets as a classic pcap file (one link type, nanosecond timestamps) or as a pcapng
/// file (one section; an interface per link type, described before its first packet, with
/// nanosecond timestamps), little-endian, into bytes in memory (``PcapWriter`` writes them to a
/// file).
public struct CaptureEncoder: Sendable {
  /// The format encoded.
  public let format: CaptureFormat
  /// The classic file's link type.
  public let linkType: Int32
  /// pcapng: the link type of each interface described so far (at most one per link type).
  private var interfaces: [Int32] = []

  /// The snapshot length a classic file declares.
  static let classicSnapLength: UInt32 = 262_144

  /// An encoder of `format`; `linkType` is a classic file's link type.
  public init(format: CaptureFormat, linkType: Int32) {
    self.format = format
    self.linkType = linkType
  }

  /// Appends the file header (classic) or the section header (pcapng) to `out`.
  public func header(into out: inout [UInt8]) {
    switch format {
    case .pcap:
      append32(0xA1B2_3C4D, &out)  // nanosecond timestamps
      append16(2, &out)
      append16(4, &out)
      append32(0, &out)
      append32(0, &out)
      append32(Self.classicSnapLength, &out)
      append32(UInt32(truncatingIfNeeded: linkType), &out)
    case .pcapng:
      append32(Pcapng.sectionHeader, &out)
      append32(28, &out)
      append32(0x1A2B_3C4D, &out)
      append16(1, &out)
      append16(0, &out)
      append32(0xFFFF_FFFF, &out)  // section length -1: not given
      append32(0xFFFF_FFFF, &out)
      append32(28, &out)
    }
  }

  /// Appends one packet (and, in pcapng, the description of its interface when it is the first of
  /// its link type); false when a classic file is given a packet of another link type.
  public mutating func append(_ record: PacketRecord, _ bytes: [UInt8], into out: inout [UInt8]) -> Bool {
    let captured = min(bytes.count, record.capturedLength)
    let seconds = record.timestamp / 1_000_000_000
    let original = UInt32(clamping: record.originalLength)
    switch format {
    case .pcap:
      guard record.linkType == linkType else { return false }
      append32(UInt32(clamping: seconds), &out)
      append32(UInt32(record.timestamp % 1_000_000_000), &out)
      append32(UInt32(captured), &out)
      append32(original, &out)
      out.append(contentsOf: bytes[..<captured])
    case .pcapng:
      let interface = interface(for: record.linkType, &out)
      let padding = (4 - captured % 4) % 4
      let length = UInt32(32 + captured + padding)
      append32(Pcapng.enhancedPacket, &out)
      append32(length, &out)
      append32(UInt32(interface), &out)
      append32(UInt32(record.timestamp >> 32), &out)
      append32(UInt32(record.timestamp & 0xFFFF_FFFF), &out)
      append32(UInt32(captured), &out)
      append32(original, &out)
      out.append(contentsOf: bytes[..<captured])
      out.append(contentsOf: repeatElement(0, count: padding))
      append32(length, &out)
    }
    return true
  }

  /// The number of the interface of `linkType`, described in `out` when it is new.
  private mutating func interface(for linkType: Int32, _ out: inout [UInt8]) -> Int {
    if let index = interfaces.firstIndex(of: linkType) { return index }
    interfaces.append(linkType)
    append32(Pcapng.interfaceDescription, &out)
    append32(32, &out)
    append16(UInt16(truncatingIfNeeded: linkType), &out)
    append16(0, &out)
    append32(0, &out)  // snapshot length: no limit
    append16(PcapngInterface.resolutionOption, &out)
    append16(1, &out)
    out.append(contentsOf: [9, 0, 0, 0])  // if_tsresol: 10^-9 s
    append32(0, &out)  // opt_endofopt
    append32(32, &out)
    return interfaces.count - 1
  }

  private func append16(_ value: UInt16, _ out: inout [UInt8]) {
    out.append(UInt8(truncatingIfNeeded: value))
    out.append(UInt8(truncatingIfNeeded: value >> 8))
  }

  private func append32(_ value: UInt32, _ out: inout [UInt8]) {
    append16(UInt16(truncatingIfNeeded: value), &out)
    append16(UInt16(truncatingIfNeeded: value >> 16), &out)
  }
}
