import Foundation
import NetFilterPackets
import NetFilterPcap
import NetFilterSyntax
import Testing

// The synthetic captures PcapTests compares with tshark: ~70 IP packets (TCP, UDP, DNS, HTTP,
// ICMP, fragments, extension headers, hostile shapes, truncated and malformed packets) behind five
// link types, written as classic pcap, nanosecond pcap and pcapng.
// MARK: - Synthetic captures

/// One frame of a capture: the bytes captured (possibly fewer than on the wire).
struct Frame: Sendable {
  var captured: [UInt8]
  var originalLength: Int
  var note: String
  /// Whether netfilter's header decoders report this frame damaged.
  var malformedHeader = false
  /// Whether the frame is DNS or HTTP whose message does not decode (or DNS with a malformed
  /// record).
  var malformedPayload = false

  func decoded(linkType: Int32, application: Bool = false) -> PacketEvent {
    PacketEvent(bytes: captured, record: (1, originalLength), linkType: linkType, decodeApplication: application)
  }
}

struct Capture: Sendable {
  var name: String
  var linkType: Int32
  var frames: [Frame]
  var fileBytes: [UInt8]
}

/// An IP packet before its link-layer header, and how it is damaged.
struct IPPacket: Sendable {
  var bytes: [UInt8]
  var v6: Bool
  var note: String
  /// Capture only this many bytes of the IP packet.
  var keep: Int?
  var malformedHeader = false
  var malformedPayload = false
}

enum SyntheticCaptures {
  static let names = ["ethernet.pcap", "linux-sll.pcap", "linux-sll2.pcapng", "null.pcap", "raw.pcap"]

  static func capture(named name: String) -> Capture {
    switch name {
    case "ethernet.pcap": build(name, linkType: 1, format: .classic) { packet, index in Link.ethernet(packet, index) }
    case "linux-sll.pcap":
      build(name, linkType: 113, format: .nanoseconds) { packet, index in Link.cooked(packet, index) }
    case "linux-sll2.pcapng":
      build(name, linkType: 276, format: .pcapng) { packet, index in Link.cooked2(packet, index) }
    case "null.pcap": build(name, linkType: 0, format: .bigEndian) { packet, index in Link.null(packet, index) }
    default: build(name, linkType: 101, format: .classic) { packet, _ in packet.bytes }
    }
  }

  enum Format { case classic, nanoseconds, bigEndian, pcapng }

  private static func build(_ name: String, linkType: Int32, format: Format, wrap: (IPPacket, Int) -> [UInt8])
    -> Capture
  {
    var frames: [Frame] = []
    for (index, packet) in Packets.all.enumerated() {
      let frame = wrap(packet, index)
      let header = frame.count - packet.bytes.count
      let captured = packet.keep.map { Array(frame.prefix(header + $0)) } ?? frame
      frames.append(
        Frame(
          captured: captured,
          originalLength: frame.count,
          note: packet.note,
          malformedHeader: packet.malformedHeader,
          malformedPayload: packet.malformedPayload
        )
      )
    }
    // Frames the link layer itself damages or does not carry IP in.
    let sample = wrap(Packets.all[0], 0)
    let linkHeader = sample.count - Packets.all[0].bytes.count
    if linkHeader > 0 {
      frames.append(
        Frame(
          captured: Array(sample.prefix(linkHeader / 2)),
          originalLength: sample.count,
          note: "link header cut",
          malformedHeader: true
        )
      )
      if let arp = Link.arp(linkType) { frames.append(Frame(captured: arp, originalLength: arp.count, note: "ARP")) }
    } else {
      frames.append(
        Frame(
          captured: Array(sample.prefix(3)),
          originalLength: sample.count,
          note: "IP header cut to 3 bytes",
          malformedHeader: true
        )
      )
    }
    frames.append(Frame(captured: [], originalLength: 60, note: "nothing captured", malformedHeader: true))
    let fileBytes: [UInt8] =
      switch format {
      case .classic: PcapFile.classic(linkType: linkType, frames: frames, nanoseconds: false)
      case .nanoseconds: PcapFile.classic(linkType: linkType, frames: frames, nanoseconds: true)
      case .bigEndian: PcapFile.classic(linkType: linkType, frames: frames, nanoseconds: false, bigEndian: true)
      case .pcapng: PcapFile.pcapng(linkType: linkType, frames: frames)
      }
    return Capture(name: name, linkType: linkType, frames: frames, fileBytes: fileBytes)
  }
}

