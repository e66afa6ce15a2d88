import Foundation
import Yams

/// Reads one YAML macro file into ``MacroLibrary/Macro`` values, reporting problems with ranges in
/// the file. Follows Fibratus's `macros.schema.json`: an array of `{macro, description?, expr | list}`
/// objects with no other keys.
struct MacroLoader {
  let source: SourceText
  let schema: Schema
  private let bytes: [UInt8]
  /// The last mark turned into an offset.
  private let cursor = MarkCursor()
  private(set) var diagnostics: [Diagnostic] = []

  init(source: SourceText, schema: Schema) {
    self.source = source
    self.schema = schema
    self.bytes = Array(source.text.utf8)
  }

  /// The macros of the file that are well formed; everything else is a diagnostic.
  mutating func load() -> [MacroLibrary.Macro] {
    guard bytes.count <= MacroLibrary.maxFileSize else {
      report(.fileTooLarge(bytes.count, limit: MacroLibrary.maxFileSize), .at(0))
      return []
    }
    let root: Node?
    do {
      root = try Yams.compose(yaml: source.text)
    } catch let error as YamlError {
      reportYAML(error)
      return []
    } catch {
      report(.invalidYAML(String(describing: error)), .at(0))
      return []
    }
    guard let root else { return [] }  // an empty file defines nothing
    guard case .sequence(let entries) = root else {
      if case .scalar = root, Self.tag(root) == .null { return [] }
      report(.notAList(found: describe(root)), range(of: root))
      return []
    }
    var macros: [MacroLibrary.Macro] = []
    var seen: [String: SourceRange] = [:]
    for entry in entries {
      guard let macro = self.macro(entry) else { continue }
      if seen[macro.name] != nil {
        let first = source.lineColumn(of: seen[macro.name]!.lowerBound)
        report(.duplicateMacro(macro.name, firstDefinedAt: "\(source.name):\(first)"), macro.nameRange)
        continue
      }
      seen[macro.name] = macro.nameRange
      macros.append(macro)
    }
    return macros
  }

  // MARK: Entries

  private static let keys: Set<String> = ["macro", "description", "expr", "list"]

  private mutating func macro(_ entry: Node) -> MacroLibrary.Macro? {
    guard case .mapping(let mapping) = entry else {
      report(.notAMapping(found: describe(entry)), range(of: entry))
      return nil
    }
    var values: [String: (key: Node, value: Node)] = [:]
    var valid = true
    for (key, value) in mapping {
      guard case .scalar(let scalar) = key, Self.keys.contains(scalar.string) else {
        report(.unknownKey(key.scalar?.string ?? describe(key)), range(of: key))
        valid = false
        continue
      }
      values[scalar.string] = (key, value)
    }
    guard let (nameKey, nameNode) = values["macro"] else {
      report(.missingName, range(of: entry))
      return nil
    }
    guard case .scalar(let nameScalar) = nameNode, Self.tag(nameNode) != .null else {
      report(
        .invalidValue(key: "macro", expected: "a name", found: describe(nameNode)),
        valueRange(nameNode, after: nameKey)
      )
      return nil
    }
    let name = nameScalar.string
    let nameRange = range(of: nameNode)
    guard checkName(name, at: nameRange) else { return nil }

    var description: String?
    if let (key, node) = values["description"] {
      if case .scalar(let scalar) = node, Self.tag(node) != .null {
        description = scalar.string
      } else {
        report(
          .invalidValue(key: "description", expected: "a string", found: describe(node)),
          valueRange(node, after: key)
        )
        valid = false
      }
    }

    let body: (MacroLibrary.Macro.Body, SourceText?, [Int]?)
    let bodyRange: SourceRange
    switch (values["expr"], values["list"]) {
    case (nil, nil):
      report(.missingBody(macro: name), nameRange)
      return nil
    case (.some, .some(let list)):
      report(.bothBodies(macro: name), range(of: list.key))
      return nil
    case (.some(let expr), nil):
      bodyRange = valueRange(expr.value, after: expr.key)
      guard let parsed = expression(name, expr.value, range: bodyRange) else { return nil }
      body = parsed
    case (nil, .some(let list)):
      bodyRange = valueRange(list.value, after: list.key)
      guard let items = self.list(name, list.value, range: bodyRange) else { return nil }
      body = (.list(items), nil, nil)
    }
    guard valid else { return nil }
    return MacroLibrary.Macro(
      name: name,
      description: description,
      body: body.0,
      expressionSource: body.1,
      file: source.name,
      nameRange: nameRange,
      bodyRange: bodyRange,
      bodyOffsets: body.2
    )
  }

  /// Checks the name's pattern and that it does not shadow, or hide behind, another name.
  private mutating func checkName(_ name: String, at range: SourceRange) -> Bool {
    let allowed =
      !name.isEmpty
      && name.utf8.allSatisfy { byte in
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
          || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
          || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
          || byte == UInt8(ascii: "-")
      }
    guard allowed else {
      report(.invalidName(name), range)
      return false
    }
    let collision: String? =
      if Keyword(rawValue: name.lowercased()) != nil {
        "a keyword"
      } else if FunctionDescriptor.Name(rawValue: name) != nil {
        "a function"
      } else if schema.field(named: name) != nil || schema.structures[name] != nil {
        "a field"
      } else if schema.eventNames.contains(name) {
        "an event name"
      } else {
        nil
      }
    if let collision {
      report(.nameCollision(name, with: collision), range)
      return false
    }
    // A name the lexer does not read as one identifier (`1x`, `a-b`) loads, as in Fibratus, but no
    // filter can use it.
    let parsed = Parser.parseExpression(SourceText(name), limits: .default)
    if parsed.syntax != .expression(Expr(.field(FieldReference(name: name)), range: SourceRange(0, name.utf8.count)))
      || !parsed.diagnostics.isEmpty
    {
      report(.unusableName(name), range)
    }
    return true
  }

