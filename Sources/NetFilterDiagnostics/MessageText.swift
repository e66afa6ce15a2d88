/// Input text as diagnostics repeat it: short, and with every character visible.
///
/// A message that quotes the filter (`unknown field 'X'`, `found 'X'`) shows at most
/// ``maxEchoedScalars`` Unicode scalars of it, then `…`; control characters and characters that
/// print as nothing or as a plain space are named instead (`<U+00A0 NO-BREAK SPACE>`), so a
/// message never hides the mistake, nor sends an escape sequence to the terminal.
public enum MessageText {
  /// The most Unicode scalars of input one message repeats.
  public static let maxEchoedScalars = 64

  /// `text` as a message may quote it: at most `limit` scalars (then `…`), with control and
  /// invisible characters named.
  public static func echo(_ text: some StringProtocol, limit: Int = maxEchoedScalars) -> String {
    var out = ""
    var count = 0
    for scalar in text.unicodeScalars {
      if count == limit {
        out += "…"
        break
      }
      if isInvisible(scalar) { out += "<\(name(of: scalar))>" } else { out.unicodeScalars.append(scalar) }
      count += 1
    }
    return out
  }

  /// Whether `scalar` is a control character, or prints as nothing or as a space other than the
  /// ASCII one (NO-BREAK SPACE, ZERO WIDTH SPACE, the byte order mark, bidirectional controls).
  public static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
    guard scalar != " " else { return false }
    switch scalar.properties.generalCategory {
    case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse,
      .unassigned:
      return true
    default:
      return false
    }
  }

  /// The code point and name of a scalar: `U+00A0 NO-BREAK SPACE`, `U+001B ESCAPE`.
  public static func name(of scalar: Unicode.Scalar) -> String {
    let hex = String(scalar.value, radix: 16, uppercase: true)
    let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    guard let name = aliases[scalar.value] ?? scalar.properties.name else { return code }
    return "\(code) \(name)"
  }

  /// Names for control characters, which have none of their own, and the byte order mark.
  private static let aliases: [UInt32: String] = [
    0x00: "NULL", 0x07: "BELL", 0x08: "BACKSPACE", 0x09: "CHARACTER TABULATION", 0x0A: "LINE FEED",
    0x0B: "LINE TABULATION", 0x0C: "FORM FEED", 0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x7F: "DELETE",
    0x85: "NEXT LINE", 0xFEFF: "BYTE ORDER MARK",
  ]
}
