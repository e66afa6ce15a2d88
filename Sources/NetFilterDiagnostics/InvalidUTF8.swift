/// Where bytes read as text stop being UTF-8. Filters, JSON lines and macro and rule files are read
/// through this check: a bad byte is an error at its offset, never silently replaced by U+FFFD
/// (which would let a filter match, or a rule load, something other than the bytes given).
public struct InvalidUTF8: Error, Sendable, Hashable, CustomStringConvertible {
  /// The 0-based byte offset of the ill-formed sequence.
  public let offset: Int
  /// Its first byte.
  public let byte: UInt8

  /// Creates a problem at `offset`.
  public init(offset: Int, byte: UInt8) {
    self.offset = offset
    self.byte = byte
  }

  /// "invalid UTF-8 byte 0xFF at offset 12".
  public var description: String { "invalid UTF-8 \(byteName) at offset \(offset)" }

  /// "byte 0xFF", for messages that give the position their own way.
  public var byteName: String {
    let hex = String(byte, radix: 16, uppercase: true)
    return "byte 0x" + (hex.count < 2 ? "0" : "") + hex
  }

  /// The first ill-formed sequence of `bytes`, its offset counted from their start; `nil` when
  /// they are all UTF-8.
  public static func first<C: Collection<UInt8>>(in bytes: C) -> InvalidUTF8? {
    var index = bytes.startIndex
    var offset = 0
    while index != bytes.endIndex {
      if bytes[index] < 0x80 {
        index = bytes.index(after: index)
        offset += 1
        continue
      }
      guard let length = sequenceLength(in: bytes, at: index) else {
        return InvalidUTF8(offset: offset, byte: bytes[index])
      }
      index = bytes.index(index, offsetBy: length)
      offset += length
    }
    return nil
  }

  /// The length of the well-formed UTF-8 sequence starting at `index` (1 to 4), or `nil` if none
  /// starts there: a stray continuation byte, a byte UTF-8 never uses, a sequence cut short, or an
  /// overlong, surrogate or out-of-range encoding (the Unicode Standard's table 3-7).
  public static func sequenceLength<C: Collection<UInt8>>(in bytes: C, at index: C.Index) -> Int? {
    let lead = bytes[index]
    let length: Int
    var second: ClosedRange<UInt8> = 0x80...0xBF
    switch lead {
    case 0x00...0x7F: return 1
    case 0xC2...0xDF: length = 2
    case 0xE0: (length, second) = (3, 0xA0...0xBF)
    case 0xED: (length, second) = (3, 0x80...0x9F)
    case 0xE1...0xEF: length = 3
    case 0xF0: (length, second) = (4, 0x90...0xBF)
    case 0xF4: (length, second) = (4, 0x80...0x8F)
    case 0xF1...0xF3: length = 4
    default: return nil
    }
    var next = index
    for position in 1..<length {
      next = bytes.index(after: next)
      guard next != bytes.endIndex, (position == 1 ? second : 0x80...0xBF).contains(bytes[next]) else { return nil }
    }
    return length
  }
}

extension String {
  /// `bytes` as text when they are UTF-8 (decoded exactly, nothing replaced).
  public init<C: Collection<UInt8>>(validatingUTF8Bytes bytes: C) throws(InvalidUTF8) {
    if let problem = InvalidUTF8.first(in: bytes) { throw problem }
    self.init(decoding: bytes, as: UTF8.self)
  }
}
