import ArgumentParser
import Foundation
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
      With neither --pcap nor --input, packets are captured live with eBPF (as root) until --count,
      --duration, SIGINT or SIGTERM; exit 77 if live capture is not available here.
      """
  )

  @OptionGroup var filter: FilterInput
  @OptionGroup var diagnostics: DiagnosticOptions

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

  @Option(help: "With --pcap: save the matching packets to OUT (pcap).")
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

  public init() {}

  public func validate() throws {
    if let count, count <= 0 { throw ValidationError("--count must be a positive number.") }
    if let duration, !(duration > 0) { throw ValidationError("--duration must be a positive number of seconds.") }
    if duration != nil, pcap != nil || input != nil { throw ValidationError("--duration applies to live capture.") }
    if noOffload, pcap != nil || input != nil { throw ValidationError("--no-offload applies to live capture.") }
    if pcap != nil, input != nil { throw ValidationError("Give --pcap or --input, not both.") }
    if pcap == nil, write != nil { throw ValidationError("--write applies to --pcap replay.") }
    if input != nil, events != nil { throw ValidationError("--events applies to --pcap replay and live capture.") }
    let known = pcap == nil ? EventNames.packet + EventNames.socket : EventNames.packet
    for kind in selectedKinds where !known.contains(kind) {
      throw ValidationError("Unknown event '\(kind)' in --events; use \(known.joined(separator: ", ")).")
    }
  }

  public func run() throws {
    let console = Console.current
    let (text, name) = try filter.read()
    let compiled = try compile(text, name: name, console: console)
    var sink = EventSink(format: output ?? (console.outIsTerminal ? .table : .json), console: console)
    var counters = Counters()
    defer { finish(counters, console) }
    if let pcap {
      try replay(pcap, compiled, &sink, &counters, console)
    } else if let input {
      try readJSONLines(input, compiled, &sink, &counters, console)
    } else {
      try captureLive(compiled, &sink, &counters, console)
    }
  }

  /// The compiled filter planned for events of type `E`, or exit 1 with the reason.
  func plan<E: Event>(_ compiled: Filter, _ console: Console) throws -> Program<E> {
    do { return try compiled.program(for: E.self) } catch {
      console.err("error: \(error.message)\n")
      throw ExitCode.failure
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
        "{\"received\":\(counters.received),\"matched\":\(counters.matched),\"lost\":\(counters.lost),\"malformed\":\(counters.malformed)}\n"
      )
    } else if console.errIsTerminal || counters.malformed > 0 {
      console.err(
        "netfilter: \(counters.received) events read, \(counters.matched) matched, \(counters.malformed) malformed\n"
      )
    }
  }
}

extension RunCommand {
  /// The kinds named by `--events`.
  var selectedKinds: [String] {
    (events ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }
}

/// What `run` counts.
struct Counters {
  var received = 0
  var matched = 0
  var malformed = 0
  /// Records the kernel dropped (live capture only).
  var lost: UInt64 = 0
}

/// How `run` prints matching events.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case json, table
}
