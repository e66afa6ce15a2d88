import NetFilterDiagnostics

/// Turns filter text into tokens, one at a time, on the parser's demand.
///
/// The lexer has one mode switch: right after a Tracee-style comparison operator
/// (`net_packet_dns.data.src=`), values are unquoted words up to whitespace, `,` or `)`.
public struct Lexer: Sendable {
  /// How the next token is read.
  public enum Mode: Sendable {
    /// The ordinary token grammar.
    case normal
    /// Unquoted Tracee values: quoted strings are still strings, anything else up to whitespace,
    /// `,` or `)` is one ``Token/Kind/bareWord(_:)``.
    case traceeValue
  }

  let bytes: [UInt8]
  /// The most diagnostics kept (then one "too many errors" note).
  let diagnosticLimit: Int
  private(set) var position = 0
  /// Problems found in the text so far.
  public private(set) var diagnostics: [Diagnostic] = []

  /// Creates a lexer over `source` that keeps at most `diagnosticLimit` diagnostics.
  public init(_ source: SourceText, diagnosticLimit: Int = Limits.default.maxDiagnostics) {
    bytes = Array(source.text.utf8)
    self.diagnosticLimit = diagnosticLimit
  }

  /// Reads the next token.
  public mutating func next(mode: Mode = .normal) -> Token {
    let spaced = skipWhitespace()
    guard position < bytes.count else {
      return Token(.endOfInput, range: .at(bytes.count), hasLeadingSpace: spaced)
    }
    let start = position
    let kind = mode == .traceeValue ? lexTraceeValue() : lexToken()
    return Token(kind, range: SourceRange(start, position), hasLeadingSpace: spaced)
  }

  private mutating func skipWhitespace() -> Bool {
    // A byte order mark at the very start (an editor's, in a `--file`) is not part of the filter.
    if position == 0, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    let start = position
    while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    return position > start
  }

  private func peek(_ offset: Int = 0) -> UInt8? {
    position + offset < bytes.count ? bytes[position + offset] : nil
  }

  private mutating func lexToken() -> Token.Kind {
    let byte = bytes[position]
    switch byte {
    case UInt8(ascii: "'"), UInt8(ascii: "\""): return lexString(quote: byte)
    case UInt8(ascii: "$"): return lexBoundVariable()
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return lexNumberOrAddress()
    case UInt8(ascii: ":"): return lexNumberOrAddress()
    case UInt8(ascii: "."):
      if let next = peek(1), isDigit(next) { return lexNumberOrAddress() }
    default:
      if isIdentifierStart(byte) { return lexIdentifierOrAddress() }
    }
    return lexPunctuation()
  }

  // MARK: Punctuation

  /// Two-character punctuation, keyed by its bytes (`first << 8 | second`).
  private static let twoCharacter: [UInt16: Punctuation] = Dictionary(
    uniqueKeysWithValues: Punctuation.allCases.filter { $0.rawValue.utf8.count == 2 }.map { punctuation in
      let bytes = Array(punctuation.rawValue.utf8)
      return (UInt16(bytes[0]) << 8 | UInt16(bytes[1]), punctuation)
    }
  )
  /// One-character punctuation, keyed by its byte.
  private static let oneCharacter: [UInt8: Punctuation] = Dictionary(
    uniqueKeysWithValues: Punctuation.allCases.filter { $0.rawValue.utf8.count == 1 }.map {
      ($0.rawValue.utf8.first!, $0)
    }
  )

  private mutating func lexPunctuation() -> Token.Kind {
    if let next = peek(1), let punctuation = Lexer.twoCharacter[UInt16(bytes[position]) << 8 | UInt16(next)] {
      position += 2
      return .punctuation(punctuation)
    }
    if let punctuation = Lexer.oneCharacter[bytes[position]] {
      position += 1
      return .punctuation(punctuation)
    }
    return lexInvalidCharacter()
  }

