import NetFilterSyntax

/// Where JSON is written, token by token. Events are written once against this protocol and land
/// as JSON text (``JSONTextWriter``, the output path, without building a tree), as a ``JSONValue``
/// tree (``JSONTreeWriter``), or as the few values at one path (``JSONPathCollector``, how deep
/// packet fields such as `net_packet_dns.data.proto_dns.answers.IP` are read).
public protocol JSONTokenWriter {
  mutating func beginObject()
  mutating func endObject()
  mutating func beginArray()
  mutating func endArray()
  /// A member name given in the source (no escaping needed, no String built).
  mutating func key(_ name: StaticString)
  /// A member name from the data (HTTP header names), escaped as needed.
  mutating func dynamicKey(_ name: String)
  mutating func string(_ value: String)
  mutating func number(_ value: UInt64)
  mutating func number(_ value: Int64)
  mutating func null()
  /// A number already written as JSON text (`-3`, `1.5e3`), as read from an input line.
  mutating func rawNumber(_ text: String)
  mutating func bool(_ value: Bool)
  /// An address as text ("10.0.0.1", "2001:db8::1").
  mutating func address(_ value: IPAddress)
}

public extension JSONTokenWriter {
  @inlinable public mutating func member(_ name: StaticString, _ value: String) {
    key(name)
    string(value)
  }

  @inlinable public mutating func member(_ name: StaticString, number value: some FixedWidthInteger) {
    key(name)
    if value < 0 { number(Int64(value)) } else { number(UInt64(value)) }
  }

  @inlinable public mutating func member(_ name: StaticString, address value: IPAddress) {
    key(name)
    address(value)
  }

  /// One argument of Tracee's shape: `{"name":…,"type":…,"value":…}`, the value written by `value`.
  @inlinable public mutating func argument(_ name: String, _ type: String, value: (inout Self) -> Void) {
    beginObject()
    member("name", name)
    member("type", type)
    key("value")
    value(&self)
    endObject()
  }

  @inlinable public mutating func member(_ name: StaticString, flag value: Bool) {
    key(name)
    number(UInt64(value ? 1 : 0))
  }
}

/// Compact JSON text in a byte buffer. Each token reserves room once and is then stored through
/// a `MutableSpan` (bounds-checked, but without `Array.append`'s per-call uniqueness and capacity
/// checks): this sink is the whole cost of `--output json` for a matching packet.
public struct JSONTextWriter: JSONTokenWriter {
  @usableFromInline var buffer: [UInt8]
  @usableFromInline var count = 0
  /// Whether the next value needs a comma before it.
  @usableFromInline var separate = false

  @inlinable public init(capacity: Int = 1024) { buffer = [UInt8](repeating: 0, count: capacity) }

  /// The text written, taking the buffer.
  @inlinable public mutating func finish() -> [UInt8] {
    buffer.removeSubrange(count...)
    defer { buffer = []; count = 0 }
    return buffer
  }

  /// Makes room for `length` more bytes (and a comma).
  @inlinable mutating func reserve(_ length: Int) {
    let needed = count + length + 1
    if needed > buffer.count { buffer.append(contentsOf: repeatElement(0, count: max(needed, buffer.count))) }
  }

  /// Writes one token of at most `length` bytes: reserves room, stores the comma due before a
  /// value that follows another (unless `separated` is false), then lets `write` store the token
  /// from the index it is given and return the index after it.
  @inline(__always)
  @inlinable mutating func token(
    _ length: Int,
    separated: Bool = true,
    _ write: (inout MutableSpan<UInt8>, Int) -> Int
  ) {
    reserve(length)
    var at = count
    // Read before the span borrows `buffer` (and so `self`) for writing.
    let comma = separate && separated
    var span = buffer.mutableSpan
    if comma {
      span[at] = UInt8(ascii: ",")
      at += 1
    }
    count = write(&span, at)
  }

