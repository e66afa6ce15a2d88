/// A pcapng file: a sequence of blocks (type, total length, body, total length again) in sections.
/// Each Section Header Block starts a section with its own byte order and its own interfaces; each
/// Interface Description Block adds an interface (link type, snapshot length, clock) to the current
/// section; Enhanced, obsolete and Simple Packet Blocks hold packets captured on one of them. Every
/// other block (name resolution, statistics, decryption secrets, custom, …) is skipped by its length.
struct Pcapng {
  /// The current section's byte order.
  private(set) var order = ByteOrder.little
  /// The current section's interfaces, in the order their blocks came.
  private(set) var interfaces: [PcapngInterface] = []
  /// The distinct link types of the interfaces described before the first packet, in every
  /// section, in the order they first appear.
  private(set) var linkTypesBeforeFirstPacket: [Int32] = []

  static let sectionHeader: UInt32 = 0x0A0D_0D0A
  static let interfaceDescription: UInt32 = 1
  static let obsoletePacket: UInt32 = 2
  static let simplePacket: UInt32 = 3
  static let enhancedPacket: UInt32 = 6
  /// The largest block netfilter reads: a longer one is damage.
  static let maximumBlockLength = 16 << 20
  /// The most interfaces one section may describe.
  static let maximumInterfaces = 65_536

  /// Reads the blocks before the first packet: the first section header, interface descriptions,
  /// skipped blocks, and further sections that hold no packet.
  init(_ window: inout ByteWindow) throws(PcapError) {
    var seen: Set<Int32> = []
    while let type = try peekType(&window), !Self.isPacket(type) {
      guard let length = try blockLength(&window) else { break }
      try describe(type, length, window)
      if type == Self.interfaceDescription, let last = interfaces.last, seen.insert(last.linkType).inserted {
        linkTypesBeforeFirstPacket.append(last.linkType)
      }
      window.consume(length)
    }
  }

  /// Reads blocks up to the next packet, which goes into `buffer`; nil at the end of the file.
  @inline(__always)
  mutating func next(_ window: inout ByteWindow, into buffer: inout [UInt8]) throws(PcapError) -> PacketRecord? {
    while let length = try blockLength(&window) {
      let type = window.u32(0, order)
      if Self.isPacket(type) {
        let record = try packet(type, length, window, into: &buffer)
        window.consume(length)
        return record
      }
      try describe(type, length, window)
      window.consume(length)
    }
    return nil
  }

  private static func isPacket(_ type: UInt32) -> Bool {
    type == enhancedPacket || type == simplePacket || type == obsoletePacket
  }

  /// The type of the next block; nil at the end of the file.
  private func peekType(_ window: inout ByteWindow) throws(PcapError) -> UInt32? {
    guard try window.request(4) else {
      if window.available == 0 { return nil }
      throw PcapError.truncated("a block header", at: window.offset, needs: 8, has: window.available)
    }
    return window.u32(0, order)
  }

  /// Checks the next block's length (at its start and its end), makes the whole block available,
  /// and returns its length; nil at the end of the file. A section header sets the byte order.
  private mutating func blockLength(_ window: inout ByteWindow) throws(PcapError) -> Int? {
    guard try window.request(8) else {
      if window.available == 0 { return nil }
      throw PcapError.truncated("a block header", at: window.offset, needs: 8, has: window.available)
    }
    // The section header's type reads the same in both byte orders; its magic number gives the order.
    if window.u32(0, order) == Self.sectionHeader { order = try sectionOrder(&window) }
    let length = Int(window.u32(4, order))
    guard length >= 12, length % 4 == 0, length <= Self.maximumBlockLength else {
      let why =
        length % 4 != 0
        ? "is not a multiple of 4"
        : length < 12 ? "is shorter than a block header" : "is over the 16 MiB netfilter reads"
      throw PcapError.damaged("the length of \(name(window)), \(length) bytes, \(why)", at: window.offset)
    }
    guard try window.request(length) else {
      throw PcapError.truncated(name(window), at: window.offset, needs: length, has: window.available)
    }
    let trailer = Int(window.u32(length - 4, order))
    guard trailer == length else {
      throw PcapError.damaged(
        "\(name(window)) of \(length) bytes gives its length as \(trailer) at its end",
        at: window.offset
      )
    }
    return length
  }