  private mutating func lexInvalidCharacter() -> Token.Kind {
    let start = position
    if bytes[position] == UInt8(ascii: "-"), let next = peek(1), isDigit(next) {
      position = scanRun(position + 1) { isIdentifierContinue($0) }
      let text = String(decoding: bytes[start..<position], as: UTF8.self)
      report(.negativeNumber(text), SourceRange(start, position))
      return .invalid(text)
    }
    position += max(1, utf8SequenceLength(bytes[position]))
    position = min(position, bytes.count)
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    let hints: [String: String] = ["~": "~=", "&": "&&", "#": ""]
    var notes: [Note] = []
    if let hint = hints[text], !hint.isEmpty { notes.append(Note("did you mean '\(hint)'?")) }
    if text == "#" { notes.append(Note("filters have no comments")) }
    report(.unexpectedCharacter(text), SourceRange(start, position), notes: notes)
    return .invalid(text)
  }

  // MARK: Words

  private mutating func lexIdentifierOrAddress() -> Token.Kind {
    let start = position
    let run = scanRun(start) { isIdentifierContinue($0) || $0 == UInt8(ascii: ":") }
    if bytes[start..<run].contains(UInt8(ascii: ":")) {
      return lexAddress(from: start)
    }
    position = run
    if run - start <= Lexer.longestKeyword, let keyword = Lexer.keyword(bytes[start..<run]) { return .keyword(keyword) }
    return .identifier(String(decoding: bytes[start..<run], as: UTF8.self))
  }

  /// Keywords by their lowercase bytes packed into two words (every keyword fits in 16 bytes).
  private static let keywords: [PackedWord: Keyword] = Dictionary(
    uniqueKeysWithValues: Keyword.allCases.map { (PackedWord(Array($0.rawValue.utf8)[...]), $0) }
  )
  private static let longestKeyword = Keyword.allCases.map(\.rawValue.utf8.count).max() ?? 0

  /// The keyword spelled by `word` in any case, without allocating.
  private static func keyword(_ word: ArraySlice<UInt8>) -> Keyword? {
    guard word.count <= 16, !word.contains(UInt8(ascii: ".")) else { return nil }
    return keywords[PackedWord(word)]
  }

  private mutating func lexBoundVariable() -> Token.Kind {
    let start = position
    position = scanRun(position + 1, while: isIdentifierContinue)
    let name = String(decoding: bytes[(start + 1)..<position], as: UTF8.self)
    if name.isEmpty || !isIdentifierStart(bytes[start + 1]) {
      report(.expectedBoundVariableName, SourceRange(start, position))
      return .invalid("$" + name)
    }
    return .boundVariable(name)
  }

  // MARK: Numbers, addresses, durations

  private mutating func lexNumberOrAddress() -> Token.Kind {
    let start = position
    let addressEnd = scanAddressRun(start)
    if bytes[start..<addressEnd].contains(UInt8(ascii: ":")) { return lexAddress(from: start) }
    if peek() == UInt8(ascii: "0"), peek(1) == UInt8(ascii: "x") || peek(1) == UInt8(ascii: "X") {
      return lexHex()
    }
    let end = scanNumericRun(start)
    let text = String(decoding: bytes[start..<end], as: UTF8.self)
    position = end
    if let next = peek(), isLetter(next) || next >= 0x80 { return lexDuration(from: start) }
    let dots = text.filter { $0 == "." }.count
    switch dots {
    case 0:
      if let value = UInt64(text) { return .integer(value) }
      report(.integerTooLarge(text), SourceRange(start, end))
      return .invalid(text)
    case 1 where !text.hasPrefix(".") || text.count > 1:
      if let value = Double(text), value.isFinite, !text.hasSuffix(".") { return .decimal(value) }
    case 3:
      if let value = IPAddress.parseV4(Substring(text)) { return lexPrefixLength(IPAddress(v4: value), start) }
    default: break
    }
    let notes = IPAddress.hasLeadingZeroOctet(text) ? [Self.leadingZeroNote] : []
    report(dots >= 2 ? .invalidIPAddress(text) : .invalidNumber(text), SourceRange(start, end), notes: notes)
    return .invalid(text)
  }

  /// Why `010.0.0.1` is not an address.
  public static let leadingZeroNote = Note(
    "an octet with a leading zero is ambiguous: inet_aton reads it as octal (010 is 8), other tools as decimal; write it without the zero"
  )

