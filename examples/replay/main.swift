// A tool that replays a capture through netfilter's runtime: it compiles a filter, runs it over a
// pcap or pcapng file into a sink of its own, and prints how many packets matched.
//
//   swift run replay-example FILE.pcap "net.dport = 53"
import NetFilter

#if canImport(Glibc)
  import Glibc
#endif

/// A sink that keeps the first few matches' names and counts them all.
final class CountingSink: EventSink {
  private(set) var count = 0
  private(set) var firstNames: [String] = []
  private let name = FieldBinding(Schema.network.fields["evt.name"]!)

  func write<E: OutputEvent>(_ event: E) throws(OutputError) {
    count += 1
    if firstNames.count < 3, case .string(let text) = event.lookup(name) { firstNames.append(text) }
  }

  func flush() throws(OutputError) {}
  func finish() throws(OutputError) {}
}

/// Writes a line to standard error.
func printError(_ text: String) {
  let line = Array((text.hasSuffix("\n") ? text : text + "\n").utf8)
  _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
  printError("usage: replay-example FILE.pcap EXPRESSION")
  exit(64)
}
do {
  let filter = try Environment().compile(arguments[2])
  let sink = CountingSink()
  let counters = try filter.pipeline(over: .pcap(path: arguments[1])).run(into: sink)
  print("read \(counters.received) packets, \(counters.malformed) malformed; first matches: \(sink.firstNames)")
  print(sink.count)
} catch let error as DiagnosticsError {
  printError(DiagnosticFormatter(style: .swift).render(error.diagnostics, in: error.source))
  exit(1)
} catch {
  printError("replay-example: \(error)")
  exit(1)
}
