import ArgumentParser
import NetFilter

/// `netfilter rules`: check and list rule files.
public struct RulesCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "rules",
    abstract: "Validate and list rule files.",
    subcommands: [Validate.self, List.self]
  )

  public init() {}

  /// `netfilter rules validate PATH…`.
  public struct Validate: ParsableCommand {
    public static let configuration = CommandConfiguration(
      abstract: "Check rule files: print '<file>: ok' or '<file>: invalid' for each, and diagnostics.",
      discussion: "Exits 0 when every rule loads, 1 when any file has an error (warnings do not count)."
    )

    @Argument(help: "Rule files or directories of *.yml files.")
    var paths: [String]
    @OptionGroup var macros: MacroOptions
    @OptionGroup var diagnostics: DiagnosticOptions

    public init() {}

    public func run() throws {
      let console = Console.current
      let formatter = diagnostics.formatter(for: console)
      let environment = Environment(resolver: try macros.load(formatter, console: console))
      let (library, problems) = RuleLibrary.read(paths: paths, environment: environment)
      let rendered = problems.render(with: formatter)
      if !rendered.isEmpty { console.err(rendered) }
      let invalid = Set(problems.filter { $0.diagnostics.containsErrors }.map(\.source.name))
      var files = library.sources.map(\.name)
      files += problems.map(\.source.name).filter { !files.contains($0) }
      for file in files { console.out("\(file): \(invalid.contains(file) ? "invalid" : "ok")\n") }
      if !invalid.isEmpty { throw ExitCode.failure }
    }
  }

  /// `netfilter rules list PATH…`.
  public struct List: ParsableCommand {
    public static let configuration = CommandConfiguration(
      abstract: "List rules: id, name, severity, event kinds, and how much of each the kernel decides.",
      discussion: """
        The kernel column says whether the kernel plan decides the rule fully (user space only \
        confirms), partly (user space tests the rest), or not at all (every event reaches user space \
        for it). Sequences are at most partly decided: their joins and timing run in user space.
        """
    )

    @Argument(help: "Rule files or directories of *.yml files.")
    var paths: [String]
    @OptionGroup var macros: MacroOptions
    @OptionGroup var diagnostics: DiagnosticOptions
    @Flag(help: "Print one JSON object per rule instead of a table.")
    var json = false

    public init() {}

    public func run() throws {
      let console = Console.current
      let formatter = diagnostics.formatter(for: console)
      let environment = Environment(resolver: try macros.load(formatter, console: console))
      let library = try RuleOptions.load(paths, environment, formatter, console: console)
      if !json { console.out("ID                                    SEVERITY  KERNEL   EVENTS                NAME\n") }
      for entry in library.entries {
        let verdict = KernelVerdict(entry.rule)
        if json {
          var writer = JSONTextWriter(capacity: 256)
          writer.beginObject()
          writer.member("id", entry.rule.id)
          writer.member("name", entry.rule.name)
          writer.member("severity", entry.rule.severity.rawValue)
          writer.key("events")
          writer.beginArray()
          for kind in entry.eventKinds { writer.string(kind) }
          writer.endArray()
          writer.member("kernel", verdict.rawValue)
          writer.key("enabled")
          writer.bool(entry.rule.enabled)
          writer.member("file", entry.file)
          writer.endObject()
          console.out(String(decoding: writer.finish(), as: UTF8.self) + "\n")
        } else {
          let events = entry.eventKinds.isEmpty ? "(any)" : entry.eventKinds.joined(separator: ",")
          console.out(
            "\(pad(entry.rule.id, 37)) \(pad(entry.rule.severity.rawValue, 9)) \(pad(verdict.rawValue, 8)) "
              + "\(pad(events, 21)) \(entry.rule.name)\n"
          )
        }
      }
    }

    private func pad(_ text: String, _ width: Int) -> String {
      text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
  }
}
