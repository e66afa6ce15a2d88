/// One captured packet's record header.
public struct PacketRecord: Sendable, Hashable {
  /// Capture time in nanoseconds since the Unix epoch (0 when the record has none, as a pcapng
  /// Simple Packet Block).
  public var timestamp: UInt64
  /// Bytes captured (what the buffer holds).
  public var capturedLength: Int
  /// Bytes on the wire.
  public var originalLength: Int
  /// The link-layer header type of the interface the packet was captured on (a `LINKTYPE_*` value:
  /// 1 Ethernet, 113 Linux cooked, 101 raw IP, …): a pcapng file gives each interface its own.
  public var linkType: Int32

  /// Creates a record header.
  public init(timestamp: UInt64, capturedLength: Int, originalLength: Int, linkType: Int32) {
    self.timestamp = timestamp
    self.capturedLength = capturedLength
    self.originalLength = originalLength
    self.linkType = linkType
  }
}