  private mutating func expression(_ name: String, _ node: Node, range: SourceRange)
    -> (MacroLibrary.Macro.Body, SourceText?, [Int]?)?
  {
    guard case .scalar(let scalar) = node, Self.tag(node) != .null else {
      report(.invalidValue(key: "expr", expected: "a string", found: describe(node)), range)
      return nil
    }
    let text = scalar.string
    guard text.count >= 5 else {
      report(.exprTooShort(macro: name), range)
      return nil
    }
    let offsets = scalarOffsets(scalar)
    let macroSource = SourceText(text, name: "macro '\(name)'")
    let parsed = Parser.parseExpression(macroSource)
    let errors = parsed.diagnostics.filter { $0.severity == .error }
    guard !errors.isEmpty else {
      guard case .expression(let expr)? = parsed.syntax else { return nil }
      return (.expression(expr), macroSource, offsets)
    }
    let map = { (inner: SourceRange) -> SourceRange in
      guard let offsets, !offsets.isEmpty else { return SourceRange.at(range.lowerBound) }
      let clamp = { (offset: Int) in offsets[max(0, min(offset, offsets.count - 1))] }
      return SourceRange(clamp(inner.lowerBound), clamp(inner.upperBound))
    }
    for error in errors {
      let notes = error.notes.map { note in Note(note.message, at: note.range.map(map)) }
      report(.syntaxError(macro: name, message: error.message), map(error.range), notes: notes)
    }
    return nil
  }

  private mutating func list(_ name: String, _ node: Node, range: SourceRange) -> Expr? {
    guard case .sequence(let sequence) = node else {
      report(.invalidValue(key: "list", expected: "a list", found: describe(node)), range)
      return nil
    }
    guard !sequence.isEmpty else {
      report(.emptyList(macro: name), range)
      return nil
    }
    let limit = Limits.default.maxListItems
    guard sequence.count <= limit else {
      report(.listTooLong(macro: name, count: sequence.count, limit: limit), self.range(of: sequence[limit]))
      return nil
    }
    var items: [Expr] = []
    var valid = true
    for item in sequence {
      let itemRange = self.range(of: item)
      guard let literal = listItem(name, item, range: itemRange) else {
        valid = false
        continue
      }
      items.append(Expr(.literal(literal), range: itemRange))
    }
    return valid ? Expr(.list(items), range: range) : nil
  }

  /// A YAML number is an integer (or decimal) literal; every other scalar is a string literal, which
  /// the checker turns into an address, CIDR or pattern by the field and operator it meets.
  private mutating func listItem(_ name: String, _ node: Node, range: SourceRange) -> Literal? {
    guard case .scalar(let scalar) = node else {
      report(.invalidListItem(macro: name, found: describe(node)), range)
      return nil
    }
    switch Self.tag(node) {
    case .int:
      if let value = node.int, value >= 0 { return .integer(UInt64(value)) }
      if let value = UInt64(scalar.string) { return .integer(value) }
      report(
        .invalidListItem(macro: name, found: "the number \(scalar.string)"),
        range,
        notes: [Note("numbers in lists are non-negative integers that fit in 64 bits")]
      )
      return nil
    case .float:
      if let value = node.float, value.isFinite, value >= 0 { return .decimal(value) }
      report(.invalidListItem(macro: name, found: "the number \(scalar.string)"), range)
      return nil
    case .bool, .null:
      report(
        .invalidListItem(macro: name, found: describe(node)),
        range,
        notes: scalar.string.isEmpty ? [] : [Note("quote it to make it a string: '\(scalar.string)'")]
      )
      return nil
    default:
      return .string(StringLiteral(scalar.string))
    }
  }

  // MARK: Positions

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
  private func valueRange(_ value: Node, after key: Node) -> SourceRange {
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

  // MARK: Reporting

  private mutating func report(_ message: MacroMessage, _ range: SourceRange, notes: [Note] = []) {
    diagnostics.append(message.diagnostic(at: range, notes: notes))
  }

  private mutating func reportYAML(_ error: YamlError) {
    switch error {
    case .scanner(let context, let problem, let mark, _),
      .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      let at = offset(of: mark)
      var notes: [Note] = []
      if let context {
        notes.append(Note(context.text, at: SourceRange.at(offset(of: context.mark))))
      }
      report(.invalidYAML(problem), SourceRange(at, min(bytes.count, at + 1)), notes: notes)
    case .reader(let problem, let characterOffset, _, _):
      var at = 0
      if let characterOffset,
        let index = source.text.index(
          source.text.startIndex,
          offsetBy: characterOffset,
          limitedBy: source.text.endIndex
        )
      {
        at = source.text.utf8.distance(from: source.text.startIndex, to: index)
      }
      report(.invalidYAML(problem), SourceRange(at, min(bytes.count, at + 1)))
    case .duplicatedKeysInMapping(let duplicates, let context):
      let at = offset(of: context.mark)
      report(.duplicateKey(duplicates.sorted().joined(separator: "', '")), SourceRange(at, endOfLine(at)))
    default:
      report(.invalidYAML(String(describing: error)), .at(0))
    }
  }

  /// The resolved tag of a node (`int`, `str`, `null`, …).
  static func tag(_ node: Node) -> Tag.Name { Tag.Name(rawValue: node.tag.description) }

  /// A phrase for messages: "a list", "a mapping", "null", "boolean 'yes'".
  private func describe(_ node: Node) -> String {
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

/// Where ``MacroLoader/offset(of:)`` stopped last: a 1-based line, a 0-based column and its offset.
private final class MarkCursor {
  var last: (line: Int, column: Int, offset: Int)?
}
