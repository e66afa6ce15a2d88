import Foundation

/// Macros and lists loaded from YAML files in Fibratus's format, to pass to
/// ``Environment/init(schema:limits:resolver:)``:
///
/// ```yaml
/// - macro: web_ports
///   list: [80, 443, 8080]
/// - macro: outbound_web
///   description: connections to a web port
///   expr: evt.name = 'Connect' and net.dport in web_ports
/// ```
///
/// Each entry has `macro` (a name matching `^[A-Za-z0-9_-]+$`), an optional `description`, and
/// exactly one of `expr` (a filter expression of at least 5 characters) or `list` (strings or
/// numbers). An expression macro may use other macros; it always expands as a parenthesized
/// subexpression, so `m and x` with `m := a or b` means `(a or b) and x` (Fibratus splices the body
/// in bare and gets `a or (b and x)`). A list macro stands for a `( … )` list on the right of `in`,
/// `iin`, `matches`, `imatches`, `startswith` and the other list operators. Unlike Fibratus, files
/// are not rendered as Go templates first.
///
/// Loading never throws or traps: problems are ``Diagnostic``s in the `macros` domain whose ranges
/// point into the YAML text.
public struct MacroLibrary: NameResolver, Sendable {
  /// One macro.
  public struct Macro: Sendable, Hashable {
    /// What a macro stands for.
    public enum Body: Sendable, Hashable {
      /// A parsed filter expression; its ranges are offsets into ``Macro/expressionSource``.
      case expression(Expr)
      /// A `.list` expression of literals.
      case list(Expr)
    }

    /// The name filters use.
    public var name: String
    /// The `description`, if given.
    public var description: String?
    /// The parsed body.
    public var body: Body
    /// For an expression macro, its text, named `macro 'NAME'`.
    public var expressionSource: SourceText?
    /// The path (or name) of the file that defines it.
    public var file: String
    /// Where the name is in that file.
    public var nameRange: SourceRange
    /// Where the `expr` or `list` value is in that file.
    public var bodyRange: SourceRange
    /// UTF-8 offsets into the file of each byte of the `expr` text (and one past its end), when
    /// the YAML scalar can be mapped back; `nil` otherwise.
    var bodyOffsets: [Int]?
    /// The index of the defining file in ``MacroLibrary/sources``.
    var sourceIndex = 0

    /// The file position of an offset into the expression text.
    func fileRange(_ range: SourceRange) -> SourceRange {
      guard let offsets = bodyOffsets, !offsets.isEmpty else { return SourceRange.at(bodyRange.lowerBound) }
      let clamp = { (offset: Int) in offsets[max(0, min(offset, offsets.count - 1))] }
      return SourceRange(clamp(range.lowerBound), clamp(range.upperBound))
    }
  }

  /// The macros, in the order they were defined.
  public private(set) var macros: [Macro] = []
  /// The macro files, in load order.
  public private(set) var sources: [SourceText] = []
  private var index: [String: Int] = [:]

  /// An empty library.
  public init() {}

  /// The macro named `name`.
  public subscript(name: String) -> Macro? { index[name].map { macros[$0] } }

  /// The names of every macro, in definition order.
  public var names: [String] { macros.map(\.name) }

  // MARK: NameResolver

  public func expression(named name: String) -> Expr? {
    guard case .expression(let expr)? = self[name]?.body else { return nil }
    return expr
  }

  public func list(named name: String) -> Expr? {
    guard case .list(let expr)? = self[name]?.body else { return nil }
    return expr
  }

  // MARK: Loading

  /// The largest macro file accepted, in bytes.
  public static let maxFileSize = 4 << 20

  /// Loads the macros of one YAML document. Diagnostic ranges are offsets into `yaml`, so render
  /// them against `SourceText(yaml, name: name)`.
  public static func load(yaml: String, name: String, schema: Schema = .network) -> (MacroLibrary, [Diagnostic]) {
    let (library, groups) = load(sources: [SourceText(yaml, name: name)], schema: schema)
    return (library, groups.flatMap(\.diagnostics))
  }

