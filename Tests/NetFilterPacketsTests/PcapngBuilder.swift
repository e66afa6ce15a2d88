import Foundation

/// Writes pcapng files block by block, in either byte order, the way the format's specification
/// lays them out (the tests' own encoder, written apart from NetFilterPcap's reader), and records
/// what a reader should find in them.
struct PcapngBuilder {
  enum Order { case little, big }

  /// A packet written, as a reader should report it.
  struct Packet {
    /// The section (from 1, as tshark's `frame.section_number`) and the interface in it.
    var section: Int
    var interface: Int
    var linkType: Int32
    var captured: [UInt8]
    var originalLength: Int
    /// The time in nanoseconds, when the interface's unit gives it exactly (nil for 2^-n units and
    /// for Simple Packet Blocks, which have none).
    var time: UInt64?
    /// The frame it came from, for the malformed counts.
    var frame: Frame
  }

  private(set) var bytes: [UInt8] = []
  private(set) var packets: [Packet] = []
  /// The byte offset of every block written, in order.
  private(set) var blockOffsets: [Int] = []
  private var order = Order.little
  private var section = 0
  /// The current section's interfaces: link type, snapshot length, units per second, offset (s).
  private var interfaces: [(linkType: Int32, snapLength: UInt32, units: UInt64, offset: Int64)] = []

  /// Starts a section in `order`.
  mutating func section(_ order: Order, major: UInt16 = 1) {
    self.order = order
    section += 1
    interfaces = []
    // Byte-order magic, version, section length -1 (unknown), an shb_userappl option.
    let options = option(4, Array("netfilter tests".utf8)) + option(0, [])
    block(0x0A0D_0D0A, u32(0x1A2B_3C4D) + u16(major) + u16(0) + u32(0xFFFF_FFFF) + u32(0xFFFF_FFFF) + options)
  }

  /// Describes an interface; `resolution` is the if_tsresol byte (none: microseconds).
  mutating func interface(
    _ linkType: Int32,
    snapLength: UInt32 = 262_144,
    resolution: UInt8? = nil,
    offset: Int64? = nil
  ) {
    var options = option(2, Array("if\(interfaces.count)".utf8))
    if let resolution { options += option(9, [resolution]) }
    if let offset { options += option(14, u64(UInt64(bitPattern: offset))) }
    options += option(0, [])
    block(1, u16(UInt16(linkType)) + u16(0) + u32(snapLength) + options)
    // Units per second (0 when 64 bits cannot count them: no packet can then be written).
    let exponent = UInt64(resolution.map { $0 & 0x7F } ?? 6)
    let units: UInt64 =
      resolution.map { $0 & 0x80 != 0 } == true
      ? (exponent < 64 ? 1 << exponent : 0)
      : (0..<exponent).reduce(1) { value, _ in value.multipliedReportingOverflow(by: 10).overflow ? 0 : value * 10 }
    interfaces.append((linkType, snapLength, units, offset ?? 0))
  }

  /// An Enhanced Packet Block (or the obsolete Packet Block) of `frame` on `interface`, stamped
  /// `seconds` + `nanoseconds` (`extraTicks` more units beyond that, for units finer than 1 ns).
  mutating func packet(
    _ frame: Frame,
    interface: Int,
    seconds: UInt64,
    nanoseconds: UInt64,
    extraTicks: UInt64 = 0,
    obsolete: Bool = false
  ) {
    let description = interfaces[interface]
    let local = UInt64(Int64(seconds) - description.offset)
    let units = description.units
    let ticks: UInt64
    var time: UInt64? = nil
    if units <= 1_000_000_000 && 1_000_000_000 % units == 0 {
      let step = 1_000_000_000 / units
      ticks = local * units + nanoseconds / step
      time = seconds * 1_000_000_000 + nanoseconds / step * step
    } else if units % 1_000_000_000 == 0 {
      ticks = local * units + nanoseconds * (units / 1_000_000_000) + extraTicks
      time = seconds * 1_000_000_000 + nanoseconds
    } else {
      ticks = local * units + (nanoseconds * units) / 1_000_000_000
    }
    let head =
      obsolete ? u16(UInt16(interface)) + u16(0) : u32(UInt32(interface))
    let body =
      head + u32(UInt32(ticks >> 32)) + u32(UInt32(ticks & 0xFFFF_FFFF)) + u32(UInt32(frame.captured.count))
      + u32(UInt32(frame.originalLength)) + padded(frame.captured) + option(0, [])
    block(obsolete ? 2 : 6, body)
    packets.append(
      Packet(
        section: section,
        interface: interface,
        linkType: description.linkType,
        captured: frame.captured,
        originalLength: frame.originalLength,
        time: time,
        frame: frame
      )
    )
  }

