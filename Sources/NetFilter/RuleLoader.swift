import Foundation
import Yams

/// Reads one YAML rule file: a mapping with Fibratus's rule keys, or a list of such mappings
/// (Falco's habit). Conditions are compiled against an ``Environment`` (its macros included);
/// every problem is a ``Diagnostic`` whose range points into the file.
struct RuleLoader {
  let document: YAMLDocument
  let environment: Environment
  private(set) var diagnostics: [Diagnostic] = []

  init(source: SourceText, environment: Environment) {
    document = YAMLDocument(source)
    self.environment = environment
  }

  /// Required keys, then optional ones, as Fibratus's rule schema has them.
  static let required = ["name", "id", "version", "condition", "min-engine-version"]
  static let optional = [
    "description", "output", "severity", "enabled", "labels", "tags", "references", "authors", "notes", "action",
  ]
  /// The version of Fibratus's rule language netfilter implements (see the README).
  static let engineVersion = "3.1.0"

  /// The well-formed rules of the file; everything else is a diagnostic.
  mutating func load() -> [RuleLibrary.Entry] {
    guard document.bytes.count <= RuleLibrary.maxFileSize else {
      report(.fileTooLarge(document.bytes.count, limit: RuleLibrary.maxFileSize), .at(0))
      return []
    }
    let root: Node?
    do { root = try Yams.compose(yaml: document.yaml) } catch let error as YamlError {
      switch document.problem(error) {
      case .invalid(let problem, let range, let notes): report(.invalidYAML(problem), range, notes: notes)
      case .duplicateKeys(let keys, let range): report(.duplicateKey(keys), range)
      }
      return []
    } catch {
      report(.invalidYAML(String(describing: error)), .at(0))
      return []
    }
    switch root {
    case nil: return []
    case .mapping?: return rule(root!).map { [$0] } ?? []
    case .sequence(let items)?: return items.compactMap { rule($0) }
    case let node?:
      if YAMLDocument.tag(node) == .null { return [] }
      report(.notARule(found: document.describe(node)), document.range(of: node))
      return []
    }
  }

  // MARK: One rule

  private mutating func rule(_ node: Node) -> RuleLibrary.Entry? {
    guard case .mapping(let mapping) = node else {
      report(.notARule(found: document.describe(node)), document.range(of: node))
      return nil
    }
    var values: [String: (key: Node, value: Node)] = [:]
    var valid = true
    for (key, value) in mapping {
      let name = key.scalar?.string ?? document.describe(key)
      guard Self.required.contains(name) || Self.optional.contains(name) else {
        let suggestion = closestWord(to: name, in: Self.required + Self.optional)
        report(
          .unknownKey(name),
          document.range(of: key),
          notes: suggestion.map { [Note("did you mean '\($0)'?")] } ?? []
        )
        valid = false
        continue
      }
      values[name] = (key, value)
    }
    let name = values["name"].flatMap { string("name", $0) }
    for key in Self.required where values[key] == nil {
      report(.missingKey(key, rule: name), document.range(of: node))
      valid = false
    }
    guard valid, let name, let id = values["id"].flatMap({ string("id", $0) }),
      let version = values["version"].flatMap({ self.version("version", $0) }),
      let engine = values["min-engine-version"].flatMap({ self.version("min-engine-version", $0) }),
      let (condition, kinds) = values["condition"].flatMap({ self.condition(name, $0) })
    else { return nil }
    if Self.compare(engine, Self.engineVersion) > 0, let entry = values["min-engine-version"] {
      report(.engineTooNew(rule: name, needs: engine, current: Self.engineVersion), document.range(of: entry.value))
      return nil
    }
    var rule = Rule(id: id, name: name, condition: condition, version: version)
    guard metadata(&rule, values) else { return nil }
    if let action = values["action"] { report(.actionIgnored(rule: name), document.range(of: action.key)) }
    if kinds.isEmpty, let entry = values["condition"] {
      report(.noEventKind(rule: name), document.valueRange(entry.value, after: entry.key))
    }
    return RuleLibrary.Entry(
      rule: rule,
      file: document.source.name,
      idRange: document.range(of: values["id"]!.value),
      nameRange: document.range(of: values["name"]!.value),
      eventKinds: kinds
    )
  }