  /// Loads and merges several macro files, in order; a name defined twice is an error in the
  /// later file. Each diagnostic's range is an offset into its own file: use
  /// ``read(files:schema:)`` to get them grouped by file.
  public static func load(files: [String], schema: Schema = .network) -> (MacroLibrary, [Diagnostic]) {
    let (library, groups) = read(files: files, schema: schema)
    return (library, groups.flatMap(\.diagnostics))
  }

  /// Loads and merges several macro files, with the diagnostics grouped by file (files without
  /// problems are left out).
  public static func read(files: [String], schema: Schema = .network) -> (MacroLibrary, [MacroDiagnostics]) {
    var sources: [SourceText] = []
    var unreadable: [MacroDiagnostics] = []
    for path in files {
      do { sources.append(try readFile(path)) } catch { unreadable.append(error) }
    }
    let (library, groups) = load(sources: sources, schema: schema)
    return (library, unreadable + groups)
  }

  /// The text of the macro file at `path`; throws its diagnostic when it cannot be read or is not
  /// UTF-8 (`macros.invalidYAML` at the first bad byte: YAML is Unicode text).
  public static func readFile(_ path: String) throws(MacroDiagnostics) -> SourceText {
    guard let (source, problem) = YAMLDocument.readFile(path) else {
      let unreadable = MacroMessage.unreadableFile(path).diagnostic(at: .at(0))
      throw MacroDiagnostics(source: SourceText("", name: path), diagnostics: [unreadable])
    }
    if let problem {
      let invalid = MacroMessage.invalidYAML(problem.description).diagnostic(at: YAMLDocument.range(of: problem))
      throw MacroDiagnostics(source: source, diagnostics: [invalid])
    }
    return source
  }

  /// Loads and merges several YAML texts, each named by its `name`.
  public static func load(sources: [SourceText], schema: Schema = .network) -> (MacroLibrary, [MacroDiagnostics]) {
    var library = MacroLibrary()
    var groups: [MacroDiagnostics] = []
    for source in sources {
      var loader = MacroLoader(source: source, schema: schema)
      let macros = loader.load()
      var diagnostics = loader.diagnostics
      for macro in macros {
        if let first = library[macro.name] {
          let position = library.position(of: first)
          diagnostics.append(
            MacroMessage.duplicateMacro(macro.name, firstDefinedAt: position).diagnostic(at: macro.nameRange)
          )
          continue
        }
        var macro = macro
        macro.sourceIndex = library.sources.count
        library.index[macro.name] = library.macros.count
        library.macros.append(macro)
      }
      library.sources.append(source)
      if !diagnostics.isEmpty { groups.append(MacroDiagnostics(source: source, diagnostics: diagnostics)) }
    }
    return (library, groups)
  }

  /// `file:line:column` of a macro's name.
  private func position(of macro: Macro) -> String {
    "\(macro.file):\(sources[macro.sourceIndex].lineColumn(of: macro.nameRange.lowerBound))"
  }

  // MARK: Validation

  /// Type-checks every expression macro on its own against `schema`, as a filter that is just the
  /// macro would be. Diagnostics point into the macro's file where the YAML scalar allows it (at
  /// the `expr` value otherwise) and carry a note naming the macro. List macros are checked when
  /// used, against the field they meet.
  public func validate(schema: Schema = .network) -> [MacroDiagnostics] {
    var byFile: [Int: [Diagnostic]] = [:]
    for macro in macros {
      guard case .expression(let expr) = macro.body else { continue }
      let result = Checker.check(.expression(expr), schema: schema, resolver: self)
      for var diagnostic in result.diagnostics {
        diagnostic.range = macro.fileRange(diagnostic.range)
        diagnostic.notes = [Note("in macro '\(macro.name)'")] + diagnostic.notes.map { Note($0.message) }
        diagnostic.fixIts = []
        byFile[macro.sourceIndex, default: []].append(diagnostic)
      }
    }
    return sources.indices.compactMap { index in
      byFile[index].map { MacroDiagnostics(source: sources[index], diagnostics: $0) }
    }
  }
}