  /// A Simple Packet Block: `frame` on interface 0, cut to its snapshot length.
  mutating func simple(_ frame: Frame) {
    let description = interfaces[0]
    let captured = Array(frame.captured.prefix(Int(description.snapLength)))
    block(3, u32(UInt32(frame.originalLength)) + padded(captured))
    var kept = frame
    kept.captured = captured
    packets.append(
      Packet(
        section: section,
        interface: 0,
        linkType: description.linkType,
        captured: captured,
        originalLength: frame.originalLength,
        time: nil,
        frame: kept
      )
    )
  }

  /// Blocks a reader skips: name resolution, interface statistics, decryption secrets, custom
  /// blocks (copiable and not), and a type nobody assigned.
  mutating func otherBlocks() {
    let address: [UInt8] = [192, 168, 1, 10]
    block(4, u16(1) + u16(UInt16(4 + 12)) + padded(address + Array("client.test\0".utf8)) + u16(0) + u16(0))
    block(5, u32(0) + u32(0) + u32(1000) + option(4, u64(42)) + option(0, []))
    block(10, u32(0x544C_534B) + u32(12) + padded(Array("CLIENT_RANDOM".utf8.prefix(12))))
    block(0x0000_0BAD, u32(32473) + padded(Array("custom data".utf8)))
    block(0x4000_0BAD, u32(32473) + padded(Array("not to be copied".utf8)))
    block(0x0000_7357, [1, 2, 3, 4, 5, 6, 7, 8])
  }

  /// A block of `type` with `body` padded to 32 bits, its length before and after it.
  mutating func block(_ type: UInt32, _ body: [UInt8]) {
    let padded = padded(body)
    let length = UInt32(12 + padded.count)
    blockOffsets.append(bytes.count)
    bytes += u32(type) + u32(length) + padded + u32(length)
  }

  /// Appends bytes as they are (damage).
  mutating func raw(_ more: [UInt8]) {
    blockOffsets.append(bytes.count)
    bytes += more
  }

  func option(_ code: UInt16, _ value: [UInt8]) -> [UInt8] { u16(code) + u16(UInt16(value.count)) + padded(value) }

  func padded(_ data: [UInt8]) -> [UInt8] { data + [UInt8](repeating: 0, count: (4 - data.count % 4) % 4) }

  func u16(_ value: UInt16) -> [UInt8] {
    let bytes = [UInt8(value & 0xFF), UInt8(value >> 8)]
    return order == .little ? bytes : bytes.reversed()
  }

  func u32(_ value: UInt32) -> [UInt8] {
    let bytes = (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) }
    return order == .little ? bytes : bytes.reversed()
  }

  func u64(_ value: UInt64) -> [UInt8] {
    let bytes = (0..<8).map { UInt8((value >> (8 * UInt64($0))) & 0xFF) }
    return order == .little ? bytes : bytes.reversed()
  }
}

/// pcapng files holding the synthetic packets (the pcap tests' `Packets.all`) behind several link
/// types at once.
enum MixedCaptures {
  static let names = ["mixed-sections.pcapng", "big-endian.pcapng"]

  static func build(_ name: String) -> PcapngBuilder {
    name == "big-endian.pcapng" ? bigEndian() : mixedSections()
  }

