import ArgumentParser
import NetFilter

/// How diagnostics are shown; shared by every subcommand.
struct DiagnosticOptions: ParsableArguments {
  @Option(help: "How to render diagnostics: swift, llvm or json.")
  var diagnosticStyle: DiagnosticFormatter.Style = .swift

  @Option(help: "Colour diagnostics: auto (when standard error is a terminal and NO_COLOR is unset), always or never.")
  var color: ColorChoice = .auto

  /// A formatter for the chosen style, coloured as asked.
  func formatter(for console: Console) -> DiagnosticFormatter {
    let colored =
      switch color {
      case .always: true
      case .never: false
      case .auto: console.errIsTerminal && console.environment["NO_COLOR"] == nil
      }
    return DiagnosticFormatter(style: diagnosticStyle, colored: colored && diagnosticStyle != .json)
  }
}

/// When to colour output.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
  case auto, always, never
}

extension DiagnosticFormatter.Style: ExpressibleByArgument {}

/// The filter text of a command: an argument, or `--file`.
struct FilterInput: ParsableArguments {
  @Argument(help: "The filter expression. Quote it for the shell.")
  var expression: String?

  @Option(name: .shortAndLong, help: "Read the filter from a file ('-' for standard input) instead of the argument.")
  var file: String?

  func validate() throws {
    if expression != nil, file != nil { throw ValidationError("Give the expression or --file, not both.") }
  }

  /// Whether a filter was given.
  var isGiven: Bool { expression != nil || file != nil }

  /// The filter text and the name diagnostics show for it. Text that is not UTF-8 is an error at
  /// its first bad byte (printed with `formatter`, exit status 1), never decoded with U+FFFD.
  func read(_ formatter: DiagnosticFormatter, console: Console) throws -> (text: String, name: String) {
    let bytes: [UInt8]
    let name: String
    if let expression {
      (bytes, name) = (console.argumentBytes(expression), "<expr>")
    } else if let path = file {
      do { bytes = try readFileBytes(path) } catch { throw ValidationError("Cannot read '\(path)': \(error.reason).") }
      name = path == "-" ? "<stdin>" : path
    } else {
      throw ValidationError("Missing expression (or --file FILE).")
    }
    let text: String
    do { text = try String(validatingUTF8Bytes: bytes) } catch {
      // Rendered against the text with U+FFFD for bad bytes: offsets up to the first are the same.
      let source = SourceText(String(decoding: bytes, as: UTF8.self), name: name)
      let invalid = SyntaxMessage.invalidUTF8(error).diagnostic(at: SourceRange(error.offset, error.offset + 3))
      console.err(formatter.render([invalid], in: source))
      throw ExitCode.failure
    }
    return (text.hasSuffix("\n") ? String(text.dropLast()) : text, name)
  }
}

/// Macro and list files: `--macros FILE`, repeatable.
struct MacroOptions: ParsableArguments {
  @Option(
    name: .customLong("macros"),
    help: ArgumentHelp("Load macros and lists from a YAML file in Fibratus's format (repeatable).", valueName: "file")
  )
  var files: [String] = []

  /// The macros of every file, or `nil` if there are none. Problems in the files are printed, each
  /// against its own file; an error throws exit status 1.
  func load(_ formatter: DiagnosticFormatter, console: Console) throws -> MacroLibrary? {
    guard !files.isEmpty else { return nil }
    let (library, problems) = MacroLibrary.read(files: files)
    let rendered = problems.render(with: formatter)
    if !rendered.isEmpty { console.err(rendered) }
    if problems.containsErrors { throw ExitCode.failure }
    return library
  }
}
