import NetFilterEval
import NetFilterSyntax

/// One line of `--output table` as it is written: UTF-8 bytes straight into a reused buffer (no
/// String per cell), and the terminal columns they take so far, by ``DisplayWidth``, so that cells
/// with wide or combining characters still line up. Text is escaped as it is copied: control
/// characters (C0, DEL and C1, which start escape sequences or forge rows) appear as JSON writes
/// them, `\u001b`, `\n`, `\t`.
struct TableRow {
  /// The line's bytes, without a newline.
  private(set) var bytes: [UInt8] = []
  /// The terminal columns ``bytes`` take.
  private(set) var width = 0

  init() { bytes.reserveCapacity(256) }

  /// Empties the row for the next line, keeping its storage.
  mutating func reset() {
    bytes.removeAll(keepingCapacity: true)
    width = 0
  }

  /// Spaces up to `column` (nothing if the row already reaches it).
  mutating func pad(to column: Int) {
    while width < column { ascii(UInt8(ascii: " ")) }
  }

  /// Drops trailing spaces.
  mutating func trimTrailingSpaces() {
    while bytes.last == UInt8(ascii: " ") {
      bytes.removeLast()
      width -= 1
    }
  }

  /// A printable ASCII byte.
  mutating func ascii(_ byte: UInt8) {
    bytes.append(byte)
    width += 1
  }

  /// The decimal digits of `value`.
  mutating func decimal(_ value: UInt64) {
    if value >= 10 { decimal(value / 10) }
    ascii(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10))
  }

  /// `value` as text: numbers in decimal, an IPv4 address dotted, an IPv6 one in brackets (so that
  /// a port can follow it), several values separated by commas.
  mutating func value(_ value: FieldValue) {
    switch value {
    case .string(let text): self.text(text)
    case .uint(let number): decimal(number)
    case .ip(let address): self.address(address)
    case .strings(let list): separated(list) { $0.text($1) }
    case .uints(let list): separated(list) { $0.decimal($1) }
    case .ips(let list): separated(list) { $0.text($1.description) }
    default: text(value.text)
    }
  }

  /// The items of `list`, separated by commas.
  mutating func separated<T>(_ list: [T], _ write: (inout TableRow, T) -> Void) {
    for (index, item) in list.enumerated() {
      if index > 0 { ascii(UInt8(ascii: ",")) }
      write(&self, item)
    }
  }

  private mutating func address(_ address: IPAddress) {
    guard address.family == .v4 else {
      ascii(UInt8(ascii: "["))
      text(address.description)
      return ascii(UInt8(ascii: "]"))
    }
    let word = UInt64(address.v4Value)
    decimal(word >> 24)
    ascii(UInt8(ascii: "."))
    decimal(word >> 16 & 0xFF)
    ascii(UInt8(ascii: "."))
    decimal(word >> 8 & 0xFF)
    ascii(UInt8(ascii: "."))
    decimal(word & 0xFF)
  }

  /// `text`, escaped, measured by display width.
  mutating func text(_ text: String) {
    let copied: Void? = text.utf8.withContiguousStorageIfAvailable { append(escaping: $0) }
    if copied == nil { append(escaping: Array(text.utf8)) }
  }

  /// Copies the well-formed UTF-8 of a String, escaping control characters.
  private mutating func append(escaping utf8: some RandomAccessCollection<UInt8>) {
    var index = utf8.startIndex
    while index != utf8.endIndex {
      let byte = utf8[index]
      if byte >= 0x20 && byte < 0x7F {
        ascii(byte)
        index = utf8.index(after: index)
        continue
      }
      let length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
      let end = utf8.index(index, offsetBy: length)
      var scalar = UInt32(byte) & (length == 1 ? 0x7F : 0x7F >> length)
      for continuation in utf8[utf8.index(after: index)..<end] {
        scalar = scalar << 6 | UInt32(continuation & 0x3F)
      }
      if scalar < 0x20 || (0x7F...0x9F).contains(scalar) {
        escape(scalar)
      } else {
        bytes.append(contentsOf: utf8[index..<end])
        width += Unicode.Scalar(scalar).map(DisplayWidth.of) ?? 1
      }
      index = end
    }
  }

  /// A control character as JSON writes it.
  private mutating func escape(_ scalar: UInt32) {
    ascii(UInt8(ascii: "\\"))
    switch scalar {
    case 0x0A: ascii(UInt8(ascii: "n"))
    case 0x09: ascii(UInt8(ascii: "t"))
    case 0x0D: ascii(UInt8(ascii: "r"))
    default:
      for byte in "u00".utf8 { ascii(byte) }
      ascii(Self.hex(scalar >> 4))
      ascii(Self.hex(scalar & 0xF))
    }
  }

  private static func hex(_ nibble: UInt32) -> UInt8 {
    UInt8(truncatingIfNeeded: nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10)
  }
}
