import Foundation
import NetFilterEval
import NetFilterJSON

/// `.jsonLines`: one event per line, in either shape ``JSONEvent`` reads; a malformed line is
/// reported and skipped (or, with `strict`, stops the run).
struct JSONLinesInput {
  let pipeline: Pipeline
  let path: String
  let strict: Bool

  func run(_ sink: EventSink, _ engine: RuleEngine?, _ stop: StopToken, _ counters: inout PipelineCounters)
    throws(RuntimeError)
  {
    guard var reader = LineReader(path: path) else {
      throw RuntimeError(.failure, "cannot read '\(path)': \(String(cString: strerror(errno)))")
    }
    defer { reader.close() }
    reader.stop = stop
    let program: Matcher<JSONEvent> = try pipeline.matcher(engine)
    let name = path == "-" ? "<stdin>" : path
    var model = pipeline.modelsKernel ? KernelModel<JSONEvent>(pipeline.kernelPlan) : nil
    defer { counters.kernel = model?.counters }
    // A damaged line is counted and reported (or with --strict ends the run), never skipped silently.
    func malformed(_ column: Int, _ problem: String) throws(RuntimeError) {
      counters.malformed += 1
      let message = "\(name):\(reader.lineNumber):\(column): error: malformed event: \(problem)"
      if strict { throw RuntimeError(.failure, message) }
      pipeline.report(message)
    }
    while pipeline.wantsMore(counters), !stop.isStopped, let next = reader.next() {
      defer {
        counters.kernel = model?.counters
        pipeline.publish(counters, engine)
      }
      guard case .text(let line) = next else {
        counters.received += 1
        try malformed(1, "the line is longer than \(LineReader.maxLineLength >> 20) MiB; it is skipped")
        continue
      }
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
      counters.received += 1
      let event: JSONEvent
      do { event = try JSONEvent(bytes: line, keys: program.keys) } catch {
        try malformed(error.offset + 1, error.message)
        continue
      }
      // The field reads as missing.
      if let problem = event.typeProblem(in: pipeline.schema) { try malformed(1, problem) }
      model?.observe(event)
      do { _ = try program.handle(event, sink, &counters) } catch { throw RuntimeError(.failure, error.message) }
    }
  }
}
