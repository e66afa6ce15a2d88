import Foundation
import NetFilter
import NetFilterRuntime

/// Builds raw-IP (link type 101) captures of IPv4 UDP/TCP packets and DNS messages for the names
/// and DNS-on-any-port tests.
enum DNSCaptureBuilder {
  /// One resource record of an answer section.
  struct Record {
    var owner: String
    var type: UInt16
    var ttl: UInt32
    var data: [UInt8]

    static func a(_ owner: String, _ address: [UInt8], ttl: UInt32 = 30) -> Record {
      Record(owner: owner, type: 1, ttl: ttl, data: address)
    }
    static func aaaa(_ owner: String, _ address: [UInt8], ttl: UInt32 = 30) -> Record {
      Record(owner: owner, type: 28, ttl: ttl, data: address)
    }
    static func cname(_ owner: String, _ target: String, ttl: UInt32 = 30) -> Record {
      Record(owner: owner, type: 5, ttl: ttl, data: DNSCaptureBuilder.name(target))
    }
    static func ptr(_ owner: String, _ target: String, ttl: UInt32 = 30) -> Record {
      Record(owner: owner, type: 12, ttl: ttl, data: DNSCaptureBuilder.name(target))
    }
  }

  static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
  static func be32(_ value: UInt32) -> [UInt8] { be16(UInt16(value >> 16)) + be16(UInt16(value & 0xFFFF)) }

  /// A name in wire format, uncompressed.
  static func name(_ text: String) -> [UInt8] {
    text.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
  }

  /// A DNS query for `question`.
  static func query(_ question: String, type: UInt16 = 1, id: UInt16 = 0x1234) -> [UInt8] {
    be16(id) + be16(0x0100) + be16(1) + be16(0) + be16(0) + be16(0) + name(question) + be16(type) + be16(1)
  }

  /// A DNS response to `question` with `answers`.
  static func reply(_ question: String, type: UInt16 = 1, answers: [Record], rcode: UInt16 = 0, id: UInt16 = 0x1234)
    -> [UInt8]
  {
    var bytes = be16(id) + be16(0x8180 | rcode) + be16(1) + be16(UInt16(answers.count)) + be16(0) + be16(0)
    bytes += name(question) + be16(type) + be16(1)
    for record in answers {
      bytes += name(record.owner) + be16(record.type) + be16(1) + be32(record.ttl)
      bytes += be16(UInt16(record.data.count)) + record.data
    }
    return bytes
  }

  /// An IPv4 packet of `proto` carrying `transport`.
  static func ipv4(_ source: [UInt8], _ destination: [UInt8], proto: UInt8, _ transport: [UInt8]) -> [UInt8] {
    let length = UInt16(20 + transport.count)
    var header: [UInt8] = [0x45, 0] + be16(length) + [0, 1, 0x40, 0, 64, proto, 0, 0] + source + destination
    var sum: UInt32 = 0
    for index in stride(from: 0, to: 20, by: 2) { sum += UInt32(header[index]) << 8 | UInt32(header[index + 1]) }
    while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
    header[10...11] = ArraySlice(be16(~UInt16(sum)))
    return header + transport
  }

  /// An IPv4 UDP datagram.
  static func udp(_ source: [UInt8], _ sport: UInt16, _ destination: [UInt8], _ dport: UInt16, _ payload: [UInt8])
    -> [UInt8]
  {
    ipv4(
      source,
      destination,
      proto: 17,
      be16(sport) + be16(dport) + be16(UInt16(8 + payload.count)) + [0, 0] + payload
    )
  }

  /// An IPv4 TCP segment (flags 0x02 is a SYN).
  static func tcp(
    _ source: [UInt8],
    _ sport: UInt16,
    _ destination: [UInt8],
    _ dport: UInt16,
    flags: UInt8 = 0x18,
    _ payload: [UInt8] = []
  ) -> [UInt8] {
    let header = be16(sport) + be16(dport) + be32(1) + be32(0) + [0x50, flags] + be16(65535) + [0, 0, 0, 0]
    return ipv4(source, destination, proto: 6, header + payload)
  }

  /// A classic pcap file of raw IP packets, each at its time in nanoseconds.
  static func pcap(_ packets: [(time: UInt64, bytes: [UInt8])]) -> [UInt8] {
    func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    // Nanosecond-resolution magic, version 2.4, snaplen 65535, link type 101 (raw IP).
    var file = le32(0xA1B2_3C4D) + [2, 0, 4, 0] + le32(0) + le32(0) + le32(65535) + le32(101)
    for (time, bytes) in packets {
      file += le32(UInt32(time / 1_000_000_000)) + le32(UInt32(time % 1_000_000_000))
      file += le32(UInt32(bytes.count)) + le32(UInt32(bytes.count)) + bytes
    }
    return file
  }

  /// Writes `bytes` to a new temporary file; its path.
  static func temporaryFile(_ bytes: [UInt8], _ label: String) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("names-\(label)-\(getpid()).pcap")
    try Data(bytes).write(to: url)
    return url.path
  }

  /// Runs `filter` over the capture at `path`; the JSON lines printed and the counters.
  static func run(
    _ filter: String,
    _ path: String,
    configure: (inout Pipeline) -> Void = { _ in }
  ) throws -> (lines: [String], counters: PipelineCounters) {
    var pipeline = try Environment().compile(filter).pipeline(over: .pcap(path: path))
    pipeline.hostName = "h"
    configure(&pipeline)
    let collected = Collected()
    let output = ByteOutput(immediate: true) { bytes in collected.append(bytes) }
    let counters = try pipeline.run(into: JSONLinesSink(output: output, hostName: "h"))
    return (collected.text.split(separator: "\n").map(String.init), counters)
  }
}

/// Bytes a sink wrote.
final class Collected: @unchecked Sendable {
  private let lock = NSLock()
  private var bytes: [UInt8] = []
  func append(_ more: [UInt8]) { lock.withLock { bytes += more } }
  var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
}
