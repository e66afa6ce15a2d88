import Foundation
import Yams

/// A YAML file's text and libyaml's marks turned into UTF-8 ranges of it, so that problems in
/// macro and rule files are reported at `file:line:column` with a caret, as filter errors are.
struct YAMLDocument {
  let source: SourceText
  let bytes: [UInt8]
  /// The last mark turned into an offset.
  private let cursor = MarkCursor()

  init(_ source: SourceText) {
    self.source = source
    bytes = Array(source.text.utf8)
  }

  /// The text libyaml reads: without a byte order mark at the start, which Yams would otherwise
  /// pass on as a character of line 1 (shifting its columns and breaking its indentation). Marks
  /// on line 1 then count from after the mark, as ``SourceText/lineStarts`` does.
  var yaml: String {
    source.lineStarts[0] == 0 ? source.text : String(source.text.unicodeScalars.dropFirst())
  }

  /// The text of the macro or rule file at `path`, or `nil` if it cannot be read. When it is not
  /// UTF-8, the first bad byte comes with it, and the text shows bad bytes as U+FFFD (offsets up
  /// to the first are the file's) only to render that problem against.
  static func readFile(_ path: String) -> (SourceText, InvalidUTF8?)? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return (SourceText(String(decoding: data, as: UTF8.self), name: path), InvalidUTF8.first(in: data))
  }

  /// Where an ``InvalidUTF8`` problem is in the text ``readFile(_:)`` made: its U+FFFD.
  static func range(of problem: InvalidUTF8) -> SourceRange {
    SourceRange(problem.offset, problem.offset + 3)
  }

  /// What was wrong with a file libyaml could not read.
  enum Problem {
    case invalid(String, SourceRange, notes: [Note])
    case duplicateKeys(String, SourceRange)
  }

  /// The UTF-8 offset of a libyaml mark (1-based line, column in Unicode scalars). Marks come in
  /// file order, so the walk along a line resumes from the previous mark when it is on the same
  /// line: the items of a one-line flow list cost one pass over the line, not one each.
  func offset(of mark: Mark) -> Int {
    guard mark.line >= 1 else { return 0 }
    guard mark.line <= source.lineStarts.count else { return bytes.count }
    var end = mark.line < source.lineStarts.count ? source.lineStarts[mark.line] - 1 : bytes.count
    if end > source.lineStarts[mark.line - 1], bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    let target = max(0, mark.column - 1)
    var (column, position) = (0, source.lineStarts[mark.line - 1])
    if let last = cursor.last, last.line == mark.line, last.column <= target {
      (column, position) = (last.column, last.offset)
    }
    while column < target, position < end {
      position += 1
      while position < end, bytes[position] & 0xC0 == 0x80 { position += 1 }
      column += 1
    }
    cursor.last = (mark.line, column, position)
    return position
  }

  /// The end of the line holding `offset` (before the newline).
  private func endOfLine(_ offset: Int) -> Int {
    var end = offset
    while end < bytes.count, bytes[end] != UInt8(ascii: "\n"), bytes[end] != UInt8(ascii: "\r") { end += 1 }
    return end
  }

  /// Where a node is: a scalar's text, quotes included, or the rest of a collection's first line.
  func range(of node: Node) -> SourceRange {
    guard let mark = node.mark else { return .at(0) }
    let start = offset(of: mark)
    guard case .scalar(let scalar) = node else { return SourceRange(start, max(start + 1, endOfLine(start))) }
    if let offsets = scalarOffsets(scalar), let last = offsets.last {
      let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
      return SourceRange(start, last + (quoted ? 1 : 0))
    }
    return SourceRange(start, max(start + 1, endOfLine(start)))
  }

  /// The range of a value, or of its key when the value is empty (`expr:` with nothing after it).
  func valueRange(_ value: Node, after key: Node) -> SourceRange {
    if case .scalar(let scalar) = value, scalar.string.isEmpty, scalar.style == .plain { return range(of: key) }
    return range(of: value)
  }

  /// The file offset of every UTF-8 byte of a scalar's value, plus one past its end, when the value
  /// can be matched against the file: no escapes, with line folds (a break and the next line's
  /// indentation) standing for one space or newline. `nil` otherwise.
  func scalarOffsets(_ scalar: Node.Scalar) -> [Int]? {
    guard let mark = scalar.mark else { return nil }
    let value = Array(scalar.string.utf8)
    let start = offset(of: mark)
    var position: Int
    switch scalar.style {
    case .singleQuoted, .doubleQuoted:
      position = start + 1
    case .literal, .folded:
      position = endOfLine(start)
      position = skipLineBreak(position) ?? bytes.count
      while position < bytes.count, bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t") {
        position += 1
      }
    default:
      position = start
    }
    var offsets: [Int] = []
    offsets.reserveCapacity(value.count + 1)
    for byte in value {
      if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n"), let next = skipLineBreak(position) {
        offsets.append(position)
        position = next
        while position < bytes.count, bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t") {
          position += 1
        }
        continue
      }
      guard position < bytes.count, bytes[position] == byte else { return nil }
      offsets.append(position)
      position += 1
    }
    offsets.append(position)
    return offsets
  }

  /// The offset after a line break at `offset`, or `nil` if there is none there.
  private func skipLineBreak(_ offset: Int) -> Int? {
    var position = offset
    if position < bytes.count, bytes[position] == UInt8(ascii: "\r") { position += 1 }
    guard position < bytes.count, bytes[position] == UInt8(ascii: "\n") else {
      return position > offset ? position : nil
    }
    return position + 1
  }

  /// Where and what a libyaml error is.
  func problem(_ error: YamlError) -> Problem {
    switch error {
    case .scanner(let context, let problem, let mark, _),
      .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      let at = offset(of: mark)
      var notes: [Note] = []
      if let context {
        notes.append(Note(context.text, at: SourceRange.at(offset(of: context.mark))))
      }
      return .invalid(problem, SourceRange(at, min(bytes.count, at + 1)), notes: notes)
    case .reader(let problem, let characterOffset, _, _):
      // libyaml counts Unicode scalars of the text it read (after any byte order mark).
      let scalars = source.text.unicodeScalars
      let start = scalars.index(scalars.startIndex, offsetBy: source.lineStarts[0] == 0 ? 0 : 1)
      var at = source.lineStarts[0]
      if let characterOffset, let index = scalars.index(start, offsetBy: characterOffset, limitedBy: scalars.endIndex) {
        at = source.text.utf8.distance(from: source.text.startIndex, to: index)
      }
      return .invalid(problem, SourceRange(at, min(bytes.count, at + 1)), notes: [])
    case .duplicatedKeysInMapping(let duplicates, let context):
      let at = offset(of: context.mark)
      return .duplicateKeys(duplicates.sorted().joined(separator: "', '"), SourceRange(at, endOfLine(at)))
    default:
      return .invalid(String(describing: error), .at(0), notes: [])
    }
  }

  /// The tag of a node (`int`, `str`, `null`, …): see ``YAMLTags``.
  static func tag(_ node: Node) -> Tag.Name { YAMLTags.tag(of: node) }

  /// The file's root node, composed without resolving the types of its scalars (see ``YAMLTags``).
  func compose() throws -> Node? { try Yams.compose(yaml: yaml, YAMLTags.resolver) }

  /// A phrase for messages: "a list", "a mapping", "null", "boolean 'yes'".
  func describe(_ node: Node) -> String {
    switch node {
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    case .scalar(let scalar):
      switch Self.tag(node) {
      case .null: return "null"
      case .bool: return "the boolean '\(scalar.string)'"
      case .int, .float: return "the number \(scalar.string)"
      default: return "the string '\(scalar.string)'"
      }
    }
  }
}

/// Where ``YAMLDocument/offset(of:)`` stopped last: a 1-based line, a 0-based column and its offset.
final class MarkCursor {
  var last: (line: Int, column: Int, offset: Int)?
}
