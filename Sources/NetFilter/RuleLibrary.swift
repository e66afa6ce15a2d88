import Foundation

/// Rules loaded from YAML files in Fibratus's format, ready for ``Pipeline/init(rules:source:schema:)``:
///
/// ```yaml
/// name: Connection to a mining pool port
/// id: 6a1b1f0e-3c1d-4a55-9d0c-2b7f4f6f1a01
/// version: 1.0.0
/// condition: evt.name = 'Connect' and net.dport in (3333, 4444, 14444)
/// severity: high
/// output: "%ps.name connected to %net.dip:%net.dport"
/// min-engine-version: 3.0.0
/// ```
///
/// A file holds one rule or a YAML list of rules; a directory is read recursively (`*.yml` and
/// `*.yaml`, in path order). Loading never throws or traps: problems are ``Diagnostic``s (domain
/// `rules`, or the filter language's own IDs for a condition) whose ranges point into the files.
public struct RuleLibrary: Sendable {
  /// A loaded rule and where it came from.
  public struct Entry: Sendable {
    /// The rule.
    public var rule: Rule
    /// The path of its file.
    public var file: String
    /// Where its `id` and `name` values are in that file.
    public var idRange, nameRange: SourceRange
    /// The event names its condition requires (every step's, for a sequence); empty when it
    /// names none, so that every event is tested against it.
    public var eventKinds: [String]
  }

  /// The largest rule file read: 1 MiB.
  public static let maxFileSize = 1 << 20
  /// The most rules loaded at once.
  public static let maxRules = 10_000

  /// The rules, in load order.
  public private(set) var entries: [Entry] = []
  /// The rule files read, in load order.
  public private(set) var sources: [SourceText] = []

  /// The rules themselves.
  public var rules: [Rule] { entries.map(\.rule) }

  /// Loads every rule file under `paths` (files or directories), compiling conditions in
  /// `environment`. Problems are grouped by file, in load order.
  public static func read(paths: [String], environment: Environment = Environment()) -> (
    RuleLibrary, [MacroDiagnostics]
  ) {
    var sources: [SourceText] = []
    var unreadable: [MacroDiagnostics] = []
    for path in paths {
      let files = ruleFiles(at: path)
      guard !files.isEmpty else {
        let problem = RuleMessage.unreadableFile(path).diagnostic(at: .at(0))
        unreadable.append(MacroDiagnostics(source: SourceText("", name: path), diagnostics: [problem]))
        continue
      }
      for file in files {
        guard let (source, invalid) = YAMLDocument.readFile(file) else {
          let problem = RuleMessage.unreadableFile(file).diagnostic(at: .at(0))
          unreadable.append(MacroDiagnostics(source: SourceText("", name: file), diagnostics: [problem]))
          continue
        }
        // YAML is Unicode text: a byte that is not UTF-8 is an error where it is, never replaced.
        if let invalid {
          let problem = RuleMessage.invalidYAML(invalid.description).diagnostic(at: YAMLDocument.range(of: invalid))
          unreadable.append(MacroDiagnostics(source: source, diagnostics: [problem]))
          continue
        }
        sources.append(source)
      }
    }
    let (library, groups) = load(sources: sources, environment: environment)
    return (library, unreadable + groups)
  }

  /// Loads several YAML texts, each named by its `name`.
  public static func load(sources: [SourceText], environment: Environment = Environment()) -> (
    RuleLibrary, [MacroDiagnostics]
  ) {
    var library = RuleLibrary()
    var groups: [MacroDiagnostics] = []
    var ids: [String: Entry] = [:]
    var names: [String: Entry] = [:]
    for source in sources {
      var loader = RuleLoader(source: source, environment: environment)
      let loaded = loader.load()
      var diagnostics = loader.diagnostics
      for entry in loaded {
        if let first = ids[entry.rule.id] {
          diagnostics.append(
            RuleMessage.duplicateID(entry.rule.id, firstDefinedAt: library.position(first, \.idRange)).diagnostic(
              at: entry.idRange
            )
          )
          continue
        }
        if let first = names[entry.rule.name] {
          diagnostics.append(
            RuleMessage.duplicateName(entry.rule.name, firstDefinedAt: library.position(first, \.nameRange)).diagnostic(
              at: entry.nameRange
            )
          )
          continue
        }
        guard library.entries.count < maxRules else {
          diagnostics.append(
            RuleMessage.tooManyRules(library.entries.count + 1, limit: maxRules).diagnostic(at: entry.nameRange)
          )
          break
        }
        ids[entry.rule.id] = entry
        names[entry.rule.name] = entry
        library.entries.append(entry)
      }
      library.sources.append(source)
      if !diagnostics.isEmpty { groups.append(MacroDiagnostics(source: source, diagnostics: diagnostics)) }
    }
    return (library, groups)
  }

  /// `file:line:column` of a range of an entry's file.
  private func position(_ entry: Entry, _ range: KeyPath<Entry, SourceRange>) -> String {
    guard let source = sources.last(where: { $0.name == entry.file }) else { return entry.file }
    return "\(entry.file):\(source.lineColumn(of: entry[keyPath: range].lowerBound))"
  }

  /// The rule files a path names: the file itself, or the `.yml`/`.yaml` files under a directory.
  static func ruleFiles(at path: String) -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
    guard isDirectory.boolValue else { return [path] }
    let walker = FileManager.default.enumerator(atPath: path)
    var files: [String] = []
    while let name = walker?.nextObject() as? String {
      if name.hasSuffix(".yml") || name.hasSuffix(".yaml") { files.append(path + "/" + name) }
    }
    return files.sorted()
  }

  /// The event names a filter requires: for each step, the names every way of matching it needs
  /// (`evt.name = 'X'`, `evt.name in (…)` or a bare event name in each disjunct); empty when some
  /// step requires none.
  public static func eventKinds(of filter: CheckedFilter) -> [String] {
    let steps: [CheckedExpr]
    switch filter {
    case .expression(let expression): steps = [expression]
    case .sequence(let sequence): steps = sequence.steps.map(\.condition)
    }
    var all: [String] = []
    for step in steps {
      guard let names = required(step) else { return [] }
      for name in names where !all.contains(name) { all.append(name) }
    }
    return all
  }

  private static func required(_ expr: CheckedExpr) -> [String]? {
    switch expr {
    case .event(let name): return [name]
    case .and(let parts):
      return parts.lazy.compactMap(required).first
    case .or(let parts):
      var names: [String] = []
      for part in parts {
        guard let found = required(part) else { return nil }
        names += found.filter { !names.contains($0) }
      }
      return names
    case .comparison(let comparison):
      guard !comparison.negated, comparison.op == .equal || comparison.op == .in,
        case .field(let field) = comparison.lhs, field.descriptor.name == "evt.name"
      else { return nil }
      switch comparison.rhs {
      case .value(.string(let name)): return [name]
      case .list(let items):
        let names = items.compactMap { item -> String? in
          if case .value(.string(let name)) = item { name } else { nil }
        }
        return names.count == items.count ? names : nil
      default: return nil
      }
    case .constant, .not, .truth: return nil
    }
  }
}
