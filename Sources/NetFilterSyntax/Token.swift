import NetFilterDiagnostics

/// One lexeme of a filter expression.
public struct Token: Sendable, Hashable {
  /// What the token is, with its decoded value.
  public enum Kind: Sendable, Hashable {
    /// A dotted name: a field path, function, macro or event name (`net.dport`, `lower`).
    case identifier(String)
    /// `$name`, `$name.field.path`: a bound variable of a sequence step.
    case boundVariable(String)
    /// A quoted string, with escapes decoded.
    case string(StringLiteral)
    /// An unsigned integer (decimal or `0x` hex).
    case integer(UInt64)
    /// A decimal number such as `0.5`.
    case decimal(Double)
    /// A duration such as `5s` or `1h30m`, in nanoseconds, with its spelling.
    case duration(Duration)
    /// An IPv4 or IPv6 address.
    case ip(IPAddress)
    /// An address prefix, `10.0.0.0/8`.
    case cidr(CIDR)
    /// An unquoted value on the right of a Tracee-style comparison (`=*.example.com`).
    case bareWord(String)
    /// A reserved word, matched case-insensitively.
    case keyword(Keyword)
    /// Punctuation or a symbolic operator.
    case punctuation(Punctuation)
    /// Text that is not a token; the lexer reported why.
    case invalid(String)
    /// The end of the input.
    case endOfInput
  }

  /// The kind and value.
  public var kind: Kind
  /// Where the token is.
  public var range: SourceRange
  /// Whether whitespace came before it (a function call needs `name(` without a space).
  public var hasLeadingSpace: Bool

  /// Creates a token.
  public init(_ kind: Kind, range: SourceRange, hasLeadingSpace: Bool = false) {
    self.kind = kind
    self.range = range
    self.hasLeadingSpace = hasLeadingSpace
  }
}

/// Reserved words. They are matched after lowercasing the whole identifier, so `AND` is `and`.
public enum Keyword: String, Sendable, Hashable, CaseIterable {
  case and, or, not, `true`, `false`, sequence, maxspan, by, `as`
  case `in`, iin, contains, icontains, startswith, istartswith, endswith, iendswith
  case matches, imatches, fuzzy, ifuzzy, fuzzynorm, ifuzzynorm, intersects, iintersects
}

/// Punctuation and symbolic operators.
public enum Punctuation: String, Sendable, Hashable, CaseIterable {
  case leftParen = "("
  case rightParen = ")"
  case leftBracket = "["
  case rightBracket = "]"
  case comma = ","
  case pipe = "|"
  case dotDot = ".."
  case equal = "="
  case equalEqual = "=="
  case bangEqual = "!="
  case lessGreater = "<>"
  case tildeEqual = "~="
  case less = "<"
  case lessEqual = "<="
  case greater = ">"
  case greaterEqual = ">="
  case ampAmp = "&&"
  case pipePipe = "||"
  case bang = "!"
}

/// A decoded string literal.
///
/// `\*` and `\?` decode to `*` and `?`, and their offsets are kept so that glob patterns can tell
/// an escaped (literal) wildcard from a real one.
public struct StringLiteral: Sendable, Hashable {
  /// The decoded text.
  public var value: String
  /// Offsets (in Unicode scalars of ``value``) of `*` and `?` that were written escaped.
  public var escapedWildcards: [Int]

  /// Creates a literal.
  public init(_ value: String, escapedWildcards: [Int] = []) {
    self.value = value
    self.escapedWildcards = escapedWildcards
  }
}

/// A duration literal, used after `maxspan`.
public struct Duration: Sendable, Hashable {
  /// The length in nanoseconds.
  public var nanoseconds: UInt64
  /// How it was written, for printing back.
  public var text: String

  /// Creates a duration.
  public init(nanoseconds: UInt64, text: String) {
    self.nanoseconds = nanoseconds
    self.text = text
  }

  /// Parses `1h30m`, `500ms`, `10µs`, …; `nil` if the text is not a duration or overflows.
  public init?(parsing text: String) {
    let units: [(String, UInt64)] = [
      ("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
      ("m", 60_000_000_000), ("h", 3_600_000_000_000), ("d", 86_400_000_000_000),
      ("w", 604_800_000_000_000),
    ]
    var rest = Substring(text)
    var total: UInt64 = 0
    guard !rest.isEmpty else { return nil }
    while !rest.isEmpty {
      let digits = rest.prefix { $0.isASCII && $0.isNumber }
      guard !digits.isEmpty, let amount = UInt64(digits) else { return nil }
      rest = rest.dropFirst(digits.count)
      let letters = rest.prefix { !($0.isASCII && $0.isNumber) }
      guard let unit = units.first(where: { $0.0 == letters }) else { return nil }
      rest = rest.dropFirst(letters.count)
      let (product, overflow1) = amount.multipliedReportingOverflow(by: unit.1)
      let (sum, overflow2) = total.addingReportingOverflow(product)
      guard !overflow1, !overflow2 else { return nil }
      total = sum
    }
    self.init(nanoseconds: total, text: text)
  }
}
