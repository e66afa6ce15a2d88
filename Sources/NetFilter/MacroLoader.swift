import Foundation
import Yams

/// Reads one YAML macro file into ``MacroLibrary/Macro`` values, reporting problems with ranges in
/// the file. Follows Fibratus's `macros.schema.json`: an array of `{macro, description?, expr | list}`
/// objects with no other keys.
struct MacroLoader {
  let source: SourceText
  let schema: Schema
  let document: YAMLDocument
  private var bytes: [UInt8] { document.bytes }
  private(set) var diagnostics: [Diagnostic] = []

  init(source: SourceText, schema: Schema) {
    self.source = source
    self.schema = schema
    document = YAMLDocument(source)
  }

  /// The macros of the file that are well formed; everything else is a diagnostic.
  mutating func load() -> [MacroLibrary.Macro] {
    guard bytes.count <= MacroLibrary.maxFileSize else {
      report(.fileTooLarge(bytes.count, limit: MacroLibrary.maxFileSize), .at(0))
      return []
    }
    let root: Node?
    do {
      root = try Yams.compose(yaml: document.yaml)
    } catch let error as YamlError {
      reportYAML(error)
      return []
    } catch {
      report(.invalidYAML(String(describing: error)), .at(0))
      return []
    }
    guard let root else { return [] }  // an empty file defines nothing
    guard case .sequence(let entries) = root else {
      if case .scalar = root, YAMLDocument.tag(root) == .null { return [] }
      report(.notAList(found: document.describe(root)), document.range(of: root))
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
      report(.notAMapping(found: document.describe(entry)), document.range(of: entry))
      return nil
    }
    var values: [String: (key: Node, value: Node)] = [:]
    var valid = true
    for (key, value) in mapping {
      guard case .scalar(let scalar) = key, Self.keys.contains(scalar.string) else {
        report(.unknownKey(key.scalar?.string ?? document.describe(key)), document.range(of: key))
        valid = false
        continue
      }
      values[scalar.string] = (key, value)
    }
    guard let (nameKey, nameNode) = values["macro"] else {
      report(.missingName, document.range(of: entry))
      return nil
    }
    guard case .scalar(let nameScalar) = nameNode, YAMLDocument.tag(nameNode) != .null else {
      report(
        .invalidValue(key: "macro", expected: "a name", found: document.describe(nameNode)),
        document.valueRange(nameNode, after: nameKey)
      )
      return nil
    }
    let name = nameScalar.string
    let nameRange = document.range(of: nameNode)
    guard checkName(name, at: nameRange) else { return nil }

    var description: String?
    if let (key, node) = values["description"] {
      if case .scalar(let scalar) = node, YAMLDocument.tag(node) != .null {
        description = scalar.string
      } else {
        report(
          .invalidValue(key: "description", expected: "a string", found: document.describe(node)),
          document.valueRange(node, after: key)
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
      report(.bothBodies(macro: name), document.range(of: list.key))
      return nil
    case (.some(let expr), nil):
      bodyRange = document.valueRange(expr.value, after: expr.key)
      guard let parsed = expression(name, expr.value, range: bodyRange) else { return nil }
      body = parsed
    case (nil, .some(let list)):
      bodyRange = document.valueRange(list.value, after: list.key)
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
    guard case .scalar(let scalar) = node, YAMLDocument.tag(node) != .null else {
      report(.invalidValue(key: "expr", expected: "a string", found: document.describe(node)), range)
      return nil
    }
    let text = scalar.string
    guard text.count >= 5 else {
      report(.exprTooShort(macro: name), range)
      return nil
    }
    let offsets = document.scalarOffsets(scalar)
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
      report(.invalidValue(key: "list", expected: "a list", found: document.describe(node)), range)
      return nil
    }
    guard !sequence.isEmpty else {
      report(.emptyList(macro: name), range)
      return nil
    }
    let limit = Limits.default.maxListItems
    guard sequence.count <= limit else {
      report(.listTooLong(macro: name, count: sequence.count, limit: limit), document.range(of: sequence[limit]))
      return nil
    }
    var items: [Expr] = []
    var valid = true
    for item in sequence {
      let itemRange = document.range(of: item)
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
      report(.invalidListItem(macro: name, found: document.describe(node)), range)
      return nil
    }
    switch YAMLDocument.tag(node) {
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
        .invalidListItem(macro: name, found: document.describe(node)),
        range,
        notes: scalar.string.isEmpty ? [] : [Note("quote it to make it a string: '\(scalar.string)'")]
      )
      return nil
    default:
      return .string(StringLiteral(scalar.string))
    }
  }

  // MARK: Reporting

  private mutating func report(_ message: MacroMessage, _ range: SourceRange, notes: [Note] = []) {
    diagnostics.append(message.diagnostic(at: range, notes: notes))
  }

  private mutating func reportYAML(_ error: YamlError) {
    switch document.problem(error) {
    case .invalid(let problem, let range, let notes): report(.invalidYAML(problem), range, notes: notes)
    case .duplicateKeys(let keys, let range): report(.duplicateKey(keys), range)
    }
  }
}
