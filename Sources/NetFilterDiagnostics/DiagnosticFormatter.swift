/// Renders diagnostics as text, in the styles of `swiftc -diagnostic-style`, or as JSON.
public struct DiagnosticFormatter: Sendable {
  /// The rendering style.
  public enum Style: String, Sendable, CaseIterable {
    /// swiftc's default: the source line in a gutter, with `` `- error: `` markers under it.
    case swift
    /// clang's: the source line, then a `^~~~` underline.
    case llvm
    /// A JSON array of objects with stable IDs and positions, for tools.
    case json
  }

  /// The rendering style.
  public var style: Style
  /// Whether to colour the output with ANSI escapes.
  public var colored: Bool
  /// At most this many diagnostics are shown; the rest are counted.
  public var limit: Int

  /// Creates a formatter.
  public init(style: Style = .swift, colored: Bool = false, limit: Int = 100) {
    self.style = style
    self.colored = colored
    self.limit = limit
  }

  /// Renders `diagnostics` (in source order) against `source`. The result ends with a newline
  /// unless it is empty. Fix-its appear only in JSON; the text styles show the notes that name them.
  public func render(_ diagnostics: [Diagnostic], in source: SourceText) -> String {
    let sorted = diagnostics.sortedByPosition()
    let shown = Array(sorted.prefix(limit))
    if style == .json { return DiagnosticJSON.render(shown, in: source) + "\n" }
    var out = ""
    for diagnostic in shown {
      out += style == .swift ? renderSwift(diagnostic, source) : renderLLVM(diagnostic, source)
    }
    if sorted.count > shown.count {
      out += "\(sorted.count - shown.count) more diagnostics were truncated\n"
    }
    return out
  }

  // MARK: Styles

  private func header(_ severity: Severity, _ message: String, at position: LineColumn, _ source: SourceText)
    -> String
  {
    "\(paint(bold: true, "\(source.name):\(position):")) \(label(severity)) \(paint(bold: true, message))\n"
  }

  private func renderSwift(_ diagnostic: Diagnostic, _ source: SourceText) -> String {
    let position = source.lineColumn(of: diagnostic.range.lowerBound)
    var out = header(diagnostic.severity, diagnostic.message, at: position, source)
    let gutterWidth = String(position.line).count
    let blank = String(repeating: " ", count: gutterWidth)
    let (line, column) = Self.excerpt(source.lineText(position.line), around: position.column)
    out += "\(position.line) | \(line)\n"
    let pad = Self.padding(line, to: column)
    let trailing = diagnostic.notes.map { ($0.message, Severity.note) }
    let lines = [(diagnostic.message, diagnostic.severity)] + trailing
    for (index, (message, severity)) in lines.enumerated() {
      let marker = index == lines.count - 1 ? "`-" : "|-"
      out += "\(blank) | \(pad)\(marker) \(label(severity)) \(message)\n"
    }
    return out
  }

  private func renderLLVM(_ diagnostic: Diagnostic, _ source: SourceText) -> String {
    let start = source.lineColumn(of: diagnostic.range.lowerBound)
    let end = source.lineColumn(of: diagnostic.range.upperBound)
    var out = header(diagnostic.severity, diagnostic.message, at: start, source)
    let (line, column) = Self.excerpt(source.lineText(start.line), around: start.column)
    out += line + "\n"
    let shown = line.unicodeScalars.count - column + 1
    let width = end.line == start.line ? max(1, min(end.column - start.column, shown)) : 1
    let underline = "^" + String(repeating: "~", count: width - 1)
    out += Self.padding(line, to: column) + paint(color: "32", underline) + "\n"
    for note in diagnostic.notes {
      let at = source.lineColumn(of: note.range?.lowerBound ?? diagnostic.range.lowerBound)
      out += header(.note, note.message, at: at, source)
    }
    return out
  }

  /// The most Unicode scalars of a source line shown under a diagnostic.
  static let maxLineExcerpt = 160

  /// The part of `line` shown under a diagnostic at `column`, and the column in it: a long line is
  /// cut to ``maxLineExcerpt`` scalars around the column, with `…` where it was cut, so that a
  /// hundred diagnostics on one 100 kB line do not print it a hundred times. Control and format
  /// characters (escape sequences, bidirectional overrides) are shown as U+FFFD.
  static func excerpt(_ line: String, around column: Int) -> (String, Int) {
    let scalars = Array(line.unicodeScalars)
    var start = 0
    var end = scalars.count
    if scalars.count > maxLineExcerpt {
      start = max(0, min(column - 1 - maxLineExcerpt / 3, scalars.count - maxLineExcerpt))
      end = start + maxLineExcerpt
    }
    var text = String.UnicodeScalarView()
    if start > 0 { text.append("…") }
    for scalar in scalars[start..<end] {
      let hidden = scalar != "\t" && [.control, .format].contains(scalar.properties.generalCategory)
      text.append(hidden ? "\u{FFFD}" : scalar)
    }
    if end < scalars.count { text.append("…") }
    return (String(text), column - start + (start > 0 ? 1 : 0))
  }

  /// Blanks that reach `column` under `line`: a space per character, but the line's own tabs kept,
  /// so that the marker lines up however wide the terminal shows a tab.
  static func padding(_ line: String, to column: Int) -> String {
    let prefix = line.unicodeScalars.prefix(max(0, column - 1))
    let blanks = String(String.UnicodeScalarView(prefix.map { $0 == "\t" ? "\t" : " " }))
    return blanks + String(repeating: " ", count: max(0, column - 1 - prefix.count))
  }

  // MARK: Colour

  private func label(_ severity: Severity) -> String {
    let code =
      switch severity {
      case .error: "31"
      case .warning: "35"
      case .note: "36"
      case .remark: "34"
      }
    return paint(color: code, bold: true, "\(severity.rawValue):")
  }

  private func paint(color: String? = nil, bold: Bool = false, _ text: String) -> String {
    guard colored, color != nil || bold else { return text }
    var codes: [String] = []
    if bold { codes.append("1") }
    if let color { codes.append(color) }
    return "\u{1B}[\(codes.joined(separator: ";"))m\(text)\u{1B}[0m"
  }
}
