/// Writes packets to a capture file (for `--write`): a classic pcap file of one link type, or a
/// pcapng file with one interface per link type, so that packets of several link types can be
/// saved together. Timestamps keep their nanoseconds.
///
/// Packets are gathered in a 64 KiB buffer and written when it fills; a failed write (a full disk)
/// is kept and thrown by ``flush()``.
public final class PcapWriter {
  private let file: CaptureFile
  private var encoder: CaptureEncoder
  private var pending: [UInt8] = []
  private var failure: PcapError?

  /// The buffered bytes that start a write.
  static let bufferSize = 1 << 16

  /// Creates `path` ("-" is standard output) in `format`; `linkType` is a classic file's link type.
  public init(path: String, format: CaptureFormat, linkType: Int32) throws(PcapError) {
    file = try CaptureFile(writing: path)
    encoder = CaptureEncoder(format: format, linkType: linkType)
    pending.reserveCapacity(Self.bufferSize * 2)
    encoder.header(into: &pending)
  }

  deinit { try? flush() }

  /// Appends one packet. A classic file takes only packets of its link type; one of another is
  /// an error that ``flush()`` throws.
  public func write(_ record: PacketRecord, _ bytes: [UInt8]) {
    guard encoder.append(record, bytes, into: &pending) else {
      failure =
        failure
        ?? PcapError(
          operation: "write",
          message: "a pcap file holds one link type (\(encoder.linkType)); a packet has link type \(record.linkType)"
        )
      return
    }
    if pending.count >= Self.bufferSize { writePending() }
  }

  /// Writes the buffered packets to the file; throws when they, or any before, could not be
  /// written (a full disk).
  public func flush() throws(PcapError) {
    writePending()
    if let failure { throw failure }
  }

  private func writePending() {
    guard !pending.isEmpty else { return }
    if failure == nil {
      do { try file.write(pending, count: pending.count) } catch { failure = error }
    }
    pending.removeAll(keepingCapacity: true)
  }
}