  /// The byte order a Section Header Block's magic number gives.
  private func sectionOrder(_ window: inout ByteWindow) throws(PcapError) -> ByteOrder {
    guard try window.request(12) else {
      throw PcapError.truncated("a Section Header Block", at: window.offset, needs: 12, has: window.available)
    }
    switch window.u32(8, .little) {
    case 0x1A2B_3C4D: return .little
    case 0x4D3C_2B1A: return .big
    case let magic:
      throw PcapError.damaged("a Section Header Block has no byte-order magic (\(hex(magic)))", at: window.offset)
    }
  }

  /// Takes in a block that holds no packet: a section header starts a section, an interface
  /// description adds an interface, any other block is skipped.
  private mutating func describe(_ type: UInt32, _ length: Int, _ window: borrowing ByteWindow) throws(PcapError) {
    switch type {
    case Self.sectionHeader:
      guard length >= 28 else {
        throw PcapError.damaged("a Section Header Block of \(length) bytes is too short", at: window.offset)
      }
      let major = window.u16(12, order)
      guard major == 1 else {
        let version = "\(major).\(window.u16(14, order))"
        throw PcapError.damaged("pcapng version \(version) is not supported (only 1.x is)", at: window.offset)
      }
      interfaces.removeAll(keepingCapacity: true)
    case Self.interfaceDescription:
      guard interfaces.count < Self.maximumInterfaces else {
        throw PcapError.damaged("a section describes more than \(Self.maximumInterfaces) interfaces", at: window.offset)
      }
      interfaces.append(try PcapngInterface(window, length: length, order: order))
    default:
      break
    }
  }

  /// Reads the packet of an Enhanced, obsolete or Simple Packet Block into `buffer`.
  private func packet(
    _ type: UInt32,
    _ length: Int,
    _ window: borrowing ByteWindow,
    into buffer: inout [UInt8]
  ) throws(PcapError) -> PacketRecord {
    guard length >= (type == Self.simplePacket ? 16 : 32) else {
      throw PcapError.damaged("\(Self.name(type)) of \(length) bytes is too short", at: window.offset)
    }
    if type == Self.simplePacket { return try simplePacket(length, window, into: &buffer) }
    let id = type == Self.enhancedPacket ? Int(window.u32(8, order)) : Int(window.u16(8, order))
    guard id < interfaces.count else {
      throw PcapError.damaged(
        "\(Self.name(type)) names interface \(id), but its section describes \(interfaces.count)",
        at: window.offset
      )
    }
    let captured = Int(window.u32(20, order))
    guard captured <= length - 32 else {
      throw PcapError.damaged(
        "\(Self.name(type)) of \(length) bytes claims \(captured) captured bytes",
        at: window.offset
      )
    }
    let interface = interfaces[id]
    let ticks = UInt64(window.u32(12, order)) << 32 | UInt64(window.u32(16, order))
    window.copy(28, count: captured, into: &buffer)
    return PacketRecord(
      timestamp: interface.nanoseconds(ticks),
      capturedLength: captured,
      originalLength: Int(window.u32(24, order)),
      linkType: interface.linkType
    )
  }

  /// A Simple Packet Block: a packet of the section's first interface, without a timestamp,
  /// captured up to the interface's snapshot length.
  private func simplePacket(_ length: Int, _ window: borrowing ByteWindow, into buffer: inout [UInt8]) throws(PcapError)
    -> PacketRecord
  {
    guard let interface = interfaces.first else {
      throw PcapError.damaged("a Simple Packet Block, but its section describes no interface", at: window.offset)
    }
    let original = Int(window.u32(8, order))
    var captured = min(original, length - 16)
    if interface.snapLength > 0 { captured = min(captured, interface.snapLength) }
    window.copy(12, count: captured, into: &buffer)
    return PacketRecord(timestamp: 0, capturedLength: captured, originalLength: original, linkType: interface.linkType)
  }

  /// The name of the block at the start of `window`, for the errors.
  private func name(_ window: borrowing ByteWindow) -> String { Self.name(window.u32(0, order)) }

  /// A block type's name, for the errors.
  static func name(_ type: UInt32) -> String {
    switch type {
    case sectionHeader: "a Section Header Block"
    case interfaceDescription: "an Interface Description Block"
    case obsoletePacket: "a Packet Block"
    case simplePacket: "a Simple Packet Block"
    case enhancedPacket: "an Enhanced Packet Block"
    default: "a block of type \(hex(type))"
    }
  }
}

/// `value` as 0x-prefixed hexadecimal.
func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16, uppercase: true) }