  /// Hex digits, colons and single dots: the text of an address. Stops before `..` so that
  /// `fd00::1..fd00::9` is a range.
  private func scanAddressRun(_ start: Int) -> Int {
    scanRunBeforeDotDot(start) { isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }
  }

  /// Digits and single dots; stops before `..` so that `8000..8999` is a range.
  private func scanNumericRun(_ start: Int) -> Int {
    var end = start
    while end < bytes.count {
      if isDigit(bytes[end]) {
        end += 1
      } else if bytes[end] == UInt8(ascii: "."), end + 1 < bytes.count, bytes[end + 1] != UInt8(ascii: ".") {
        end += 1
      } else {
        break
      }
    }
    return end
  }

  private mutating func lexHex() -> Token.Kind {
    let start = position
    let end = scanRun(start + 2, while: isHexDigit)
    position = scanRun(end, while: isIdentifierContinue)
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    if position == end, end > start + 2, let value = UInt64(text.dropFirst(2), radix: 16) {
      return .integer(value)
    }
    report(.invalidNumber(text), SourceRange(start, position))
    return .invalid(text)
  }

  private mutating func lexDuration(from start: Int) -> Token.Kind {
    position = scanRun(start) { isIdentifierContinue($0) || $0 >= 0x80 }
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    if let duration = Duration(parsing: text) { return .duration(duration) }
    report(.invalidNumber(text), SourceRange(start, position))
    return .invalid(text)
  }

  /// An IPv6 address (optionally with `/len`), starting at `start`.
  private mutating func lexAddress(from start: Int) -> Token.Kind {
    position = scanAddressRun(start)
    position = scanRunBeforeDotDot(position, while: isIdentifierContinue)
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    guard let address = IPAddress(text), address.family == .v6 else {
      report(.invalidIPAddress(text), SourceRange(start, position))
      return .invalid(text)
    }
    return lexPrefixLength(address, start)
  }

  /// Reads an optional `/len` after an address.
  private mutating func lexPrefixLength(_ address: IPAddress, _ start: Int) -> Token.Kind {
    guard peek() == UInt8(ascii: "/") else { return .ip(address) }
    if peek(1) == UInt8(ascii: "-"), let digit = peek(2), isDigit(digit) {
      position = scanRunBeforeDotDot(position + 2, while: isIdentifierContinue)
      let text = String(decoding: bytes[start..<position], as: UTF8.self)
      report(.negativePrefixLength(text, bits: address.bitWidth), SourceRange(start, position))
      return .invalid(text)
    }
    let digitsStart = position + 1
    let digitsEnd = scanRun(digitsStart, while: isDigit)
    let end = scanRunBeforeDotDot(digitsEnd, while: isIdentifierContinue)
    position = end
    let digits = String(decoding: bytes[digitsStart..<digitsEnd], as: UTF8.self)
    if end == digitsEnd, digits.count <= 3, let length = Int(digits),
      let cidr = CIDR(address: address, prefixLength: length)
    {
      return .cidr(cidr)
    }
    let text = String(decoding: bytes[start..<end], as: UTF8.self)
    report(.invalidCIDR(text, bits: address.bitWidth), SourceRange(start, end))
    return .invalid(text)
  }

  // MARK: Strings

  private mutating func lexString(quote: UInt8) -> Token.Kind {
    let start = position
    position += 1
    var value: [UInt8] = []
    var escapedWildcards: [Int] = []
    var scalarCount = 0
    while position < bytes.count {
      let byte = bytes[position]
      if byte == quote {
        position += 1
        return .string(StringLiteral(String(decoding: value, as: UTF8.self), escapedWildcards: escapedWildcards))
      }
      if byte == UInt8(ascii: "\n") { break }
      if byte == UInt8(ascii: "\\") {
        guard let decoded = lexEscape(stringStart: start) else { continue }
        if decoded == UInt8(ascii: "*") || decoded == UInt8(ascii: "?") { escapedWildcards.append(scalarCount) }
        value.append(decoded)
        scalarCount += 1
        continue
      }
      value.append(byte)
      if byte & 0xC0 != 0x80 { scalarCount += 1 }
      position += 1
    }
    report(.unterminatedString, SourceRange(start, position), notes: [Note("string starts here", at: .at(start))])
    return .invalid(String(decoding: bytes[start..<position], as: UTF8.self))
  }

