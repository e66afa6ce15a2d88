/// Bounds-checked big-endian reads from packet bytes. Every read past the end returns `nil`, so a
/// truncated or malicious packet is a decode error, never a crash.
public struct ByteReader: Sendable {
  /// The bytes being read.
  public let bytes: [UInt8]
  /// The first byte this reader may read.
  public let start: Int
  /// One past the last byte this reader may read.
  public let end: Int

  /// A reader over `bytes[start..<end]` (clamped to the array).
  public init(_ bytes: [UInt8], start: Int = 0, end: Int? = nil) {
    self.bytes = bytes
    self.start = max(0, min(start, bytes.count))
    self.end = max(self.start, min(end ?? bytes.count, bytes.count))
  }

  /// The number of readable bytes.
  public var count: Int { end - start }

  /// The byte at `offset` from ``start``.
  @inline(__always)
  public func u8(_ offset: Int) -> UInt8? {
    let index = start + offset
    return offset >= 0 && index < end ? bytes[index] : nil
  }

  /// The big-endian 16-bit value at `offset`.
  @inline(__always)
  public func u16(_ offset: Int) -> UInt16? {
    guard let high = u8(offset), let low = u8(offset + 1) else { return nil }
    return UInt16(high) << 8 | UInt16(low)
  }

  /// The big-endian 32-bit value at `offset`.
  @inline(__always)
  public func u32(_ offset: Int) -> UInt32? {
    guard let high = u16(offset), let low = u16(offset + 2) else { return nil }
    return UInt32(high) << 16 | UInt32(low)
  }

  /// Whether the `length` bytes at `offset` can be read: one check before several reads with
  /// ``at(_:)``, ``be16(_:)`` and ``be32(_:)`` (the header decoders run for every packet).
  @inline(__always)
  public func has(_ offset: Int, _ length: Int) -> Bool {
    offset >= 0 && length >= 0 && offset <= end &- start &- length
  }

  /// The byte at `offset`, which ``has(_:_:)`` has checked.
  @inline(__always)
  public func at(_ offset: Int) -> UInt8 { bytes[start &+ offset] }

  /// The big-endian 16-bit value at `offset`, which ``has(_:_:)`` has checked.
  @inline(__always)
  public func be16(_ offset: Int) -> UInt16 { UInt16(at(offset)) << 8 | UInt16(at(offset &+ 1)) }

  /// The big-endian 32-bit value at `offset`, which ``has(_:_:)`` has checked.
  @inline(__always)
  public func be32(_ offset: Int) -> UInt32 { UInt32(be16(offset)) << 16 | UInt32(be16(offset &+ 2)) }

  /// The big-endian 64-bit value at `offset`, which ``has(_:_:)`` has checked.
  @inline(__always)
  public func be64(_ offset: Int) -> UInt64 { UInt64(be32(offset)) << 32 | UInt64(be32(offset &+ 4)) }

  /// The big-endian 64-bit value at `offset`.
  public func u64(_ offset: Int) -> UInt64? {
    guard let high = u32(offset), let low = u32(offset + 4) else { return nil }
    return UInt64(high) << 32 | UInt64(low)
  }

  /// `length` bytes at `offset`, or `nil` if they run past the end.
  public func slice(_ offset: Int, _ length: Int) -> ArraySlice<UInt8>? {
    guard offset >= 0, length >= 0, start + offset + length <= end else { return nil }
    return bytes[(start + offset)..<(start + offset + length)]
  }

  /// A reader over the bytes from `offset` to the end (or `length` bytes of them).
  public func sub(from offset: Int, length: Int? = nil) -> ByteReader? {
    guard offset >= 0, start + offset <= end else { return nil }
    let stop = length.map { min(end, start + offset + $0) } ?? end
    return ByteReader(bytes, start: start + offset, end: stop)
  }
}
