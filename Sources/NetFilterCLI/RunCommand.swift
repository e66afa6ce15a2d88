import ArgumentParser
import NetFilter

/// `netfilter run`: evaluate a filter over events and print the ones that match.
public struct RunCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Print the events a filter selects.",
    discussion: """
      --input FILE reads JSON lines ('-' for standard input), each either a flat field map
      ({"evt.name":"Send","net.dport":443,…}) or a Tracee JSON event ({"eventName":…,"args":[…]}).
      A malformed line is reported with its line number and skipped (--strict stops instead).
      """
  )

  @OptionGroup var filter: FilterInput
  @OptionGroup var diagnostics: DiagnosticOptions

  @Option(name: .long, help: "Read JSON-lines events from FILE ('-' for standard input).")
  var input: String?

  @Option(help: "Output format: json (one Tracee-shaped object per line) or table (default on a terminal).")
  var output: OutputFormat?

  @Flag(help: "Stop at the first malformed input line (exit 1) instead of skipping it.")
  var strict = false

  @Option(help: "Stop after N matching events.")
  var count: Int?

  @Flag(help: "On exit, print one JSON object of counters as the last line of standard error.")
  var stats = false

  public init() {}

  public func validate() throws {
    if let count, count <= 0 { throw ValidationError("--count must be a positive number.") }
  }

  public func run() throws {
    let console = Console.current
    let (text, name) = try filter.read()
    let compiled = try compile(text, name: name, console: console)
    guard let input else {
      throw ValidationError("Live capture is not available in this build; give --input FILE with JSON-lines events.")
    }
    guard var reader = LineReader(path: input) else { throw ValidationError("Cannot read '\(input)'.") }
    defer { reader.close() }
    let program: Program<JSONEvent>
    do { program = try compiled.program(for: JSONEvent.self) } catch {
      console.err("error: \(error.message)\n")
      throw ExitCode.failure
    }
    var sink = EventSink(format: output ?? (console.outIsTerminal ? .table : .json), console: console)
    var counters = Counters()
    defer { finish(counters, console) }
    while let line = reader.next() {
      if line.allSatisfy(\.isWhitespace) { continue }
      counters.received += 1
      let event: JSONEvent
      do { event = try JSONEvent(line: line, keys: program.keys) } catch {
        counters.malformed += 1
        console.err("\(input == "-" ? "<stdin>" : input):\(reader.lineNumber):\(error.offset + 1): error: malformed event: \(error.message)\n")
        if strict { throw ExitCode.failure }
        continue
      }
      guard program.matches(event) else { continue }
      counters.matched += 1
      sink.write(event)
      if let count, counters.matched >= count { break }
    }
  }

  private func compile(_ text: String, name: String, console: Console) throws -> Filter {
    do {
      let compiled = try Environment().compile(text, name: name)
      if !compiled.warnings.isEmpty {
        console.err(diagnostics.formatter(for: console).render(compiled.warnings, in: compiled.source))
      }
      return compiled
    } catch {
      console.err(diagnostics.formatter(for: console).render(error.diagnostics, in: error.source))
      throw ExitCode.failure
    }
  }

  private func finish(_ counters: Counters, _ console: Console) {
    if stats {
      console.err(
        "{\"received\":\(counters.received),\"matched\":\(counters.matched),\"lost\":0,\"malformed\":\(counters.malformed)}\n"
      )
    } else if console.errIsTerminal || counters.malformed > 0 {
      console.err("netfilter: \(counters.received) events read, \(counters.matched) matched, \(counters.malformed) malformed\n")
    }
  }
}

/// What `run` counts.
struct Counters {
  var received = 0
  var matched = 0
  var malformed = 0
}

/// How `run` prints matching events.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case json, table
}
