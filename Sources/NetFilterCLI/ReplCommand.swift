import ArgumentParser
import NetFilter
import NetFilterREPL

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `netfilter repl`: write and test filters on a sample of events. The session is
/// ``Session`` in NetFilterREPL; this command maps flags to it.
public struct ReplCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "repl",
    abstract: "Write and test filters interactively on a sample of events.",
    discussion: """
      Type a filter to see how many events of the sample it matches, the first rows, and what the
      kernel plan would pass; :help lists the commands (:load, :explain, :fields, :why, …).
      On a terminal: Tab completes from the schema, the right prompt checks as you type, history
      is kept in $NETFILTER_HISTORY (else $XDG_STATE_HOME/netfilter/history).
      When standard input is not a terminal (batch mode) there is no prompt and no escape codes;
      the exit status is 1 if any input had an error.
      """
  )

  @OptionGroup var options: ReplOptions
  @OptionGroup var macros: MacroOptions
  @OptionGroup var diagnostics: DiagnosticOptions

  public init() {}

  public func validate() throws {
    if options.pcap != nil, options.input != nil { throw ValidationError("Give --pcap or --input, not both.") }
    if options.sampleLimit <= 0 { throw ValidationError("--sample-limit must be a positive number.") }
  }

  public func run() throws {
    let console = Console.current
    let interactive = isatty(0) != 0 && console.outIsTerminal
    var formatter = diagnostics.formatter(for: console)
    if !interactive && diagnostics.color != .always { formatter.colored = false }
    let library = try macros.load(formatter, console: console)
    var settings = Session.Options()
    settings.formatter = formatter
    settings.sampleLimit = options.sampleLimit
    settings.editor = getenv("EDITOR").map { String(cString: $0) }
    let session = Session(options: settings, macros: library)
    if let source = options.source {
      let reply = session.loadSample(source.source, origin: source.path)
      if !reply.output.isEmpty { console.out(reply.output) }
      if !reply.errors.isEmpty { console.err(reply.errors) }
      if reply.failed { throw ExitCode.failure }
    }
    let status: Int32
    if interactive {
      let history = options.noHistory ? nil : InteractiveMode.defaultHistoryFile(environment())
      status = InteractiveMode(historyFile: history).run(session, out: console.out, err: console.err)
    } else {
      status = BatchMode(echo: options.echo, bail: options.bail).run(
        session,
        lines: { Swift.readLine(strippingNewline: true) },
        out: console.out,
        err: console.err
      )
    }
    if status != 0 { throw ExitCode(status) }
  }

  private func environment() -> [String: String] {
    var result: [String: String] = [:]
    for name in ["NETFILTER_HISTORY", "XDG_STATE_HOME", "HOME"] {
      if let value = getenv(name) { result[name] = String(cString: value) }
    }
    return result
  }
}

/// The options of `netfilter repl`.
struct ReplOptions: ParsableArguments {
  @Option(help: "Load the sample from a pcap or pcapng FILE.")
  var pcap: String?

  @Option(help: "Load the sample from a JSON-lines FILE.")
  var input: String?

  @Option(help: "Keep at most N events in the sample.")
  var sampleLimit: Int = Sample.defaultLimit

  @Flag(help: "Batch mode: print each input line before its result.")
  var echo = false

  @Flag(help: "Batch mode: stop at the first input with an error.")
  var bail = false

  @Flag(help: "Do not read or write the history file.")
  var noHistory = false

  /// The sample the flags name, if any.
  var source: (source: EventSource, path: String)? {
    if let pcap { return (.pcap(path: pcap), pcap) }
    if let input { return (.jsonLines(path: input), input) }
    return nil
  }
}
