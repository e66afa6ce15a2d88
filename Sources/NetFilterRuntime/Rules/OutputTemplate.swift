import NetFilterEval
import NetFilterSema

/// A finding's message: text with `%field` placeholders (Fibratus's interpolation). `%N.field`
/// (N from 1 to 9) reads the field from the Nth event of a sequence finding; `%field` reads it from
/// the first. A missing value prints `N/A`.
public struct OutputTemplate: Sendable, Hashable {
  /// A piece of the template.
  public enum Part: Sendable, Hashable {
    case text(String)
    /// A placeholder: the event it reads (0-based) and the field.
    case field(event: Int, FieldBinding, written: String)
  }

  /// The template as written.
  public let text: String
  /// Its pieces, in order.
  public let parts: [Part]

  /// Why a template cannot be used: an unknown field, at a UTF-8 offset of the template.
  public struct Problem: Error, Sendable, Hashable {
    /// What is wrong.
    public let message: String
    /// Where, as UTF-8 offsets of the template text.
    public let range: Range<Int>
  }

  /// Parses `text`, resolving placeholders in `schema`; `steps` is how many events a finding
  /// carries (1, or a sequence's step count).
  public init(_ text: String, schema: Schema, steps: Int = 1) throws(Problem) {
    self.text = text
    let bytes = Array(text.utf8)
    var parts: [Part] = []
    var literal: [UInt8] = []
    var index = 0
    while index < bytes.count {
      guard bytes[index] == UInt8(ascii: "%"), let token = Self.token(bytes, at: index + 1) else {
        literal.append(bytes[index])
        index += 1
        continue
      }
      let (event, name, end) = token
      let (binding, used) = try Self.resolve(name, schema: schema, at: index)
      guard event < steps else {
        throw Problem(
          message: "'%\(event + 1).\(name)' names event \(event + 1), but a finding of this rule has \(steps)",
          range: index..<end
        )
      }
      if !literal.isEmpty { parts.append(.text(String(decoding: literal, as: UTF8.self))) }
      literal = Array(name.utf8.dropFirst(used))
      parts.append(.field(event: event, binding, written: String(name.prefix(used))))
      index = end
    }
    if !literal.isEmpty { parts.append(.text(String(decoding: literal, as: UTF8.self))) }
    self.parts = parts
  }

  /// The fields the template reads, as `(event, field, written)`, in order, without repeats.
  public var fields: [(event: Int, field: FieldBinding, written: String)] {
    var seen = Set<String>()
    return parts.compactMap { part in
      guard case .field(let event, let field, let written) = part else { return nil }
      let key = event == 0 ? written : "\(event + 1).\(written)"
      return seen.insert(key).inserted ? (event, field, written) : nil
    }
  }

  /// `%[1-9]?.?name` after the `%` at `start - 1`: the event index, the name and where it ends.
  private static func token(_ bytes: [UInt8], at start: Int) -> (Int, String, Int)? {
    var index = start
    var event = 0
    if index + 1 < bytes.count, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(bytes[index]),
      bytes[index + 1] == UInt8(ascii: ".")
    {
      event = Int(bytes[index] - UInt8(ascii: "1"))
      index += 2
    }
    let nameStart = index
    while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
    guard index > nameStart, isLetter(bytes[nameStart]) else { return nil }
    return (event, String(decoding: bytes[nameStart..<index], as: UTF8.self), index)
  }

  /// The longest prefix of `name` that is a field (a sentence may end right after one: `%net.dip.`).
  private static func resolve(_ name: String, schema: Schema, at offset: Int) throws(Problem) -> (FieldBinding, Int) {
    var candidate = Substring(name)
    while !candidate.isEmpty {
      if let binding = binding(String(candidate), schema) { return (binding, candidate.utf8.count) }
      guard let cut = candidate.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
      candidate = candidate[..<cut]
    }
    throw Problem(
      message: "unknown field '\(name)' in the output template",
      range: offset..<(offset + 1 + name.utf8.count)
    )
  }

  private static func binding(_ name: String, _ schema: Schema) -> FieldBinding? {
    guard let open = name.firstIndex(of: "[") else { return schema.field(named: name).map { FieldBinding($0) } }
    guard name.hasSuffix("]"), let descriptor = schema.field(named: String(name[..<open])), descriptor.argument != nil
    else { return nil }
    let argument = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
    return FieldBinding(descriptor, argument: argument)
  }

  private static func isLetter(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
  }

  private static func isNameByte(_ byte: UInt8) -> Bool {
    isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
      || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
  }
}
