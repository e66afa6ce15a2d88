/// The unread bytes of a capture, in one array that is reused and refilled from the file in large
/// reads: headers are parsed where they lie, and only a packet's own bytes are copied out of it.
///
/// Offsets given to its methods count from the first unread byte. The array grows to hold the
/// largest block met (the formats bound a block's size), and never shrinks.
struct ByteWindow {
  /// The bytes; those in `start..<end` are unread.
  private(set) var bytes: [UInt8]
  private(set) var start = 0
  private(set) var end: Int
  /// The file offset of the first unread byte.
  private(set) var offset = 0
  private let file: CaptureFile?

  /// How much one read asks the system for (256 KiB replayed a little faster than 64 KiB and
  /// than 1 MiB).
  static let readSize = 1 << 18

  /// A window on `file`, read from its start.
  init(file: CaptureFile) {
    bytes = [UInt8](repeating: 0, count: Self.readSize)
    end = 0
    self.file = file
  }

  /// A window on bytes already in memory.
  init(bytes: [UInt8]) {
    self.bytes = bytes
    end = bytes.count
    file = nil
  }

  /// How many unread bytes the window holds now.
  var available: Int { end - start }

  /// Makes `count` unread bytes available, reading the file if needed; false when the input ends
  /// first (``available`` then says how many there are).
  @inline(__always)
  mutating func request(_ count: Int) throws(PcapError) -> Bool {
    if end - start >= count { return true }
    guard let file else { return false }
    return try refill(count, from: file)
  }

  /// Moves the unread bytes to the front, grows the array for a block larger than it, then reads
  /// until `count` bytes are there or the file ends.
  private mutating func refill(_ count: Int, from file: CaptureFile) throws(PcapError) -> Bool {
    let unread = end - start
    if start > 0 {
      for index in 0..<unread { bytes[index] = bytes[start + index] }
      start = 0
      end = unread
    }
    if bytes.count < count { bytes.append(contentsOf: repeatElement(0, count: count - bytes.count)) }
    while end < count {
      let read = try file.read(into: &bytes, from: end)
      if read == 0 { return false }
      end += read
    }
    return true
  }

  /// Marks `count` bytes read.
  @inline(__always)
  mutating func consume(_ count: Int) {
    start += count
    offset += count
  }

  /// The byte at `index`.
  func u8(_ index: Int) -> UInt8 { bytes[start + index] }

  /// The 16-bit number at `index`, in `order`.
  @inline(__always)
  func u16(_ index: Int, _ order: ByteOrder) -> UInt16 { order.u16(bytes, start + index) }

  /// The 32-bit number at `index`, in `order`.
  @inline(__always)
  func u32(_ index: Int, _ order: ByteOrder) -> UInt32 { order.u32(bytes, start + index) }

  /// The 64-bit number at `index`, in `order`.
  func u64(_ index: Int, _ order: ByteOrder) -> UInt64 { order.u64(bytes, start + index) }

  /// Replaces `buffer`'s contents with the `count` bytes at `index` (reusing its storage).
  @inline(__always)
  func copy(_ index: Int, count: Int, into buffer: inout [UInt8]) {
    buffer.replaceSubrange(buffer.startIndex..<buffer.endIndex, with: bytes[(start + index)..<(start + index + count)])
  }
}
