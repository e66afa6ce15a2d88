import ArgumentParser
import NetFilter

extension RunCommand {
  /// `--input FILE`: JSON-lines events, a malformed line reported and skipped (or fatal with --strict).
  func readJSONLines(
    _ input: String,
    _ compiled: Filter,
    _ sink: inout EventSink,
    _ counters: inout Counters,
    _ console: Console
  )
    throws
  {
    guard var reader = LineReader(path: input) else { throw ValidationError("Cannot read '\(input)'.") }
    defer { reader.close() }
    let program: Program<JSONEvent> = try plan(compiled, console)
    let name = input == "-" ? "<stdin>" : input
    while let line = reader.next() {
      if line.allSatisfy(\.isWhitespace) { continue }
      counters.received += 1
      let event: JSONEvent
      do { event = try JSONEvent(line: line, keys: program.keys) } catch {
        counters.malformed += 1
        console.err("\(name):\(reader.lineNumber):\(error.offset + 1): error: malformed event: \(error.message)\n")
        if strict { throw ExitCode.failure }
        continue
      }
      guard program.matches(event) else { continue }
      counters.matched += 1
      sink.write(json: EventJSON.line(for: event)) { event.lookup(FieldBinding($0)) }
      if let count, counters.matched >= count { return }
    }
  }
}
