/// The catalog of macro-file diagnostics (domain `macros`). Keep the cases sorted alphabetically;
/// each case's name is its stable ID.
public enum MacroMessage: Sendable, Hashable {
  case bothBodies(macro: String)
  case duplicateKey(String)
  case duplicateMacro(String, firstDefinedAt: String)
  case emptyList(macro: String)
  case exprTooShort(macro: String)
  case fileTooLarge(Int, limit: Int)
  case invalidListItem(macro: String, found: String)
  case invalidName(String)
  case invalidValue(key: String, expected: String, found: String)
  case invalidYAML(String)
  case listTooLong(macro: String, count: Int, limit: Int)
  case missingBody(macro: String)
  case missingName
  case nameCollision(String, with: String)
  case notAList(found: String)
  case notAMapping(found: String)
  case syntaxError(macro: String, message: String)
  case unknownKey(String)
  case unreadableFile(String)
  case unusableName(String)

  /// The stable ID: `macros.<case name>`.
  public var id: DiagnosticID {
    let label = String(describing: self).prefix { $0 != "(" }
    return DiagnosticID(domain: "macros", name: String(label))
  }

  /// Warnings do not stop loading.
  public var severity: Severity {
    switch self {
    case .unusableName: .warning
    default: .error
    }
  }

  /// The message text.
  public var message: String {
    switch self {
    case .bothBodies(let macro): "macro '\(echo(macro))' has both 'expr' and 'list'; give exactly one"
    case .duplicateKey(let key): "key '\(echo(key))' appears twice in one macro"
    case .duplicateMacro(let name, let first): "macro '\(echo(name))' is already defined at \(echo(first, limit: 200))"
    case .emptyList(let macro): "list macro '\(echo(macro))' has no items"
    case .exprTooShort(let macro): "the 'expr' of macro '\(echo(macro))' is too short: it needs at least 5 characters"
    case .fileTooLarge(let size, let limit): "macro file is \(size) bytes; the limit is \(limit)"
    case .invalidListItem(let macro, let found):
      "items of list macro '\(echo(macro))' must be strings or numbers, not \(echo(found, limit: 200))"
    case .invalidName(let name): "invalid macro name '\(echo(name))': use letters, digits, '_' and '-'"
    case .invalidValue(let key, let expected, let found):
      "'\(echo(key))' must be \(expected), not \(echo(found, limit: 200))"
    case .invalidYAML(let problem): "invalid YAML: \(echo(problem, limit: 200))"
    case .listTooLong(let macro, let count, let limit):
      "list macro '\(echo(macro))' has \(count) items; the limit is \(limit)"
    case .missingBody(let macro): "macro '\(echo(macro))' needs an 'expr' or a 'list'"
    case .missingName: "every entry needs a 'macro' key with its name"
    case .nameCollision(let name, let what): "macro name '\(echo(name))' is already \(what)"
    case .notAList(let found): "a macro file must be a list of macros ('- macro: NAME'), not \(echo(found, limit: 200))"
    case .notAMapping(let found):
      "a macro must be a mapping with 'macro' and 'expr' or 'list' keys, not \(echo(found, limit: 200))"
    case .syntaxError(let macro, let message): "syntax error in macro '\(echo(macro))': \(echo(message, limit: 200))"
    case .unknownKey(let key): "unknown key '\(echo(key))'; a macro has 'macro', 'description', and 'expr' or 'list'"
    case .unreadableFile(let path): "cannot read macro file '\(echo(path, limit: 4096))'"
    case .unusableName(let name):
      "macro '\(echo(name))' cannot be named in a filter: a name there starts with a letter or '_' and has no '-'"
    }
  }

  /// Input text as the message quotes it: at most `limit` scalars, every character visible.
  private func echo(_ text: String, limit: Int = MessageText.maxEchoedScalars) -> String {
    MessageText.echo(text, limit: limit)
  }

  /// A diagnostic with this message at `range`.
  public func diagnostic(at range: SourceRange, notes: [Note] = []) -> Diagnostic {
    Diagnostic(id: id, severity: severity, message: message, range: range, notes: notes)
  }
}

/// The diagnostics of one macro file, with the file's text, so they can be rendered against it:
/// `formatter.render(group.diagnostics, in: group.source)`. Thrown when a file cannot be used at all.
public struct MacroDiagnostics: Error, Sendable {
  /// The YAML file (its path is `source.name`).
  public var source: SourceText
  /// What was found in it, in the order found.
  public var diagnostics: [Diagnostic]

  /// Creates a group.
  public init(source: SourceText, diagnostics: [Diagnostic]) {
    self.source = source
    self.diagnostics = diagnostics
  }
}

extension Array where Element == MacroDiagnostics {
  /// Whether any file has an error.
  public var containsErrors: Bool { contains { $0.diagnostics.containsErrors } }

  /// Every diagnostic rendered against its own file, files in order.
  public func render(with formatter: DiagnosticFormatter) -> String {
    filter { !$0.diagnostics.isEmpty }.map { formatter.render($0.diagnostics, in: $0.source) }.joined()
  }
}
