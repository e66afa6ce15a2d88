import CNetFilterBPF
import NetFilterBPF
import NetFilterDecoders
import NetFilterLowering
import NetFilterSyntax
import Testing

/// One list of event names (`EventNames`): the decoders, the kernel plan, the BPF records and the
/// JSON ids all agree with it and with the BPF ABI's kind numbers.
@Suite struct EventNamesTests {
  @Test func socketEventsAreTheKernelsKindsInOrder() {
    #expect(LiveSocketEvent.Kind.allCases.count == 7)
    for kind in LiveSocketEvent.Kind.allCases {
      #expect(EventNames.socket[Int(kind.rawValue) - 2] == kind.name)
      #expect(EventNames.id(of: kind.name) == 3000 + Int(kind.rawValue))
      #expect(KernelEventKind(eventName: kind.name).rawValue == kind.rawValue)
    }
    #expect(UInt8(NF_KIND_PACKET) == KernelEventKind.packet.rawValue)
    #expect(UInt8(NF_KIND_CONNECT) == LiveSocketEvent.Kind.connect.rawValue)
    #expect(UInt8(NF_KIND_ACCEPT) == LiveSocketEvent.Kind.accept.rawValue)
    #expect(UInt8(NF_KIND_SEND) == LiveSocketEvent.Kind.send.rawValue)
    #expect(UInt8(NF_KIND_RECV) == LiveSocketEvent.Kind.recv.rawValue)
    #expect(UInt8(NF_KIND_DISCONNECT) == LiveSocketEvent.Kind.disconnect.rawValue)
    #expect(UInt8(NF_KIND_RECONNECT) == LiveSocketEvent.Kind.reconnect.rawValue)
    #expect(UInt8(NF_KIND_RETRANSMIT) == LiveSocketEvent.Kind.retransmit.rawValue)
  }

  @Test func packetEventsAreTheDecodersKindsInTraceeIDOrder() {
    #expect(PacketKind.allNames == EventNames.packet)
    #expect(EventNames.id(of: "net_packet_ipv4") == 2000)
    #expect(EventNames.id(of: "net_packet_http_response") == 2011)
    #expect(EventNames.id(of: "NoSuchEvent") == 0)
    #expect(KernelEventKind(eventName: "net_packet_dns") == .packet)
    #expect(KernelEventKind(eventName: "QueryDns") == .packet)
  }
}
