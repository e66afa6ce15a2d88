/// A libpcap failure, with libpcap's own message.
public struct PcapError: Error, Sendable, CustomStringConvertible {
  /// What failed: "open", "read", "write".
  public let operation: String
  /// libpcap's message.
  public let message: String

  /// Creates an error.
  public init(operation: String, message: String) {
    self.operation = operation
    self.message = message
  }

  public var description: String { "\(operation): \(message)" }
}

/// One captured packet's record header.
public struct PacketRecord: Sendable, Hashable {
  /// Capture time in nanoseconds since the Unix epoch.
  public var timestamp: UInt64
  /// Bytes captured (what the buffer holds).
  public var capturedLength: Int
  /// Bytes on the wire.
  public var originalLength: Int

  /// Creates a record header.
  public init(timestamp: UInt64, capturedLength: Int, originalLength: Int) {
    self.timestamp = timestamp
    self.capturedLength = capturedLength
    self.originalLength = originalLength
  }
}
