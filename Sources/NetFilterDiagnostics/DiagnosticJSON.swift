/// The JSON form of diagnostics: one array, each element with a stable `id` and 1-based positions.
enum DiagnosticJSON {
  static func render(_ diagnostics: [Diagnostic], in source: SourceText) -> String {
    "[" + diagnostics.map { object($0, source) }.joined(separator: ",") + "]"
  }

  private static func object(_ diagnostic: Diagnostic, _ source: SourceText) -> String {
    var fields = [
      ("id", quote(diagnostic.id.description)),
      ("severity", quote(diagnostic.severity.rawValue)),
      ("message", quote(diagnostic.message)),
    ]
    fields += position(diagnostic.range, source)
    let notes = diagnostic.notes.map { note in
      let range = note.range ?? diagnostic.range
      return encode([("message", quote(note.message))] + position(range, source))
    }
    let fixIts = diagnostic.fixIts.map { fixIt in
      encode(
        [("message", quote(fixIt.message)), ("replacement", quote(fixIt.replacement))] + position(fixIt.range, source)
      )
    }
    fields.append(("notes", "[" + notes.joined(separator: ",") + "]"))
    fields.append(("fixIts", "[" + fixIts.joined(separator: ",") + "]"))
    return encode(fields)
  }

  private static func position(_ range: SourceRange, _ source: SourceText) -> [(String, String)] {
    let start = source.lineColumn(of: range.lowerBound)
    let end = source.lineColumn(of: range.upperBound)
    return [
      ("line", String(start.line)), ("column", String(start.column)),
      ("endLine", String(end.line)), ("endColumn", String(end.column)),
      ("offset", String(range.lowerBound)), ("length", String(range.length)),
    ]
  }

  private static func encode(_ fields: [(String, String)]) -> String {
    "{" + fields.map { "\(quote($0.0)):\($0.1)" }.joined(separator: ",") + "}"
  }

  /// A JSON string literal for `text`.
  static func quote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