  /// The optional keys: severity, output, description, enabled, labels, tags and the lists
  /// netfilter keeps only for validation (references, authors, notes).
  private mutating func metadata(_ rule: inout Rule, _ values: [String: (key: Node, value: Node)]) -> Bool {
    var valid = true
    if let entry = values["severity"], let text = string("severity", entry) {
      if let severity = Rule.Severity(rawValue: text.lowercased()) {
        rule.severity = severity
      } else {
        report(.invalidSeverity(text), document.range(of: entry.value))
        valid = false
      }
    }
    if let entry = values["output"], let text = string("output", entry) {
      rule.output = output(rule, text, entry.value)
      valid = valid && rule.output != nil
    }
    if let entry = values["description"] {
      rule.description = string("description", entry)
      valid = valid && rule.description != nil
    }
    if let entry = values["enabled"] {
      if case .scalar = entry.value, let flag = entry.value.bool {
        rule.enabled = flag
      } else {
        report(
          .invalidValue(key: "enabled", expected: "true or false", found: document.describe(entry.value)),
          document.valueRange(entry.value, after: entry.key)
        )
        valid = false
      }
    }
    if let entry = values["tags"] { rule.tags = strings("tags", entry) ?? [] }
    for key in ["references", "authors"] { if let entry = values[key] { _ = strings(key, entry) } }
    if let entry = values["notes"] { _ = string("notes", entry) }
    if let entry = values["labels"] {
      guard case .mapping(let labels) = entry.value else {
        report(
          .invalidValue(
            key: "labels",
            expected: "a mapping of names to strings",
            found: document.describe(entry.value)
          ),
          document.valueRange(entry.value, after: entry.key)
        )
        return false
      }
      for (key, value) in labels {
        guard let name = key.scalar?.string, case .scalar(let scalar) = value else {
          report(
            .invalidValue(key: "labels", expected: "a mapping of names to strings", found: document.describe(value)),
            document.range(of: value)
          )
          valid = false
          continue
        }
        rule.labels[name] = scalar.string
      }
    }
    return valid
  }

  // MARK: Values

  private mutating func string(_ key: String, _ entry: (key: Node, value: Node)) -> String? {
    guard case .scalar(let scalar) = entry.value, YAMLDocument.tag(entry.value) != .null, !scalar.string.isEmpty else {
      report(
        .invalidValue(key: key, expected: "a string", found: document.describe(entry.value)),
        document.valueRange(entry.value, after: entry.key)
      )
      return nil
    }
    return scalar.string
  }

  private mutating func strings(_ key: String, _ entry: (key: Node, value: Node)) -> [String]? {
    guard case .sequence(let items) = entry.value else {
      report(
        .invalidValue(key: key, expected: "a list of strings", found: document.describe(entry.value)),
        document.valueRange(entry.value, after: entry.key)
      )
      return nil
    }
    var result: [String] = []
    for item in items {
      guard case .scalar(let scalar) = item else {
        report(
          .invalidValue(key: key, expected: "a list of strings", found: document.describe(item)),
          document.range(of: item)
        )
        return nil
      }
      result.append(scalar.string)
    }
    return result
  }

  /// A `MAJOR.MINOR.PATCH` version.
  private mutating func version(_ key: String, _ entry: (key: Node, value: Node)) -> String? {
    guard let text = string(key, entry) else { return nil }
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && UInt32($0) != nil }) else {
      report(.invalidVersion(key: key, text), document.range(of: entry.value))
      return nil
    }
    return text
  }

  /// Compares two versions part by part.
  static func compare(_ a: String, _ b: String) -> Int {
    let (x, y) = (a.split(separator: ".").compactMap { UInt32($0) }, b.split(separator: ".").compactMap { UInt32($0) })
    for (p, q) in zip(x, y) where p != q { return p < q ? -1 : 1 }
    return 0
  }

  // MARK: Condition and output

  /// The condition compiled with the environment's macros, and the event kinds it names;
  /// its diagnostics are moved into the file.
  private mutating func condition(_ rule: String, _ entry: (key: Node, value: Node))
    -> (CheckedFilter, [String])?
  {
    guard let text = string("condition", entry), case .scalar(let scalar) = entry.value else { return nil }
    let range = document.valueRange(entry.value, after: entry.key)
    let offsets = document.scalarOffsets(scalar)
    let outcome = environment.check(text, name: document.source.name)
    let map = { (inner: SourceRange) -> SourceRange in
      guard let offsets, !offsets.isEmpty else { return SourceRange.at(range.lowerBound) }
      let clamp = { (offset: Int) in offsets[max(0, min(offset, offsets.count - 1))] }
      return SourceRange(clamp(inner.lowerBound), clamp(inner.upperBound))
    }
    for diagnostic in outcome.diagnostics {
      var moved = diagnostic
      moved.range = map(diagnostic.range)
      moved.notes = diagnostic.notes.map { Note($0.message, at: $0.range.map(map)) } + [Note("in rule '\(rule)'")]
      moved.fixIts = diagnostic.fixIts.map { FixIt($0.message, replacing: map($0.range), with: $0.replacement) }
      diagnostics.append(moved)
    }
    guard outcome.isValid, let checked = outcome.checked else { return nil }
    return (checked, RuleLibrary.eventKinds(of: checked))
  }

  private mutating func output(_ rule: Rule, _ text: String, _ node: Node) -> OutputTemplate? {
    let steps = rule.sequence?.steps.count ?? 1
    do { return try OutputTemplate(text, schema: environment.schema, steps: steps) } catch {
      var range = document.range(of: node)
      if case .scalar(let scalar) = node, let offsets = document.scalarOffsets(scalar), !offsets.isEmpty {
        let clamp = { (offset: Int) in offsets[max(0, min(offset, offsets.count - 1))] }
        range = SourceRange(clamp(error.range.lowerBound), clamp(error.range.upperBound))
      }
      report(.invalidOutput(rule: rule.name, message: error.message), range)
      return nil
    }
  }

  private mutating func report(_ message: RuleMessage, _ range: SourceRange, notes: [Note] = []) {
    diagnostics.append(message.diagnostic(at: range, notes: notes))
  }
}
