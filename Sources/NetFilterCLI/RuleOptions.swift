import ArgumentParser
import NetFilter

/// Rule files: `--rules PATH`, repeatable (a file or a directory of `*.yml` files).
struct RuleOptions: ParsableArguments {
  @Option(
    name: .customLong("rules"),
    help: ArgumentHelp(
      "Run the rules of a YAML file or directory in Fibratus's format and print findings (repeatable).",
      valueName: "path"
    )
  )
  var paths: [String] = []

  /// The rules of every path (with the macros of `environment`), or `nil` without `--rules`.
  /// Problems are printed, each against its own file; an error throws exit status 1.
  func load(_ environment: Environment, _ formatter: DiagnosticFormatter, console: Console) throws -> RuleLibrary? {
    guard !paths.isEmpty else { return nil }
    return try Self.load(paths, environment, formatter, console: console)
  }

  /// The rules of `paths`, printing problems; exit status 1 on an error.
  static func load(
    _ paths: [String],
    _ environment: Environment,
    _ formatter: DiagnosticFormatter,
    console: Console
  ) throws -> RuleLibrary {
    let (library, problems) = RuleLibrary.read(paths: paths, environment: environment)
    let rendered = problems.render(with: formatter)
    if !rendered.isEmpty { console.err(rendered) }
    if problems.containsErrors { throw ExitCode.failure }
    return library
  }
}
