import NetFilterEval

/// A parsed JSON value. Objects keep their member order (events are re-emitted as read). Not
/// `indirect`: arrays already hold their elements out of line, and boxing every string and
/// number cost an allocation per node.
public enum JSONValue: Sendable, Hashable {
  case null
  case bool(Bool)
  /// A number, kept as written so that 64-bit integers survive exactly.
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([(key: String, value: JSONValue)])

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): true
    case (.bool(let a), .bool(let b)): a == b
    case (.number(let a), .number(let b)): a == b
    case (.string(let a), .string(let b)): a == b
    case (.array(let a), .array(let b)): a == b
    case (.object(let a), .object(let b)):
      a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: false
    }
  }

  /// Hashes the same structure `==` compares, without serializing the value.
  public func hash(into hasher: inout Hasher) {
    switch self {
    case .null:
      hasher.combine(0)
    case .bool(let value):
      hasher.combine(1)
      hasher.combine(value)
    case .number(let text):
      hasher.combine(2)
      hasher.combine(text)
    case .string(let text):
      hasher.combine(3)
      hasher.combine(text)
    case .array(let items):
      hasher.combine(4)
      hasher.combine(items)
    case .object(let members):
      hasher.combine(5)
      hasher.combine(members.count)
      for member in members {
        hasher.combine(member.key)
        member.value.hash(into: &hasher)
      }
    }
  }

  /// The member `key` of an object (the first, if repeated).
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }

  /// The member whose key equals `key` ignoring ASCII case (HTTP header names).
  func member(ignoringCase key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    let lowered = key.lowercased()
    return members.first { Text.equalsIgnoringCase($0.key, lowered) }?.value
  }

  /// Compact JSON text.
  public var serialized: String {
    var out: [UInt8] = []
    out.reserveCapacity(512)
    write(to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends compact JSON text to `out` as UTF-8 (bytes, not a String: appending many small
  /// pieces to a String costs several times more).
  func write(to out: inout [UInt8]) {
    switch self {
    case .null: JSONValue.writeRaw("null", to: &out)
    case .bool(let value): JSONValue.writeRaw(value ? "true" : "false", to: &out)
    case .number(let text): JSONValue.writeRaw(text, to: &out)
    case .string(let text): JSONValue.writeString(text, to: &out)
    case .array(let items):
      out.append(UInt8(ascii: "["))
      var first = true
      for item in items {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        item.write(to: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      out.append(UInt8(ascii: "{"))
      var first = true
      for member in members {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        JSONValue.writeString(member.key, to: &out)
        out.append(UInt8(ascii: ":"))
        member.value.write(to: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  /// Writes `text` as a JSON string literal.
  public static func writeString(_ text: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    var text = text
    text.withUTF8 { bytes in
      // Most strings (names, addresses, header values) need no escaping: append them whole.
      guard bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
        out.append(contentsOf: bytes)
        return
      }
      for byte in bytes {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
        case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
        case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
        case UInt8(ascii: "\r"): out.append(contentsOf: "\\r".utf8)
        case UInt8(ascii: "\t"): out.append(contentsOf: "\\t".utf8)
        case 0..<0x20:
          let hex = Array("0123456789abcdef".utf8)
          out.append(contentsOf: "\\u00".utf8)
          out.append(hex[Int(byte >> 4)])
          out.append(hex[Int(byte & 0xF)])
        default: out.append(byte)
        }
      }
    }
    out.append(UInt8(ascii: "\""))
  }

  /// Appends `text` (already valid JSON) to `out`.
  static func writeRaw(_ text: String, to out: inout [UInt8]) {
    var text = text
    text.withUTF8 { out.append(contentsOf: $0) }
  }
}
