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
    var model = pipeline.modelsKernel ? KernelModel(pipeline.kernelPlan) : nil
    defer { counters.kernel = model?.counters }
    while pipeline.wantsMore(counters), !stop.isStopped, let line = reader.next() {
      defer {
        counters.kernel = model?.counters
        pipeline.publish(counters, engine)
      }
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
      counters.received += 1
      let event: JSONEvent
      do { event = try JSONEvent(bytes: line, keys: program.keys) } catch {
        counters.malformed += 1
        let message = "\(name):\(reader.lineNumber):\(error.offset + 1): error: malformed event: \(error.message)"
        if strict { throw RuntimeError(.failure, message) }
        pipeline.report(message)
        continue
      }
      if let problem = event.typeProblem(in: pipeline.schema) {
        // The field reads as missing; the line is counted and reported, never silently.
        counters.malformed += 1
        let message = "\(name):\(reader.lineNumber):1: error: malformed event: \(problem)"
        if strict { throw RuntimeError(.failure, message) }
        pipeline.report(message)
      }
      model?.observe(event)
      do { _ = try program.handle(event, sink, &counters) } catch { throw RuntimeError(.failure, error.message) }
    }
  }
}
