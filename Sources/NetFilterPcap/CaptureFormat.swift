/// The two capture file formats netfilter reads and writes.
public enum CaptureFormat: Sendable, Hashable {
  /// Classic pcap: one link type and one timestamp resolution for the whole file.
  case pcap
  /// pcapng: sections of interfaces, each interface with its own link type and timestamp resolution.
  case pcapng
}
