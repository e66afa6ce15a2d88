import NetFilterHTTP
import NetFilterRuntime

/// `/metrics` in the Prometheus text format (version 0.0.4): the pipeline's counters as published
/// on a ``CounterBoard``, and each network output's alerts by status and its queue depth.
public final class MetricsEndpoint: Sendable {
  private let listener: HTTPListener

  /// Serves `/metrics` on `address`:`port` (IPv4; port 0 picks one) from a thread of its own.
  public init(address: String, port: UInt16, board: CounterBoard, hub: OutputHub?, source: String)
    throws(HTTPListenerError)
  {
    listener = try HTTPListener(address: address, port: port)
    listener.start { path in
      guard path == "/metrics" || path.hasPrefix("/metrics?") else {
        return (404, "text/plain", Array("not found; try /metrics\n".utf8))
      }
      let text = MetricsEndpoint.render(board.snapshot, outputs: hub?.outputs ?? [], source: source)
      return (200, "text/plain; version=0.0.4; charset=utf-8", Array(text.utf8))
    }
  }

  /// The port served.
  public var port: UInt16 { listener.port }

  /// Stops serving.
  public func stop() { listener.stop() }

  /// The exposition text for `counters` and `outputs`.
  public static func render(_ counters: PipelineCounters, outputs: [NetworkOutput], source: String) -> String {
    var text = ""
    let events: [(String, String, UInt64)] = [
      ("received", "Events read from the source.", UInt64(counters.received)),
      ("matched", "Events the filter selected.", UInt64(counters.matched)),
      ("lost", "Events the kernel dropped because its ring buffer was full.", counters.lost),
      ("malformed", "Damaged input: malformed packets or lines, damaged capture records.", UInt64(counters.malformed)),
    ]
    for (name, help, value) in events {
      family(&text, "netfilter_events_\(name)_total", "counter", help)
      text += "netfilter_events_\(name)_total{source=\"\(escaped(source))\"} \(value)\n"
    }
    guard !outputs.isEmpty else { return text }
    family(&text, "netfilter_output_events_total", "counter", "Alerts per network output, by what became of them.")
    for output in outputs {
      let counts = output.statistics
      let statuses = [
        ("sent", counts.sent), ("retried", counts.retried), ("failed", counts.failed), ("dropped", counts.dropped),
        ("unsent", counts.unsent),
      ]
      for (status, value) in statuses {
        text += "netfilter_output_events_total{\(labels(output)),status=\"\(status)\"} \(value)\n"
      }
    }
    family(&text, "netfilter_output_queue_length", "gauge", "Alerts waiting in a network output's queue.")
    for output in outputs { text += "netfilter_output_queue_length{\(labels(output))} \(output.queue.waiting)\n" }
    family(&text, "netfilter_output_queue_capacity", "gauge", "Alerts a network output's queue holds.")
    for output in outputs { text += "netfilter_output_queue_capacity{\(labels(output))} \(output.queue.capacity)\n" }
    return text
  }

  private static func family(_ text: inout String, _ name: String, _ type: String, _ help: String) {
    text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
  }

  private static func labels(_ output: NetworkOutput) -> String {
    "output=\"\(escaped(output.label))\",kind=\"\(output.configuration.kind.rawValue)\""
  }

  /// A label value with `\`, `"` and line feeds escaped.
  static func escaped(_ value: String) -> String {
    value.replacingOccurrences("\\", "\\\\").replacingOccurrences("\"", "\\\"").replacingOccurrences("\n", "\\n")
  }
}

extension String {
  fileprivate func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
    var result = ""
    for character in self {
      if character == target { result += replacement } else { result.append(character) }
    }
    return result
  }
}