/// The link-layer headers.
enum Link {
  static let macA: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0A]
  static let macB: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0B]

  static func etherType(_ packet: IPPacket) -> UInt16 { packet.v6 ? 0x86DD : 0x0800 }

  /// Ethernet; every fifth packet has an 802.1Q tag, every seventh an 802.1ad and an 802.1Q tag.
  static func ethernet(_ packet: IPPacket, _ index: Int) -> [UInt8] {
    var header = (index % 2 == 0 ? macA + macB : macB + macA)
    if index % 7 == 3 {
      header += be16(0x88A8) + be16(100) + be16(0x8100) + be16(200)
    } else if index % 5 == 1 {
      header += be16(0x8100) + be16(UInt16(0x2000 | index))
    }
    return header + be16(etherType(packet)) + packet.bytes
  }

  /// Linux cooked capture v1: incoming and outgoing in turn.
  static func cooked(_ packet: IPPacket, _ index: Int) -> [UInt8] {
    be16(index % 2 == 0 ? 0 : 4) + be16(1) + be16(6) + macA + [0, 0] + be16(etherType(packet)) + packet.bytes
  }

  /// Linux cooked capture v2.
  static func cooked2(_ packet: IPPacket, _ index: Int) -> [UInt8] {
    be16(etherType(packet)) + be16(0) + be32(2) + be16(1) + [index % 2 == 0 ? 0 : 4, 6] + macB + [0, 0] + packet.bytes
  }

  /// BSD loopback: the address family in the capturing host's byte order (little-endian here);
  /// IPv6 as each BSD numbers it.
  static func null(_ packet: IPPacket, _ index: Int) -> [UInt8] {
    let family: UInt32 = packet.v6 ? [24, 28, 30][index % 3] : 2
    return le32(family) + packet.bytes
  }

  static func arp(_ linkType: Int32) -> [UInt8]? {
    let body =
      be16(1) + be16(0x0800) + [6, 4] + be16(1) + macA + [192, 168, 1, 10] + [0, 0, 0, 0, 0, 0] + [192, 168, 1, 1]
    switch linkType {
    case 1: return [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] + macA + be16(0x0806) + body
    case 113: return be16(4) + be16(1) + be16(6) + macA + [0, 0] + be16(0x0806) + body
    case 276: return be16(0x0806) + be16(0) + be32(2) + be16(1) + [4, 6] + macA + [0, 0] + body
    default: return nil
    }
  }
}

/// pcap and pcapng files.
enum PcapFile {
  static let firstSecond: UInt32 = 1_700_000_000

  static func classic(linkType: Int32, frames: [Frame], nanoseconds: Bool, bigEndian: Bool = false) -> [UInt8] {
    let u16: (UInt16) -> [UInt8] = { bigEndian ? be16($0) : le16($0) }
    let u32: (UInt32) -> [UInt8] = { bigEndian ? be32($0) : le32($0) }
    let magic: UInt32 = nanoseconds ? 0xA1B2_3C4D : 0xA1B2_C3D4
    var out: [UInt8] = u32(magic)
    out += u16(2)
    out += u16(4)
    out += u32(0)
    out += u32(0)
    out += u32(262_144)
    out += u32(UInt32(linkType))
    for (index, frame) in frames.enumerated() {
      let fraction = UInt32(index) * 1000 + 7
      out += u32(firstSecond + UInt32(index / 100))
      out += u32(nanoseconds ? fraction * 1000 + 123 : fraction)
      out += u32(UInt32(frame.captured.count))
      out += u32(UInt32(frame.originalLength))
      out += frame.captured
    }
    return out
  }

  static func pcapng(linkType: Int32, frames: [Frame]) -> [UInt8] {
    func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
      let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
      let length = UInt32(12 + padded.count)
      return le32(type) + le32(length) + padded + le32(length)
    }
    var out = block(0x0A0D_0D0A, le32(0x1A2B_3C4D) + le16(1) + le16(0) + le32(0xFFFF_FFFF) + le32(0xFFFF_FFFF))
    // Interface: the link type, snap length, if_tsresol = 9 (nanoseconds).
    out += block(
      1,
      le16(UInt16(linkType)) + le16(0) + le32(262_144) + le16(9) + le16(1) + [9, 0, 0, 0] + le16(0) + le16(0)
    )
    for (index, frame) in frames.enumerated() {
      let time = UInt64(firstSecond + UInt32(index / 100)) * 1_000_000_000 + UInt64(index % 100) * 1_000_000 + 456
      let captured = frame.captured + [UInt8](repeating: 0, count: (4 - frame.captured.count % 4) % 4)
      out += block(
        6,
        le32(0) + le32(UInt32(time >> 32)) + le32(UInt32(time & 0xFFFF_FFFF)) + le32(UInt32(frame.captured.count))
          + le32(UInt32(frame.originalLength)) + captured
      )
    }
    return out
  }
}