  /// Decodes the escape at `position` (a backslash); `nil` after reporting a bad one.
  private mutating func lexEscape(stringStart: Int) -> UInt8? {
    let escapes: [UInt8: UInt8] = [
      UInt8(ascii: "n"): 0x0A, UInt8(ascii: "t"): 0x09, UInt8(ascii: "r"): 0x0D,
      UInt8(ascii: "\\"): UInt8(ascii: "\\"), UInt8(ascii: "'"): UInt8(ascii: "'"),
      UInt8(ascii: "\""): UInt8(ascii: "\""), UInt8(ascii: "*"): UInt8(ascii: "*"),
      UInt8(ascii: "?"): UInt8(ascii: "?"),
    ]
    guard let next = peek(1) else {
      position += 1
      return nil
    }
    if let decoded = escapes[next] {
      position += 2
      return decoded
    }
    let length = 1 + max(1, utf8SequenceLength(next))
    let end = min(bytes.count, position + length)
    let text = String(decoding: bytes[position..<end], as: UTF8.self)
    report(.invalidEscape(text), SourceRange(position, end))
    position = end
    return nil
  }

  // MARK: Tracee values

  private mutating func lexTraceeValue() -> Token.Kind {
    let byte = bytes[position]
    if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") { return lexString(quote: byte) }
    if byte == UInt8(ascii: "(") { return lexToken() }
    let start = position
    while position < bytes.count {
      let current = bytes[position]
      let stops = [0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ","), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "|")]
      if stops.contains(current) { break }
      if current == UInt8(ascii: "&") && peek(1) == UInt8(ascii: "&") { break }
      position += 1
    }
    if position == start { return lexToken() }
    return .bareWord(String(decoding: bytes[start..<position], as: UTF8.self))
  }

  // MARK: Helpers

  /// Scans like ``scanRun(_:while:)`` but never into a `..`.
  private func scanRunBeforeDotDot(_ start: Int, while predicate: (UInt8) -> Bool) -> Int {
    var end = start
    while end < bytes.count, predicate(bytes[end]) {
      if bytes[end] == UInt8(ascii: "."), end + 1 < bytes.count, bytes[end + 1] == UInt8(ascii: ".") { break }
      end += 1
    }
    return end
  }

  private func scanRun(_ start: Int, while predicate: (UInt8) -> Bool) -> Int {
    var end = start
    while end < bytes.count, predicate(bytes[end]) { end += 1 }
    return end
  }

  private mutating func report(_ message: SyntaxMessage, _ range: SourceRange, notes: [Note] = []) {
    diagnostics.append(message.diagnostic(at: range, notes: notes), limit: diagnosticLimit)
  }
}

private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
private func isLetter(_ byte: UInt8) -> Bool {
  (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
}
private func isHexDigit(_ byte: UInt8) -> Bool {
  isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
}
private func isIdentifierStart(_ byte: UInt8) -> Bool { isLetter(byte) || byte == UInt8(ascii: "_") }
private func isIdentifierContinue(_ byte: UInt8) -> Bool {
  isIdentifierStart(byte) || isDigit(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "$")
}
private func utf8SequenceLength(_ lead: UInt8) -> Int {
  switch lead {
  case 0xF0...: 4
  case 0xE0...: 3
  case 0xC0...: 2
  default: 1
  }
}

/// Up to 16 ASCII bytes, lowercased, packed into two words: a hash key that costs no allocation.
private struct PackedWord: Hashable {
  var high: UInt64 = 0
  var low: UInt64 = 0

  init(_ bytes: ArraySlice<UInt8>) {
    for (index, byte) in bytes.enumerated() {
      let lowered = UInt64(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
      if index < 8 { high |= lowered << UInt64(8 * index) } else { low |= lowered << UInt64(8 * (index - 8)) }
    }
  }
}
