import Foundation
import NetFilter
import NetFilterBPF
import NetFilterPackets
import NetFilterRuntime
import NetFilterTestSupport
import Testing

@testable import NetFilterCLI

/// The kernel plan on the real BPF program: random filters lowered and loaded into the maps,
/// crafted packets run through the loaded (not attached) cgroup_skb program with
/// BPF_PROG_TEST_RUN. The kernel must pass every packet the full filter matches, and on well-formed
/// packets compute exactly what the Swift model of the plan computes.
@Suite(.serialized, .enabled(if: Live.available, "needs root, BPF, BTF and cgroup v2"))
struct KernelPlanBPFTests {
  @Test func theRealProgramNeverRejectsAPacketTheFilterMatches() throws {
    let capture = try LiveCapture(attach: false)
    defer { capture.stop() }
    var random = SplitMix64(seed: 0x6E66_6B70)
    let packets = (0..<80).map { _ in CraftedPacket.random(&random) }
    var (checked, rejected, compared) = (0, 0, 0)
    for round in 0..<60 {
      let text = RandomKernelFilter.make(&random)
      let filter = try Environment().compile(text)
      let plan = filter.kernelPlan
      let program: Program<LivePacketEvent> = try filter.program(for: LivePacketEvent.self)
      try capture.load(plan)
      for packet in packets {
        let kernel = try kernelResult(capture, packet)
        let event = LivePacketEvent(
          LivePacket(
            timestamp: 1,
            direction: .egress,
            originalLength: packet.bytes.count,
            owner: nil,
            bytes: packet.bytes
          ),
          decodeApplication: true
        )
        checked += 1
        if kernel == 0 { rejected += 1 }
        if program.matches(event) {
          #expect(kernel & plan.filterMasks[0] != 0, "round \(round): `\(text)` rejected in the kernel: \(packet)")
        }
        if packet.wellFormed {
          compared += 1
          let model = plan.evaluate(packet.view)
          #expect(kernel == (plan.passesEverything ? UInt64.max : model), "round \(round): `\(text)` on \(packet)")
        }
      }
    }
    #expect(checked == 60 * 80 && compared > checked / 2)
    #expect(rejected > checked / 4, "the plans filtered: \(rejected) of \(checked) packets stayed in the kernel")
  }

  /// The kernel's clause mask for one packet sent through the egress program (0: not copied).
  private func kernelResult(_ capture: LiveCapture, _ packet: CraftedPacket) throws -> UInt64 {
    _ = try capture.testRun(program: "nf_skb_egress", frame: packet.frame)
    var clauses: UInt64 = 0
    var records = 0
    capture.drain { record in
      if case .packet(let live) = record {
        clauses = live.clauses
        records += 1
      }
    }
    #expect(records <= 1)
    return clauses
  }
}

/// Random filters over what the kernel sees (ports, addresses, protocol, direction, event kind) mixed
/// with what it does not (sizes, TCP flags, process names it cannot know in a test run).
enum RandomKernelFilter {
  static let ports = ["53", "80", "443", "19999", "8080"]
  static let addresses = ["10.0.0.1", "10.1.2.3", "127.0.0.1", "192.168.7.9", "::1", "fd00::7", "2001:db8::1"]
  static let cidrs = ["10.0.0.0/8", "10.1.0.0/16", "127.0.0.0/8", "fd00::/8", "2001:db8::/32", "0.0.0.0/0"]

  static func make(_ random: inout SplitMix64, depth: Int = 0) -> String {
    if depth >= 3 || Int.random(in: 0..<3, using: &random) == 0 { return leaf(&random) }
    let left = make(&random, depth: depth + 1)
    let right = make(&random, depth: depth + 1)
    switch Int.random(in: 0..<5, using: &random) {
    case 0, 1: return "(\(left) and \(right))"
    case 2, 3: return "(\(left) or \(right))"
    default: return "not (\(left))"
    }
  }

  static func leaf(_ random: inout SplitMix64) -> String {
    let port = ports.randomElement(using: &random)!
    let address = addresses.randomElement(using: &random)!
    let side = Bool.random(using: &random) ? "s" : "d"
    switch Int.random(in: 0..<14, using: &random) {
    case 0: return "net.\(side)port = \(port)"
    case 1: return "net.\(side)port != \(port)"
    case 2: return "net.\(side)port in (\(port), \(ports.randomElement(using: &random)!), 1000..2000)"
    case 3: return "net.\(side)port \(["<", "<=", ">", ">="].randomElement(using: &random)!) \(port)"
    case 4: return "net.\(side)ip = \(address)"
    case 5: return "net.\(side)ip != \(address)"
    case 6: return "net.\(side)ip in (\(cidrs.randomElement(using: &random)!), \(address))"
    case 7: return "net.l4.proto = '\(["TCP", "UDP", "ICMP", "ICMPv6"].randomElement(using: &random)!)'"
    case 8: return "net.direction = '\(Bool.random(using: &random) ? "egress" : "ingress")'"
    case 9:
      return ["net_packet_udp", "net_packet_tcp", "net_packet_dns", "evt.name = 'Send'"].randomElement(using: &random)!
    case 10: return "net.size > \(Int.random(in: 20...120, using: &random))"
    case 11: return "net_packet_tcp.data.proto_tcp.SYN = 1"
    case 12: return "ps.name = 'curl'"
    default: return "net.sport != net.dport"
    }
  }
}
