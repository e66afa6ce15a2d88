/// The names of the events netfilter produces, and their ids in Tracee's JSON shape: the one list
/// that the schema, the decoders, the kernel plan and the JSON writers all read.
public enum EventNames {
  /// Fibratus-style socket events (ids 3002 from `Connect`, the BPF ABI's kind numbers + 3000).
  public static let socket = [
    "Connect", "Accept", "Send", "Recv", "Disconnect", "Reconnect", "Retransmit", "QueryDns", "ReplyDns",
  ]
  /// Tracee-style packet events, in Tracee's id order (`net_packet_ipv4` = 2000).
  public static let packet = [
    "net_packet_ipv4", "net_packet_ipv6", "net_packet_tcp", "net_packet_udp", "net_packet_icmp",
    "net_packet_icmpv6", "net_packet_dns", "net_packet_dns_request", "net_packet_dns_response",
    "net_packet_http", "net_packet_http_request", "net_packet_http_response",
  ]

  /// The first socket event's id: the BPF ABI numbers socket kinds from 2 (`Connect`).
  public static let firstSocketID = 3002
  /// The first packet event's id.
  public static let firstPacketID = 2000

  /// The `eventId` Tracee's JSON shape carries for `name`; 0 for a name netfilter does not produce.
  public static func id(of name: String) -> Int {
    if let index = packet.firstIndex(of: name) { return firstPacketID + index }
    if let index = socket.firstIndex(of: name) { return firstSocketID + index }
    return 0
  }
}