  /// Stores `byte`, after a comma if `separated` and one is due.
  @inlinable mutating func punctuation(_ byte: UInt8, separated: Bool) {
    token(1, separated: separated) { span, at in
      span[at] = byte
      return at + 1
    }
  }

  @inlinable public mutating func beginObject() {
    punctuation(UInt8(ascii: "{"), separated: true)
    separate = false
  }

  @inlinable public mutating func endObject() {
    punctuation(UInt8(ascii: "}"), separated: false)
    separate = true
  }

  @inlinable public mutating func beginArray() {
    punctuation(UInt8(ascii: "["), separated: true)
    separate = false
  }

  @inlinable public mutating func endArray() {
    punctuation(UInt8(ascii: "]"), separated: false)
    separate = true
  }

  @inlinable public mutating func key(_ name: StaticString) {
    token(name.utf8CodeUnitCount + 3) { span, start in
      var at = start
      span[at] = UInt8(ascii: "\"")
      at += 1
      name.withUTF8Buffer { name in
        for byte in name {
          span[at] = byte
          at += 1
        }
      }
      span[at] = UInt8(ascii: "\"")
      span[at + 1] = UInt8(ascii: ":")
      return at + 2
    }
    separate = false
  }

  @inlinable public mutating func dynamicKey(_ name: String) {
    quoted(name)
    punctuation(UInt8(ascii: ":"), separated: false)
    separate = false
  }

  @inlinable public mutating func string(_ value: String) {
    quoted(value)
    separate = true
  }

  /// `text` as a JSON string: quotes, `\"`, `\\`, `\n`, `\r`, `\t` and `\u00XX` for other controls.
  @inlinable mutating func quoted(_ text: String) {
    token(text.utf8.count * 6 + 2) { span, start in
      var at = start
      span[at] = UInt8(ascii: "\"")
      at += 1
      // Native strings are contiguous: iterate their bytes, not String.UTF8View's indices.
      let copied: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
        for byte in bytes { JSONTextWriter.escaped(byte, into: &span, at: &at) }
      }
      if copied == nil {
        for byte in text.utf8 { JSONTextWriter.escaped(byte, into: &span, at: &at) }
      }
      span[at] = UInt8(ascii: "\"")
      return at + 1
    }
  }

  @inline(__always)
  @inlinable static func escaped(_ byte: UInt8, into span: inout MutableSpan<UInt8>, at: inout Int) {
    if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
      span[at] = byte
      at += 1
      return
    }
    span[at] = UInt8(ascii: "\\")
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"): span[at + 1] = byte
    case UInt8(ascii: "\n"): span[at + 1] = UInt8(ascii: "n")
    case UInt8(ascii: "\r"): span[at + 1] = UInt8(ascii: "r")
    case UInt8(ascii: "\t"): span[at + 1] = UInt8(ascii: "t")
    default:
      span[at + 1] = UInt8(ascii: "u")
      span[at + 2] = UInt8(ascii: "0")
      span[at + 3] = UInt8(ascii: "0")
      span[at + 4] = hex(byte >> 4)
      span[at + 5] = hex(byte & 0xF)
      at += 4
    }
    at += 2
  }

  @inlinable static func hex(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
  }

  @inlinable public mutating func number(_ value: UInt64) {
    decimal(value, negative: false)
    separate = true
  }

  @inlinable public mutating func number(_ value: Int64) {
    decimal(value.magnitude, negative: value < 0)
    separate = true
  }

  /// The decimal digits of `value`, without building a String.
  @inlinable mutating func decimal(_ value: UInt64, negative: Bool) {
    token(21) { span, start in
      var at = start
      if negative {
        span[at] = UInt8(ascii: "-")
        at += 1
      }
      return JSONTextWriter.digits(value, into: &span, at: at)
    }
  }

  /// Writes the digits of `value` at `at`; returns the index after them.
  @inlinable static func digits(_ value: UInt64, into span: inout MutableSpan<UInt8>, at: Int) -> Int {
    var length = 1
    var rest = value / 10
    while rest > 0 {
      length += 1
      rest /= 10
    }
    rest = value
    var index = at + length - 1
    while index >= at {
      span[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
      rest /= 10
      index -= 1
    }
    return at + length
  }

  @inlinable public mutating func null() { raw("null") }
  @inlinable public mutating func rawNumber(_ text: String) { raw(text) }
  @inlinable public mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }

  /// Writes a value that is already JSON text (an event line inside a finding), unchanged.
  public mutating func embedded(_ json: [UInt8]) {
    token(json.count) { span, start in
      var at = start
      for byte in json {
        span[at] = byte
        at += 1
      }
      return at
    }
    separate = true
  }

  @inlinable mutating func raw(_ text: String) {
    token(text.utf8.count) { span, start in
      var at = start
      for byte in text.utf8 {
        span[at] = byte
        at += 1
      }
      return at
    }
    separate = true
  }

  @inlinable public mutating func address(_ value: IPAddress) {
    guard value.family == .v4 else { return string(value.description) }
    // Dotted quad straight to bytes: no String (this runs for most arguments of most events).
    token(17) { span, start in
      span[start] = UInt8(ascii: "\"")
      let word = value.v4Value
      var at = JSONTextWriter.digits(UInt64(word >> 24), into: &span, at: start + 1)
      for shift in [UInt32(16), 8, 0] {
        span[at] = UInt8(ascii: ".")
        at = JSONTextWriter.digits(UInt64(word >> shift & 0xFF), into: &span, at: at + 1)
      }
      span[at] = UInt8(ascii: "\"")
      return at + 1
    }
    separate = true
  }
}

