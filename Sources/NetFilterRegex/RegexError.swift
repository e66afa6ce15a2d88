/// A pattern that PCRE2 refused to compile.
///
/// The message is PCRE2's own wording, adjusted to read well inside a diagnostic: the first letter
/// is lowercase and there is no final period, for example `missing closing parenthesis`.
public struct RegexError: Error, Sendable, Hashable, CustomStringConvertible {
  /// PCRE2's description of the problem, with a lowercase first letter and no final period.
  public let message: String
  /// The offset, in UTF-8 bytes from the start of the pattern, where PCRE2 stopped.
  ///
  /// It can equal the pattern's UTF-8 length when the problem is at the very end, as with an
  /// unclosed group.
  public let offset: Int

  /// Creates an error; the wrapper makes these itself, but tests and callers may build one too.
  public init(message: String, offset: Int) {
    self.message = message
    self.offset = offset
  }

  /// The message followed by the offset, such as `missing closing parenthesis at offset 3`.
  public var description: String { "\(message) at offset \(offset)" }
}

extension RegexError {
  /// Builds the error for a PCRE2 compile error code, fetching PCRE2's text for it.
  init(pcre2Code code: Int32, offset: Int) {
    self.init(message: Self.normalize(PCRE2.errorMessage(code)), offset: offset)
  }

  /// Lowercases the first letter and drops a final period.
  static func normalize(_ text: String) -> String {
    var text = Substring(text)
    while text.last == "." || text.last == " " { text = text.dropLast() }
    guard let first = text.first else { return "" }
    return first.lowercased() + text.dropFirst()
  }
}
