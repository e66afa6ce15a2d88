/// A classic pcap file: a 24-byte file header (magic number, version, snapshot length, link type),
/// then records of a 16-byte header (seconds, fraction, captured and original lengths) and the
/// captured bytes. The magic number gives the byte order and whether the fraction counts
/// microseconds or nanoseconds; Alexey Kuznetzov's modified format adds 8 bytes to each record
/// header (interface index, protocol, packet type), which are skipped.
struct ClassicPcap {
  let order: ByteOrder
  /// Nanoseconds per unit of the record's fraction field.
  let fractionScale: UInt64
  let recordHeaderLength: Int
  let linkType: Int32

  static let headerLength = 24
  /// The largest record netfilter reads: a larger captured length is damage.
  static let maximumCapturedLength = 16 << 20

  /// The layout the first four bytes of a file announce, or nil if they are no pcap magic number.
  static func layout(magic bytes: [UInt8]) -> (order: ByteOrder, fractionScale: UInt64, recordHeaderLength: Int)? {
    guard bytes.count >= 4 else { return nil }
    for order in [ByteOrder.little, .big] {
      switch order.u32(bytes, 0) {
      case 0xA1B2_C3D4: return (order, 1000, 16)
      case 0xA1B2_3C4D: return (order, 1, 16)
      case 0xA1B2_CD34: return (order, 1000, 24)
      default: continue
      }
    }
    return nil
  }

  /// Reads the file header at the start of `window`.
  init(_ window: inout ByteWindow) throws(PcapError) {
    guard try window.request(Self.headerLength) else {
      throw PcapError.truncated("the pcap file header", at: 0, needs: Self.headerLength, has: window.available)
    }
    let magic = (0..<4).map { window.u8($0) }
    guard let layout = Self.layout(magic: magic) else {
      throw PcapError(operation: "open", message: "not a pcap file")
    }
    order = layout.order
    fractionScale = layout.fractionScale
    recordHeaderLength = layout.recordHeaderLength
    let major = window.u16(4, order)
    guard major == 2 else {
      throw PcapError(
        operation: "open",
        message: "pcap version \(major).\(window.u16(6, order)) is not supported (only 2.x is)"
      )
    }
    // The low 26 bits are the link type; the bits above say whether frames end with a checksum.
    linkType = Int32(window.u32(20, order) & 0x03FF_FFFF)
    window.consume(Self.headerLength)
  }

  /// Reads the next record into `buffer`; nil at the end of the file.
  @inline(__always)
  func next(_ window: inout ByteWindow, into buffer: inout [UInt8]) throws(PcapError) -> PacketRecord? {
    guard try window.request(recordHeaderLength) else {
      if window.available == 0 { return nil }
      throw PcapError.truncated(
        "the record header",
        at: window.offset,
        needs: recordHeaderLength,
        has: window.available
      )
    }
    let captured = Int(window.u32(8, order))
    guard captured <= Self.maximumCapturedLength else {
      throw PcapError.damaged(
        "a record claims \(captured) captured bytes, more than the \(Self.maximumCapturedLength) netfilter reads",
        at: window.offset
      )
    }
    let length = recordHeaderLength + captured
    guard try window.request(length) else {
      throw PcapError.truncated("the record", at: window.offset, needs: length, has: window.available)
    }
    let seconds = UInt64(window.u32(0, order))
    let fraction = UInt64(window.u32(4, order))
    let original = Int(window.u32(12, order))
    window.copy(recordHeaderLength, count: captured, into: &buffer)
    window.consume(length)
    return PacketRecord(
      timestamp: seconds &* 1_000_000_000 &+ fraction &* fractionScale,
      capturedLength: captured,
      originalLength: original,
      linkType: linkType
    )
  }
}
