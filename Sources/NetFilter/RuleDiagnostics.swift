/// The catalog of rule-file diagnostics (domain `rules`). Keep the cases sorted alphabetically;
/// each case's name is its stable ID. Problems in a rule's condition keep the filter language's
/// own IDs (`sema.unknownField`, …), with ranges in the rule file.
public enum RuleMessage: Sendable, Hashable {
  case actionIgnored(rule: String)
  case duplicateID(String, firstDefinedAt: String)
  case duplicateKey(String)
  case duplicateName(String, firstDefinedAt: String)
  case engineTooNew(rule: String, needs: String, current: String)
  case fileTooLarge(Int, limit: Int)
  case invalidOutput(rule: String, message: String)
  case invalidSeverity(String)
  case invalidValue(key: String, expected: String, found: String)
  case invalidVersion(key: String, String)
  case invalidYAML(String)
  case missingKey(String, rule: String?)
  case noEventKind(rule: String)
  case notARule(found: String)
  case tooManyRules(Int, limit: Int)
  case unknownKey(String)
  case unreadableFile(String)

  /// The stable ID: `rules.<case name>`.
  /// (A switch, not the case's printed name: a rule set of 1,000 rules may warn 1,000 times.)
  public var id: DiagnosticID {
    let name =
      switch self {
      case .actionIgnored: "actionIgnored"
      case .duplicateID: "duplicateID"
      case .duplicateKey: "duplicateKey"
      case .duplicateName: "duplicateName"
      case .engineTooNew: "engineTooNew"
      case .fileTooLarge: "fileTooLarge"
      case .invalidOutput: "invalidOutput"
      case .invalidSeverity: "invalidSeverity"
      case .invalidValue: "invalidValue"
      case .invalidVersion: "invalidVersion"
      case .invalidYAML: "invalidYAML"
      case .missingKey: "missingKey"
      case .noEventKind: "noEventKind"
      case .notARule: "notARule"
      case .tooManyRules: "tooManyRules"
      case .unknownKey: "unknownKey"
      case .unreadableFile: "unreadableFile"
      }
    return DiagnosticID(domain: "rules", name: name)
  }

  /// Warnings do not stop loading.
  public var severity: Severity {
    switch self {
    case .actionIgnored, .noEventKind: .warning
    default: .error
    }
  }

  /// The message text.
  public var message: String {
    switch self {
    case .actionIgnored(let rule):
      "rule '\(echo(rule))' has an 'action'; actions (kill, isolate) do nothing on Linux and are ignored"
    case .duplicateID(let id, let first): "rule id '\(echo(id))' is already used at \(echo(first, limit: 200))"
    case .duplicateKey(let key): "key '\(echo(key))' appears twice in one rule"
    case .duplicateName(let name, let first): "rule name '\(echo(name))' is already used at \(echo(first, limit: 200))"
    case .engineTooNew(let rule, let needs, let current):
      "rule \"\(echo(rule))\" needs engine version [\(echo(needs))] but current version is [\(current)]"
    case .fileTooLarge(let size, let limit): "rule file is \(size) bytes; the limit is \(limit)"
    case .invalidOutput(let rule, let message): "in the output of rule '\(echo(rule))': \(echo(message, limit: 200))"
    case .invalidSeverity(let found):
      "severity must be low, medium, high or critical, not \(echo(found, limit: 200))"
    case .invalidValue(let key, let expected, let found):
      "'\(echo(key))' must be \(expected), not \(echo(found, limit: 200))"
    case .invalidVersion(let key, let found):
      "'\(echo(key))' must be a version such as 1.0.0, not '\(echo(found, limit: 200))'"
    case .invalidYAML(let problem): "invalid YAML: \(echo(problem, limit: 200))"
    case .missingKey(let key, let rule):
      rule.map { "rule '\(echo($0))' has no '\(key)'" } ?? "a rule needs '\(key)'"
    case .noEventKind(let rule):
      "rule '\(echo(rule))' does not name an event kind (evt.name or an event such as net_packet_dns), so every event is tested against it"
    case .notARule(let found):
      "a rule file holds one rule (a mapping with 'name' and 'condition') or a list of them, not \(echo(found, limit: 200))"
    case .tooManyRules(let count, let limit): "\(count) rules are loaded; the limit is \(limit)"
    case .unknownKey(let key): "unknown key '\(echo(key))' in a rule"
    case .unreadableFile(let path): "cannot read rule file or directory '\(echo(path, limit: 4096))'"
    }
  }

  private func echo(_ text: String, limit: Int = MessageText.maxEchoedScalars) -> String {
    MessageText.echo(text, limit: limit)
  }

  /// A diagnostic with this message at `range`.
  public func diagnostic(at range: SourceRange, notes: [Note] = []) -> Diagnostic {
    Diagnostic(id: id, severity: severity, message: message, range: range, notes: notes)
  }
}