/// A `JSONValue` tree.
public struct JSONTreeWriter: JSONValueWriter {
  private enum Open {
    case object([(key: String, value: JSONValue)], key: String)
    case array([JSONValue])
  }

  private var open: [Open] = []
  /// The finished value (the last top-level value written).
  public private(set) var result = JSONValue.null

  /// An empty tree.
  public init() {}

  private mutating func add(_ value: JSONValue) {
    guard let top = open.popLast() else {
      result = value
      return
    }
    switch top {
    case .object(var members, let key):
      members.append((key, value))
      open.append(.object(members, key: ""))
    case .array(var items):
      items.append(value)
      open.append(.array(items))
    }
  }

  public mutating func beginObject() { open.append(.object([], key: "")) }

  public mutating func endObject() {
    guard case .object(let members, _)? = open.popLast() else { return }
    add(.object(members))
  }

  public mutating func beginArray() { open.append(.array([])) }

  public mutating func endArray() {
    guard case .array(let items)? = open.popLast() else { return }
    add(.array(items))
  }

  public mutating func key(_ name: StaticString) { dynamicKey(name.description) }

  public mutating func dynamicKey(_ name: String) {
    guard case .object(let members, _)? = open.popLast() else { return }
    open.append(.object(members, key: name))
  }

  public mutating func scalar(_ value: JSONValue) { add(value) }
}

/// A writer that takes every scalar as a ``JSONValue`` (a tree, a path collector), not as text.
public protocol JSONValueWriter: JSONTokenWriter {
  /// A string, number, boolean or null.
  mutating func scalar(_ value: JSONValue)
}

extension JSONValueWriter {
  public mutating func string(_ value: String) { scalar(.string(value)) }
  public mutating func number(_ value: UInt64) { scalar(.number(String(value))) }
  public mutating func number(_ value: Int64) { scalar(.number(String(value))) }
  public mutating func null() { scalar(.null) }
  public mutating func rawNumber(_ text: String) { scalar(.number(text)) }
  public mutating func bool(_ value: Bool) { scalar(.bool(value)) }
  public mutating func address(_ value: IPAddress) { scalar(.string(value.description)) }
}
