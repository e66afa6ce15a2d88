// package-benchmark suite for packet decoding, as replay does it: one reused event decodes 1,000
// raw IPv4 packets per iteration (TCP, UDP, DNS queries and responses over UDP, HTTP requests),
// headers only (the filter reads no payload; DNS and HTTP are detected and checked, not built), and
// with the DNS and HTTP messages decoded.
//
//   Decode/headers/1000-packets       headers, detection and the malformed check; mallocCountTotal 0
//   Decode/application/1000-packets   the same with the DNS and HTTP messages built (allocates)
//
// The figure per iteration divided by 1,000 is the cost per packet.

import Benchmark
import NetFilterDecoders
import NetFilterPackets

enum DecodeSuite {
  /// The big-endian bytes of a 16-bit value.
  private static func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }

  private static func name(_ dotted: String) -> [UInt8] {
    dotted.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
  }

  private static func ipv4(_ proto: UInt8, _ index: Int, _ transport: [UInt8]) -> [UInt8] {
    let length = 20 + transport.count
    return [0x45, 0] + be16(length) + [0, 1, 0x40, 0, 64, proto, 0, 0]
      + [10, 0, 0, UInt8(1 + index % 200), 10, 0, 1, UInt8(1 + index % 100)] + transport
  }

  private static func udp(_ source: Int, _ destination: Int, _ payload: [UInt8]) -> [UInt8] {
    be16(source) + be16(destination) + be16(8 + payload.count) + [0, 0] + payload
  }

  private static func tcp(_ source: Int, _ destination: Int, flags: UInt8, _ payload: [UInt8] = []) -> [UInt8] {
    be16(source) + be16(destination) + [0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0] + payload
  }

  static let query: [UInt8] =
    be16(0x1234) + be16(0x0100) + be16(1) + be16(0) + be16(0) + be16(0)
    + name("www.example.com") + be16(1) + be16(1)

  static let response: [UInt8] =
    be16(0x1234) + be16(0x8180) + be16(1) + be16(2) + be16(0) + be16(0)
    + name("www.example.com") + be16(1) + be16(1)
    + [0xC0, 12] + be16(5) + be16(1) + [0, 0, 1, 0] + be16(6) + [3] + Array("web".utf8) + [0xC0, 16]
    + [0xC0, 45] + be16(1) + be16(1) + [0, 0, 0, 60] + be16(4) + [93, 184, 216, 34]

  static let request = Array(
    "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n".utf8
  )

  /// 1,000 packets: a fifth each TCP SYN, other UDP, DNS query, DNS response, HTTP request.
  static let packets: [[UInt8]] = (0..<1_000).map { index in
    switch index % 5 {
    case 0: ipv4(6, index, tcp(40_000 + index, 443, flags: 0x02))
    case 1: ipv4(17, index, udp(40_000 + index, 123, [UInt8](repeating: 0x23, count: 48)))
    case 2: ipv4(17, index, udp(40_000 + index, 53, query))
    case 3: ipv4(17, index, udp(53, 40_000 + index, response))
    default: ipv4(6, index, tcp(40_000 + index, 80, flags: 0x18, request))
    }
  }

  static func register() {
    let configuration = perEventConfiguration
    let packets = Self.packets
    var check = PacketEvent()
    for (index, bytes) in packets.enumerated() {
      check.decode(bytes: bytes, record: (1, bytes.count), linkType: 101, decodeApplication: true)
      precondition(!check.isMalformed && check.packet.transport != .none, "packet \(index) does not decode")
      precondition(index % 5 < 2 || check.application != nil, "packet \(index) has no application message")
    }
    for (label, application) in [("headers", false), ("application", true)] {
      Benchmark("Decode/\(label)/1000-packets", configuration: configuration) { benchmark in
        var event = PacketEvent()
        for _ in benchmark.scaledIterations {
          var malformed = 0
          for bytes in packets {
            event.decode(bytes: bytes, record: (1, bytes.count), linkType: 101, decodeApplication: application)
            if event.isMalformed { malformed += 1 }
          }
          blackHole(malformed)
        }
      }
    }
  }
}
