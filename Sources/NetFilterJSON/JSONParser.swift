import NetFilterDiagnostics

/// A JSON syntax error with the byte offset where it was found.
public struct JSONError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What was wrong.
  public let message: String
  /// The 0-based byte offset in the input.
  public let offset: Int

  public var description: String { "\(message) at column \(offset + 1)" }
}

/// A strict RFC 8259 parser over UTF-8 bytes, with a nesting limit. Malformed input is an error,
/// never a crash.
struct JSONParser {
  private let bytes: [UInt8]
  private var position = 0
  private var depth = 0
  static let maxDepth = 512

  /// Parses one complete JSON text.
  static func parse(_ text: String) throws(JSONError) -> JSONValue {
    try parse(bytes: Array(text.utf8))
  }

  /// Parses one complete JSON text given as bytes: a byte that is not UTF-8 is an error at its
  /// offset (RFC 8259 texts are UTF-8), never decoded as U+FFFD.
  static func parse(bytes: [UInt8]) throws(JSONError) -> JSONValue {
    var parser = JSONParser(bytes: bytes)
    parser.skipWhitespace()
    let value = try parser.parseValue()
    parser.skipWhitespace()
    guard parser.position == parser.bytes.count else { throw parser.error("unexpected text after the JSON value") }
    return value
  }

  private init(bytes: [UInt8]) { self.bytes = bytes }

  private func error(_ message: String) -> JSONError { JSONError(message: message, offset: position) }

  private mutating func skipWhitespace() {
    while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
  }

  private mutating func parseValue() throws(JSONError) -> JSONValue {
    guard position < bytes.count else { throw error("unexpected end of input; expected a value") }
    switch bytes[position] {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "n"): return try literal("null", .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    default:
      throw error("\(unexpected()); expected a value")
    }
  }

  /// The character at the position, for a message: "unexpected character 'x'", or the byte when it
  /// starts no UTF-8 character.
  private func unexpected() -> String {
    guard let length = InvalidUTF8.sequenceLength(in: bytes, at: position) else {
      return "invalid UTF-8 \(InvalidUTF8(offset: position, byte: bytes[position]).byteName)"
    }
    return "unexpected character '\(String(decoding: bytes[position..<(position + length)], as: UTF8.self))'"
  }

  private mutating func literal(_ word: String, _ value: JSONValue) throws(JSONError) -> JSONValue {
    let expected = Array(word.utf8)
    guard position + expected.count <= bytes.count, Array(bytes[position..<(position + expected.count)]) == expected
    else { throw error("invalid literal; expected '\(word)'") }
    position += expected.count
    return value
  }

  private mutating func enter() throws(JSONError) {
    depth += 1
    if depth > JSONParser.maxDepth { throw error("nesting deeper than \(JSONParser.maxDepth) levels") }
  }

  private mutating func parseObject() throws(JSONError) -> JSONValue {
    try enter()
    defer { depth -= 1 }
    position += 1
    var members: [(key: String, value: JSONValue)] = []
    skipWhitespace()
    if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
      position += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
        throw error("expected a member name in quotes")
      }
      let keyOffset = position
      let key = try parseString()
      // A repeated member is ambiguous (a filter would see one value, the output both): an error.
      if members.count < 16 ? members.contains(where: { $0.key == key }) : Set(members.map(\.key)).contains(key) {
        position = keyOffset
        throw error("member '\(key.prefix(64))' appears twice")
      }
      skipWhitespace()
      guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
        throw error("expected ':' after member name")
      }
      position += 1
      skipWhitespace()
      members.append((key, try parseValue()))
      skipWhitespace()
      guard position < bytes.count else { throw error("unexpected end of input; expected ',' or '}'") }
      if bytes[position] == UInt8(ascii: ",") {
        position += 1
      } else if bytes[position] == UInt8(ascii: "}") {
        position += 1
        return .object(members)
      } else {
        throw error("expected ',' or '}' after an object member")
      }
    }
  }

  private mutating func parseArray() throws(JSONError) -> JSONValue {
    try enter()
    defer { depth -= 1 }
    position += 1
    var items: [JSONValue] = []
    skipWhitespace()
    if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
      position += 1
      return .array(items)
    }
    while true {
      skipWhitespace()
      items.append(try parseValue())
      skipWhitespace()
      guard position < bytes.count else { throw error("unexpected end of input; expected ',' or ']'") }
      if bytes[position] == UInt8(ascii: ",") {
        position += 1
      } else if bytes[position] == UInt8(ascii: "]") {
        position += 1
        return .array(items)
      } else {
        throw error("expected ',' or ']' after an array element")
      }
    }
  }

  private mutating func parseNumber() throws(JSONError) -> JSONValue {
    let start = position
    if bytes[position] == UInt8(ascii: "-") { position += 1 }
    let digitsStart = position
    while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    guard position > digitsStart else { throw error("expected digits in number") }
    if bytes[digitsStart] == UInt8(ascii: "0"), position - digitsStart > 1 { throw error("leading zeros in number") }
    if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
      position += 1
      let fraction = position
      while position < bytes.count, isDigit(bytes[position]) { position += 1 }
      guard position > fraction else { throw error("expected digits after '.'") }
    }
    if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
      position += 1
      if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
        position += 1
      }
      let exponent = position
      while position < bytes.count, isDigit(bytes[position]) { position += 1 }
      guard position > exponent else { throw error("expected digits in exponent") }
    }
    return .number(String(decoding: bytes[start..<position], as: UTF8.self))
  }

  private mutating func parseString() throws(JSONError) -> String {
    position += 1
    var out: [UInt8] = []
    while position < bytes.count {
      let byte = bytes[position]
      switch byte {
      case UInt8(ascii: "\""):
        position += 1
        return String(decoding: out, as: UTF8.self)
      case UInt8(ascii: "\\"):
        try parseEscape(into: &out)
      case 0..<0x20:
        throw error("control character in string")
      case 0x80...:
        guard let length = InvalidUTF8.sequenceLength(in: bytes, at: position) else {
          throw error("invalid UTF-8 \(InvalidUTF8(offset: position, byte: byte).byteName) in a string")
        }
        out += bytes[position..<(position + length)]
        position += length
      default:
        out.append(byte)
        position += 1
      }
    }
    throw error("unterminated string")
  }

  private mutating func parseEscape(into out: inout [UInt8]) throws(JSONError) {
    guard position + 1 < bytes.count else { throw error("unterminated escape") }
    let simple: [UInt8: UInt8] = [
      UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
      UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
    ]
    let kind = bytes[position + 1]
    if let decoded = simple[kind] {
      out.append(decoded)
      position += 2
      return
    }
    guard kind == UInt8(ascii: "u") else { throw error("invalid escape") }
    position += 2
    var scalar = try hex4()
    if (0xD800..<0xDC00).contains(scalar) {
      guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
      else { throw error("unpaired surrogate") }
      position += 2
      let low = try hex4()
      guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
      scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
    } else if (0xDC00..<0xE000).contains(scalar) {
      throw error("unpaired surrogate")
    }
    guard let decoded = Unicode.Scalar(scalar) else { throw error("invalid code point") }
    out += Array(String(decoded).utf8)
  }

  private mutating func hex4() throws(JSONError) -> UInt32 {
    guard position + 4 <= bytes.count,
      bytes[position..<(position + 4)].allSatisfy({ isDigit($0) || (0x41...0x46).contains($0 & 0xDF) }),
      let value = UInt32(String(decoding: bytes[position..<(position + 4)], as: UTF8.self), radix: 16)
    else { throw error("expected four hex digits after \\u") }
    position += 4
    return value
  }

  private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
