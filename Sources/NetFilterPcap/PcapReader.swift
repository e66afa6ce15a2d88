/// Reads classic pcap and pcapng files, one packet at a time, into a reused buffer.
///
/// Every packet comes with its own link type: a pcapng file may hold interfaces of several link
/// types, and sections in either byte order, each with its own interfaces. The file is read in
/// 256 KiB blocks and parsed in place; a damaged record or block throws an error that gives its byte
/// offset, after which the rest of the file cannot be read.
public final class PcapReader {
  /// The file's format.
  public let format: CaptureFormat
  /// The link types of the interfaces the file describes before its first packet: a classic pcap
  /// file's one link type, or those of a pcapng file's interface descriptions (each once, in the
  /// order they first appear).
  public let linkTypes: [Int32]
  private var window: ByteWindow
  private let classic: ClassicPcap?
  private var pcapng: Pcapng?
  /// Keeps the file open while it is read.
  private let file: CaptureFile?

  /// Opens `path` ("-" is standard input) and reads its header.
  public convenience init(path: String) throws(PcapError) {
    let file = try CaptureFile(reading: path)
    try self.init(ByteWindow(file: file), file: file)
  }

  /// Reads a capture held in memory.
  public convenience init(bytes: [UInt8]) throws(PcapError) {
    try self.init(ByteWindow(bytes: bytes), file: nil)
  }

  private init(_ window: ByteWindow, file: CaptureFile?) throws(PcapError) {
    var window = window
    guard try window.request(4) else {
      let what = window.available == 0 ? "the file is empty" : "the file is too short for a capture"
      throw PcapError(operation: "open", message: what)
    }
    let magic = (0..<4).map { window.u8($0) }
    if ClassicPcap.layout(magic: magic) != nil {
      let classic = try ClassicPcap(&window)
      self.classic = classic
      format = .pcap
      linkTypes = [classic.linkType]
    } else if ByteOrder.little.u32(magic, 0) == Pcapng.sectionHeader {
      let pcapng = try Pcapng(&window)
      self.pcapng = pcapng
      classic = nil
      format = .pcapng
      linkTypes = pcapng.linkTypesBeforeFirstPacket
    } else {
      let shown = magic.map { String($0, radix: 16) }.joined(separator: " ")
      throw PcapError(operation: "open", message: "not a pcap or pcapng file (it starts with bytes \(shown))")
    }
    self.window = window
    self.file = file
  }

  /// Reads the next packet into `buffer` (reusing its storage); `nil` at the end of the file.
  /// A damaged record throws; the caller may report it and stop.
  public func next(into buffer: inout [UInt8]) throws(PcapError) -> PacketRecord? {
    if let classic { return try classic.next(&window, into: &buffer) }
    return try pcapng?.next(&window, into: &buffer)
  }
}
