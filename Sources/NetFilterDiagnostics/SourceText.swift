/// The text of one filter expression, with a lazily built line table for rendering positions.
///
/// Offsets everywhere in netfilter are UTF-8 byte offsets into ``text``; line and column numbers are
/// computed only when a diagnostic is rendered (as WasmKit's `Location` does).
public struct SourceText: Sendable, Hashable {
  /// The name shown in rendered diagnostics, such as `<expr>` or a rule file's path.
  public let name: String
  /// The full source text.
  public let text: String
  /// UTF-8 offsets at which each line starts. The first is 0, or 3 after a byte order mark at the
  /// start (an editor's), which belongs to no line: columns on line 1 are the same with or without it.
  public let lineStarts: [Int]

  /// Creates a source from `text`, shown as `name` in diagnostics.
  public init(_ text: String, name: String = "<expr>") {
    self.name = name
    self.text = text
    var starts = [text.utf8.starts(with: Self.byteOrderMark) ? Self.byteOrderMark.count : 0]
    var offset = 0
    for byte in text.utf8 {
      offset += 1
      if byte == UInt8(ascii: "\n") { starts.append(offset) }
    }
    self.lineStarts = starts
  }

  /// The UTF-8 byte order mark, U+FEFF.
  public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

  /// The 1-based line and column (in Unicode scalars) of a UTF-8 offset.
  public func lineColumn(of offset: Int) -> LineColumn {
    let clamped = max(0, min(offset, text.utf8.count))
    var low = 0
    var high = lineStarts.count - 1
    while low < high {
      let mid = (low + high + 1) / 2
      if lineStarts[mid] <= clamped { low = mid } else { high = mid - 1 }
    }
    let lineStart = lineStarts[low]
    let utf8 = Array(text.utf8)
    let prefix = String(decoding: utf8[lineStart..<max(lineStart, clamped)], as: UTF8.self)
    return LineColumn(line: low + 1, column: prefix.unicodeScalars.count + 1)
  }

  /// The text of the 1-based line `line`, without its newline.
  public func lineText(_ line: Int) -> String {
    guard line >= 1, line <= lineStarts.count else { return "" }
    let utf8 = Array(text.utf8)
    let start = lineStarts[line - 1]
    var end = line < lineStarts.count ? lineStarts[line] - 1 : utf8.count
    if end > start, utf8[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    return String(decoding: utf8[start..<max(start, end)], as: UTF8.self)
  }

  /// The source text covered by `range`.
  public func slice(_ range: SourceRange) -> String {
    let utf8 = Array(text.utf8)
    let lower = max(0, min(range.lowerBound, utf8.count))
    let upper = max(lower, min(range.upperBound, utf8.count))
    return String(decoding: utf8[lower..<upper], as: UTF8.self)
  }
}

/// A 1-based line and column, as printed in `line:column` positions.
public struct LineColumn: Sendable, Hashable, CustomStringConvertible {
  /// The 1-based line number.
  public var line: Int
  /// The 1-based column, counted in Unicode scalars.
  public var column: Int

  /// Creates a position.
  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  public var description: String { "\(line):\(column)" }
}

/// A half-open range of UTF-8 offsets into a ``SourceText``.
public struct SourceRange: Sendable, Hashable, CustomStringConvertible {
  /// The first byte covered.
  public var lowerBound: Int
  /// One past the last byte covered.
  public var upperBound: Int

  /// Creates a range; `upperBound` is raised to `lowerBound` if it is smaller.
  public init(_ lowerBound: Int, _ upperBound: Int) {
    self.lowerBound = lowerBound
    self.upperBound = max(lowerBound, upperBound)
  }

  /// An empty range at `offset`, used for "missing" syntax.
  public static func at(_ offset: Int) -> SourceRange { SourceRange(offset, offset) }

  /// The number of bytes covered.
  public var length: Int { upperBound - lowerBound }

  /// The smallest range covering both `self` and `other`.
  public func union(_ other: SourceRange) -> SourceRange {
    SourceRange(min(lowerBound, other.lowerBound), max(upperBound, other.upperBound))
  }

  public var description: String { "\(lowerBound)..<\(upperBound)" }
}