  /// The frame of `packet` behind the link-layer header of `linkType`.
  static func frame(_ packet: IPPacket, _ index: Int, linkType: Int32) -> Frame {
    let bytes: [UInt8]
    switch linkType {
    case 1: bytes = Link.ethernet(packet, index)
    case 113: bytes = Link.cooked(packet, index)
    case 276: bytes = Link.cooked2(packet, index)
    case 0: bytes = Link.null(packet, index)
    default: bytes = packet.bytes
    }
    let header = bytes.count - packet.bytes.count
    let captured = packet.keep.map { Array(bytes.prefix(header + $0)) } ?? bytes
    return Frame(
      captured: captured,
      originalLength: bytes.count,
      note: packet.note,
      malformedHeader: packet.malformedHeader,
      malformedPayload: packet.malformedPayload
    )
  }

  /// Two sections of three interfaces each: little-endian Ethernet (microseconds), raw IP
  /// (nanoseconds) and Linux cooked (2^-20 s), with the blocks a reader skips between them and
  /// obsolete Packet Blocks among the packets; then big-endian Linux cooked v2 (picoseconds after
  /// an if_tsoffset), BSD null (milliseconds, a negative if_tsoffset) and Ethernet, with Simple
  /// Packet Blocks on the first.
  static func mixedSections() -> PcapngBuilder {
    var file = PcapngBuilder()
    let half = Packets.all.count / 2
    file.section(.little)
    file.interface(1)
    file.otherBlocks()
    file.interface(101, resolution: 9)
    file.interface(113, resolution: 0x80 | 20)
    let firstTypes: [Int32] = [1, 101, 113]
    for (index, packet) in Packets.all.prefix(half).enumerated() {
      let interface = index % 3
      let frame = frame(packet, index, linkType: firstTypes[interface])
      file.packet(
        frame,
        interface: interface,
        seconds: time(index).seconds,
        nanoseconds: time(index).nanoseconds,
        obsolete: index % 7 == 4
      )
      if index == half / 2 { file.otherBlocks() }
    }
    file.section(.big)
    file.interface(276, resolution: 12, offset: 1_700_000_000)
    file.interface(0, resolution: 3, offset: -100)
    file.otherBlocks()
    file.interface(1)
    let secondTypes: [Int32] = [276, 0, 1]
    for (index, packet) in Packets.all.enumerated().dropFirst(half) {
      // Simple Packet Blocks carry whole frames (they have no captured length of their own).
      let simple = index % 5 == 0 && packet.keep == nil
      let interface = simple ? 0 : index % 3
      let frame = frame(packet, index, linkType: secondTypes[interface])
      if simple {
        file.simple(frame)
      } else {
        let (seconds, nanoseconds) = time(index)
        file.packet(frame, interface: interface, seconds: seconds, nanoseconds: nanoseconds, extraTicks: 321)
      }
    }
    file.otherBlocks()
    return file
  }

  /// One big-endian section (the file's first bytes in that order): Ethernet in nanoseconds and
  /// raw IP in 2^-9 s.
  static func bigEndian() -> PcapngBuilder {
    var file = PcapngBuilder()
    file.section(.big)
    file.interface(1, resolution: 9)
    file.otherBlocks()
    file.interface(101, resolution: 0x80 | 9)
    for (index, packet) in Packets.all.enumerated() {
      let interface = index % 2
      let (seconds, nanoseconds) = time(index)
      file.packet(
        frame(packet, index, linkType: interface == 0 ? 1 : 101),
        interface: interface,
        seconds: seconds,
        nanoseconds: nanoseconds
      )
    }
    return file
  }

  /// The time of packet `index`: whole seconds apart, and a fraction under 10 ms (so that a
  /// picosecond count of it fits tshark's 64-bit arithmetic).
  static func time(_ index: Int) -> (seconds: UInt64, nanoseconds: UInt64) {
    (1_700_000_000 + UInt64(index), UInt64(index) * 123_457 + 1_001)
  }
}
