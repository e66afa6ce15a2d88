import Foundation
import NetFilter

/// The macros of a session: files loaded with `--macros` or `:macros`, and those defined with
/// `:let`, kept as the YAML that `:save` writes and `check --macros` reads.
struct SessionMacros {
  /// Macro files, in load order.
  var files: [SourceText] = []
  /// `:let` definitions, in order; a later definition of a name replaces the earlier one.
  private(set) var definitions: [(name: String, body: String)] = []

  /// The name of the session's own macro text in diagnostics.
  static let sessionName = "<session macros>"

  /// Every macro name in scope.
  var names: [String] {
    let (library, _) = MacroLibrary.load(sources: sources)
    return library.names
  }

  /// The file texts and the session's YAML.
  var sources: [SourceText] {
    definitions.isEmpty ? files : files + [SourceText(yaml, name: Self.sessionName)]
  }

  /// The session's definitions as Fibratus macro YAML.
  var yaml: String {
    definitions.map { Self.entry(name: $0.name, body: $0.body) }.joined()
  }

  /// Adds or replaces a definition.
  mutating func define(_ name: String, _ body: String) {
    definitions.removeAll { $0.name == name }
    definitions.append((name, body))
  }

  /// Removes a definition (after it failed to load).
  mutating func remove(_ name: String) { definitions.removeAll { $0.name == name } }

  /// One YAML entry: `list:` for `(a, b)`, `expr:` otherwise.
  static func entry(name: String, body: String) -> String {
    if let items = listItems(body) {
      return "- macro: \(name)\n  list: [\(items.joined(separator: ", "))]\n"
    }
    return "- macro: \(name)\n  expr: \(yamlQuoted(body))\n"
  }

  /// The items of a `( … )` list body as YAML scalars, or `nil` if the body is not a literal list.
  static func listItems(_ body: String) -> [String]? {
    guard body.hasPrefix("("), body.hasSuffix(")") else { return nil }
    let source = SourceText(body)
    let parsed = Parser.parseExpression(source)
    guard !parsed.diagnostics.containsErrors, case .expression(let expr)? = parsed.syntax,
      case .list(let items) = expr.kind
    else { return nil }
    var result: [String] = []
    for item in items {
      guard case .literal(let literal) = item.kind else { return nil }
      switch literal {
      case .integer(let number): result.append(String(number))
      case .string(let string): result.append(yamlQuoted(string.value))
      default: result.append(yamlQuoted(Printer.print(literal)))
      }
    }
    return result
  }

  /// A YAML single-quoted scalar.
  static func yamlQuoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "''").replacingOccurrences(of: "\n", with: " ") + "'"
  }
}

/// The most frequent values of each field in a sample, computed once per field and sample.
final class ValueCache: @unchecked Sendable {
  private let lock = NSLock()
  private var table: [String: [(value: FieldValue, count: Int)]] = [:]

  /// Forgets every field (a new sample).
  func reset() { lock.withLock { table = [:] } }

  /// The values of `field` in `sample`, most frequent first (at most 200 distinct).
  func values(of field: FieldDescriptor, in sample: Sample) -> [(value: FieldValue, count: Int)] {
    if let known = lock.withLock({ table[field.name] }) { return known }
    let binding = FieldBinding(field)
    var counts: [FieldValue: Int] = [:]
    for event in sample.events {
      for value in Self.elements(of: event.lookup(binding)) where counts.count < 100_000 || counts[value] != nil {
        counts[value, default: 0] += 1
      }
    }
    let sorted = counts.sorted { $0.value != $1.value ? $0.value > $1.value : "\($0.key)" < "\($1.key)" }
    let top = sorted.prefix(200).map { (value: $0.key, count: $0.value) }
    lock.withLock { table[field.name] = top }
    return top
  }

  /// A value's elements: one for a scalar, each for a list, none when missing.
  static func elements(of value: FieldValue) -> [FieldValue] {
    switch value {
    case .missing: []
    case .strings(let items): items.map { .string($0) }
    case .ips(let items): items.map { .ip($0) }
    case .uints(let items): items.map { .uint($0) }
    default: [value]
    }
  }
}
