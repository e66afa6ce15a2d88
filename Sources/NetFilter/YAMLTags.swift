import Yams

/// The types of plain YAML scalars, decided by YAML 1.1's rules for null, booleans, integers and
/// floats, written out by hand.
///
/// Macro and rule files are composed with Yams' rule-less resolver, and a scalar's type is decided
/// here only where a loader asks for it. Yams' default resolver runs up to seven regular
/// expressions on every scalar (every mapping key included, to check for duplicates), which was
/// most of the time it took to load 1,000 rules.
enum YAMLTags {
  /// The resolver files are composed with: every untagged scalar stays as written.
  static let resolver = Resolver.basic

  /// The tag of `node`: its explicit tag, or for a plain scalar the type its text spells.
  static func tag(of node: Node) -> Tag.Name {
    guard case .scalar(let scalar) = node else { return Tag.Name(rawValue: node.tag.description) }
    // Reading `scalar.tag` (not `node.tag`) does not resolve it: a plain scalar without a tag is
    // still `implicit` here (mapping keys are resolved, to `str`, when Yams checks them for
    // duplicates). Quoted scalars carry `str` from the parser.
    let name = Tag.Name(rawValue: scalar.tag.description)
    guard name == .implicit else { return name }
    return plain(scalar.string)
  }

  /// The type of a plain scalar's text.
  static func plain(_ text: String) -> Tag.Name {
    let bytes = Array(text.utf8)
    if nulls.contains(text) { return .null }
    if booleans.contains(text) { return .bool }
    if isInteger(bytes[...]) { return .int }
    if isFloat(bytes[...]) { return .float }
    return .str
  }

  private static let nulls: Set<String> = ["", "~", "null", "Null", "NULL"]
  private static let booleans: Set<String> = [
    "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
    "on", "On", "ON", "off", "Off", "OFF",
  ]

  /// Binary `0b…`, octal `0…`/`0o…`, decimal, hexadecimal `0x…` and base-60 `1:30`, with a sign
  /// and `_` separators.
  static func isInteger(_ text: ArraySlice<UInt8>) -> Bool {
    let body = unsigned(text)
    guard let first = body.first else { return false }
    let rest = body.dropFirst()
    if first == UInt8(ascii: "0") {
      switch rest.first {
      case nil: return true
      case UInt8(ascii: "b"): return nonEmpty(rest.dropFirst(), binary)
      case UInt8(ascii: "x"): return nonEmpty(rest.dropFirst(), hexadecimal)
      case UInt8(ascii: "o"): return nonEmpty(rest.dropFirst(), octal)
      default: return nonEmpty(rest, octal)
      }
    }
    guard isDigit(first) else { return false }
    let parts = rest.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
    return only(parts[0], decimal) && parts.dropFirst().allSatisfy(isSexagesimalPlace)
  }

  /// `1.5`, `1.`, `1e3`, `6.8523015e+5`, `.5`, `.5e+3`, base-60 `190:20:30.15`, `.inf`, `-.Inf`,
  /// `.nan`.
  static func isFloat(_ text: ArraySlice<UInt8>) -> Bool {
    if [".nan", ".NaN", ".NAN"].contains(where: { text.elementsEqual($0.utf8) }) { return true }
    let body = unsigned(text)
    if [".inf", ".Inf", ".INF"].contains(where: { body.elementsEqual($0.utf8) }) { return true }
    guard let first = body.first else { return false }
    if first == UInt8(ascii: "."), body.count == text.count {
      // `.5`, `.5e+3`: without a sign, and the exponent's sign is required.
      let (digits, exponent) = splitExponent(body.dropFirst())
      return nonEmpty(digits, decimal) && (exponent.map { isExponent($0, signed: true) } ?? true)
    }
    guard isDigit(first) else { return false }
    if body.contains(UInt8(ascii: ":")) {
      guard let dot = body.firstIndex(of: UInt8(ascii: ".")) else { return false }
      let places = body[..<dot].split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
      return places.count > 1 && only(places[0], decimal) && places.dropFirst().allSatisfy(isSexagesimalPlace)
        && only(body[(dot + 1)...], decimal)
    }
    let (mantissa, exponent) = splitExponent(body)
    let pieces = mantissa.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
    guard only(pieces[0], decimal), pieces.count == 1 || only(pieces[1], decimal) else { return false }
    return exponent.map { isExponent($0, signed: false) } ?? true
  }

  private static let binary = Array("01_".utf8)
  private static let octal = Array("01234567_".utf8)
  private static let decimal = Array("0123456789_".utf8)
  private static let hexadecimal = Array("0123456789abcdefABCDEF_".utf8)

  /// The text after one leading `+` or `-`.
  private static func unsigned(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    guard let first = text.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") else { return text }
    return text.dropFirst()
  }

  /// The mantissa, and the text after `e`/`E` if there is one.
  private static func splitExponent(_ text: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>?) {
    guard let e = text.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else {
      return (text, nil)
    }
    return (text[..<e], text[(e + 1)...])
  }

  private static func isExponent(_ text: ArraySlice<UInt8>, signed: Bool) -> Bool {
    let hasSign = text.first == UInt8(ascii: "+") || text.first == UInt8(ascii: "-")
    guard hasSign || !signed else { return false }
    let digits = hasSign ? text.dropFirst() : text
    return !digits.isEmpty && digits.allSatisfy(isDigit)
  }

  /// One base-60 place: one digit, or two with the first from 0 to 5.
  private static func isSexagesimalPlace(_ place: ArraySlice<UInt8>) -> Bool {
    guard let last = place.last, isDigit(last) else { return false }
    guard place.count == 2 else { return place.count == 1 }
    return place.first! >= UInt8(ascii: "0") && place.first! <= UInt8(ascii: "5")
  }

  private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

  /// Whether every byte of `text` is in `allowed` (true for no bytes).
  private static func only(_ text: ArraySlice<UInt8>, _ allowed: [UInt8]) -> Bool {
    text.allSatisfy { allowed.contains($0) }
  }

  private static func nonEmpty(_ text: ArraySlice<UInt8>, _ allowed: [UInt8]) -> Bool {
    !text.isEmpty && only(text, allowed)
  }
}
