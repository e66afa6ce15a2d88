import Testing

/// A pcapng file damaged after three good packets, and the error netfilter must give for it.
struct PcapngDamage: Sendable, CustomTestStringConvertible {
  let name: String
  let bytes: [UInt8]
  /// The byte offset of the damaged block.
  let offset: Int
  /// The packets read before it.
  let before: Int
  /// What the error says.
  let message: String
  /// Whether tshark fails on the file too (its limits differ from netfilter's for a few).
  var tsharkFails = true

  var testDescription: String { name }

  /// Three good packets on one Ethernet interface, then `damage`.
  private static func damaged(
    _ name: String,
    message: String,
    tsharkFails: Bool = true,
    _ damage: (inout PcapngBuilder, [Frame]) -> Void
  ) -> PcapngDamage {
    let frames = Packets.all.prefix(4).enumerated().map { MixedCaptures.frame($1, $0, linkType: 1) }
    var file = PcapngBuilder()
    file.section(.little)
    file.interface(1)
    for (index, frame) in frames.prefix(3).enumerated() {
      file.packet(frame, interface: 0, seconds: 1_700_000_000, nanoseconds: UInt64(index) * 1000)
    }
    damage(&file, frames)
    return PcapngDamage(
      name: name,
      bytes: file.bytes,
      offset: file.blockOffsets.last ?? -1,
      before: 3,
      message: message,
      tsharkFails: tsharkFails
    )
  }

  /// An Enhanced Packet Block of `frame` on `interface` in `order`, as bytes, for damaging by hand.
  private static func enhanced(_ frame: Frame, interface: UInt32 = 0, _ order: PcapngBuilder.Order = .little)
    -> [UInt8]
  {
    var scratch = PcapngBuilder()
    scratch.section(order)
    scratch.interface(1)
    let start = scratch.bytes.count
    scratch.packet(frame, interface: 0, seconds: 1_700_000_001, nanoseconds: 0)
    var block = Array(scratch.bytes[start...])
    block.replaceSubrange(8..<12, with: scratch.u32(interface))
    return block
  }

  static let all: [PcapngDamage] = [
    damaged("a block length that is not a multiple of 4", message: "110 bytes, is not a multiple of 4") { file, f in
      var block = enhanced(f[3])
      block.replaceSubrange(4..<8, with: file.u32(110))
      file.raw(block)
    },
    damaged("a block over 16 MiB", message: "33554432 bytes, is over the 16 MiB") { file, _ in
      file.raw(file.u32(6) + file.u32(32 << 20) + [UInt8](repeating: 0, count: 64))
    },
    damaged("a block shorter than its header", message: "8 bytes, is shorter than a block header") { file, _ in
      file.raw(file.u32(6) + file.u32(8) + file.u32(8))
    },
    damaged("a packet on an interface no block described", message: "names interface 1, but its section describes 1") {
      file,
      f in
      file.raw(enhanced(f[3], interface: 1))
    },
    damaged("a file that ends inside a block", message: "an Enhanced Packet Block is truncated") { file, f in
      file.raw(Array(enhanced(f[3]).prefix(40)))
    },
    damaged("a file that ends inside a block header", message: "a block header is truncated") { file, _ in
      file.raw([6, 0, 0, 0, 64])
    },
    damaged("a block whose two lengths differ", message: "gives its length as 1000 at its end") { file, f in
      var block = enhanced(f[3])
      block.replaceSubrange((block.count - 4)..<block.count, with: file.u32(1000))
      file.raw(block)
    },
    damaged("a packet longer than its block", message: "claims 500 captured bytes") { file, f in
      var block = enhanced(f[3])
      block.replaceSubrange(20..<24, with: file.u32(500))
      file.raw(block)
    },
    damaged("an interface option that runs past its block", message: "runs past the end of the block") { file, _ in
      file.block(1, file.u16(1) + file.u16(0) + file.u32(0) + file.u16(9) + file.u16(40) + [9, 0, 0, 0])
    },
    damaged("a timestamp unit finer than 64 bits count", message: "10^-20 s, too fine", tsharkFails: false) {
      file,
      _ in
      file.interface(1, resolution: 20)
    },
    damaged(
      "a section that forgets the interfaces before it",
      message: "names interface 0, but its section describes 0"
    ) { file, f in
      file.section(.big)
      file.raw(enhanced(f[3], .big))
    },
    damaged("a Simple Packet Block before any interface", message: "its section describes no interface") { file, f in
      file.section(.big)
      file.block(3, file.u32(UInt32(f[3].captured.count)) + f[3].captured)
    },
    damaged("a section header without its byte-order magic", message: "has no byte-order magic") { file, _ in
      file.raw(
        file.u32(0x0A0D_0D0A) + file.u32(28) + file.u32(0x1234_5678) + [UInt8](repeating: 0, count: 12)
          + file.u32(28)
      )
    },
    damaged("a section of pcapng version 2", message: "pcapng version 2.0 is not supported") { file, _ in
      file.section(.big, major: 2)
    },
  ]
}
