import ArgumentParser
import Foundation
import NetFilter

/// `netfilter run`: evaluate a filter over events and print the ones that match. The pipeline is
/// ``Pipeline`` in NetFilterRuntime; this command maps flags to it.
public struct RunCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Print the events a filter selects.",
    discussion: """
      --rules PATH runs a rule set instead of one filter and prints findings (one JSON object per
      line with Falco's and Fibratus's keys, or one line each with --output table); a filter that
      is a `sequence` runs as a rule named "sequence".
      --input FILE reads JSON lines ('-' for standard input), each either a flat field map
      ({"evt.name":"Send","net.dport":443,…}) or a Tracee JSON event ({"eventName":…,"args":[…]}).
      A malformed line is reported with its line number and skipped (--strict stops instead).
      With neither --pcap nor --input, packets are captured live with eBPF (as root) until --count,
      --duration, SIGINT or SIGTERM; exit 77 if live capture is not available here.
      """
  )

  @OptionGroup var filter: FilterInput
  @OptionGroup var macros: MacroOptions
  @OptionGroup var rules: RuleOptions
  @OptionGroup var diagnostics: DiagnosticOptions
  @OptionGroup var names: NameCommandOptions
  @OptionGroup(title: "Network outputs and metrics") var outputs: OutputOptions

  @Option(name: .long, help: "Read JSON-lines events from FILE ('-' for standard input).")
  var input: String?

  @Option(name: .long, help: "Replay packets from a pcap or pcapng FILE.")
  var pcap: String?

  @Option(
    help: ArgumentHelp(
      "Emit one event per selected Tracee kind (net_packet_tcp,net_packet_dns,…) instead of one per packet.",
      discussion:
        "Live capture also takes the socket events (Connect,Accept,Send,Recv,Disconnect,Reconnect,Retransmit) and QueryDns,ReplyDns (whole DNS packet events)."
    )
  )
  var events: String?

  @Option(help: "With --pcap: save the matching packets to OUT (in the input's format, pcap or pcapng).")
  var write: String?

  @Option(help: "Output format: json (one Tracee-shaped object per line) or table (default on a terminal).")
  var output: OutputFormat?

  @Flag(help: "Stop at the first malformed input line (exit 1) instead of skipping it.")
  var strict = false

  @Option(help: "Stop after N matching events.")
  var count: Int?

  @Flag(help: "On exit, print one JSON object of counters as the last line of standard error.")
  var stats = false

  @Option(help: "Live capture: stop after SECONDS.")
  var duration: Double?

  @Flag(help: "Live capture: let every event reach user space (no kernel plan), to compare with the offload.")
  var noOffload = false

  @Flag(
    help: """
      Print the kernel plan on standard error before running (with --rules, one filter per rule, \
      named by the rule), and after it the share of events the plan passed: counted by the kernel \
      live (with --stats), modelled in user space for --pcap and --input.
      """
  )
  var explain = false

  public init() {}

  public func validate() throws {
    if filter.isGiven, !rules.paths.isEmpty { throw ValidationError("Give a filter or --rules, not both.") }
    if !filter.isGiven, rules.paths.isEmpty {
      throw ValidationError("Missing expression (or --file FILE, or --rules PATH).")
    }
    if let count, count <= 0 { throw ValidationError("--count must be a positive number.") }
    if let duration, !(duration > 0) { throw ValidationError("--duration must be a positive number of seconds.") }
    if duration != nil, pcap != nil || input != nil { throw ValidationError("--duration applies to live capture.") }
    if noOffload, pcap != nil || input != nil { throw ValidationError("--no-offload applies to live capture.") }
    if pcap != nil, input != nil { throw ValidationError("Give --pcap or --input, not both.") }
    if pcap == nil, write != nil { throw ValidationError("--write applies to --pcap replay.") }
    if let pcap, let write, Self.sameFile(pcap, write) {
      throw ValidationError("--write '\(write)' is the --pcap input; writing it would destroy what is being read.")
    }
    if input != nil, events != nil { throw ValidationError("--events applies to --pcap replay and live capture.") }
    _ = try selection()
  }

  /// The one source the flags name.
  private var source: EventSource {
    if let pcap { return .pcap(path: pcap, write: write) }
    if let input { return .jsonLines(path: input, strict: strict) }
    return .live(LiveOptions(offload: !noOffload, duration: duration))
  }

  private func selection() throws -> EventSelection {
    guard let events else { return .all }
    do { return try EventSelection(events, socketEvents: pcap == nil) } catch { throw ValidationError(error.message) }
  }

  public func run() throws {
    let console = Console.current
    let formatter = diagnostics.formatter(for: console)
    let environment = Environment(resolver: try macros.load(formatter, console: console))
    var pipeline: Pipeline
    var filterText = ""
    if let library = try rules.load(environment, formatter, console: console) {
      pipeline = Pipeline(rules: library.rules, source: source, schema: environment.schema)
    } else {
      let (text, name) = try filter.read(formatter, console: console)
      filterText = text
      let compiled = try compile(environment, text, name: name, formatter, console)
      pipeline = Pipeline(filter: compiled.checked, source: source, schema: environment.schema)
    }
    pipeline.selection = try selection()
    pipeline.limit = count
    pipeline.names = names.options
    pipeline.report = { console.err($0 + "\n") }
    pipeline.modelsKernel = explain && (pcap != nil || input != nil)
    if case .pcap(let path, _) = source { pipeline.progress = Progress(path: path, console: console).tick }
    if explain {
      let names = pipeline.rules?.filter(\.enabled).map { "rule '\($0.name)'" } ?? []
      console.err(PlanExplanation.text(pipeline.kernelPlan, sources: names))
    }
    let out = ByteOutput(immediate: console.outIsTerminal, console.outBytes)
    let sink: EventSink =
      switch output ?? (console.outIsTerminal ? .table : .json) {
      case .json:
        JSONLinesSink(output: out, hostName: pipeline.hostName, background: pcap != nil && !console.outIsTerminal)
      case .table: TableSink(output: out, schema: environment.schema)
      }
    let session = try outputs.start(sink, &pipeline, filterText: filterText, console: console)
    defer { session.stop() }
    var counters = PipelineCounters()
    let signals = pcap == nil && input == nil || outputs.isActive ? SignalStop() : nil
    defer { signals?.restore() }
    do {
      try pipeline.run(into: session.sink, stop: .signals, counters: &counters)
    } catch {
      // The error first, then the counters: --stats stays the last line of standard error.
      let exit = exit(for: error, console)
      if error.kind != .configuration { finish(counters, console) }
      throw exit
    }
    finish(counters, console)
  }

  private func compile(
    _ environment: Environment,
    _ text: String,
    name: String,
    _ formatter: DiagnosticFormatter,
    _ console: Console
  ) throws -> Filter {
    do {
      let compiled = try environment.compile(text, name: name)
      if !compiled.warnings.isEmpty { console.err(formatter.render(compiled.warnings, in: compiled.source)) }
      return compiled
    } catch {
      console.err(formatter.render(error.diagnostics, in: error.source))
      throw ExitCode.failure
    }
  }

  /// The exit of a run that failed: usage (64), failure (1) or live capture unavailable (77).
  private func exit(for error: RuntimeError, _ console: Console) -> Error {
    switch error.kind {
    case .configuration:
      return ValidationError(error.message)
    case .failure:
      console.err(error.message.contains(": error: ") ? error.message + "\n" : "error: \(error.message)\n")
      return ExitCode.failure
    case .unavailable:
      console.err(
        "error: live capture is not available here: \(error.message).\n"
          + "hint: replay a capture with --pcap FILE, or read JSON-lines events with --input FILE.\n"
      )
      return ExitCode(Self.unavailableExitCode)
    }
  }

  private func finish(_ counters: PipelineCounters, _ console: Console) {
    if counters.regexLimited > 0 {
      console.err(
        "warning: \(counters.regexLimited) regex() matches reached PCRE2's match limit and counted as no match "
          + "(so 'not regex(…)' held for them)\n"
      )
    }
    if let kernel = counters.kernel, kernel.modelled {
      let percent = String(format: "%.1f%%", kernel.passRatio * 100)
      console.err("kernel plan (modelled): passes \(kernel.passed) of \(kernel.seen) events (\(percent))\n")
    }
    if stats {
      console.err(counters.json + "\n")
    } else if console.errIsTerminal || counters.malformed > 0 {
      let findings = counters.rules == nil ? "" : ", \(counters.findings) findings"
      console.err(
        "netfilter: \(counters.received) events read, \(counters.matched) matched\(findings), \(counters.malformed) malformed\n"
      )
    }
  }

  /// Whether two paths name one file (the same path, a link to it, or a hard link).
  static func sameFile(_ a: String, _ b: String) -> Bool {
    let resolved = [a, b].map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path }
    if resolved[0] == resolved[1] { return true }
    let identities = [a, b].map { path -> [Int]? in
      guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
        let device = attributes[.systemNumber] as? Int, let inode = attributes[.systemFileNumber] as? Int
      else { return nil }
      return [device, inode]
    }
    return identities[0] != nil && identities[0] == identities[1]
  }

  /// Exit status when live capture cannot run here (not root, no BTF, no cgroup v2, bpf() refused).
  static let unavailableExitCode: Int32 = 77
}

/// How `run` prints matching events.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case json, table
}
