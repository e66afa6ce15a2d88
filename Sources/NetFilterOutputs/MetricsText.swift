import NetFilterRuntime

/// The Prometheus text exposition (format 0.0.4) of a run: the pipeline's event counters (the
/// numbers of `--stats`), findings per rule and sequence state with rules, the name cache's
/// counters when names are looked up, and each network output's alerts by status and queue depth.
/// Label values are names only (rules, outputs), never addresses or ports.
public enum MetricsText {
  /// The exposition text for `counters` and `outputs`; `source` labels the event counters.
  public static func render(_ counters: PipelineCounters, outputs: [NetworkOutput], source: String) -> String {
    var text = ""
    let label = "{source=\"\(escaped(source))\"}"
    let events: [(String, String, Int)] = [
      ("received", "Events read from the source.", counters.received),
      ("matched", "Events the filter or a rule's condition selected.", counters.matched),
      ("lost", "Events the kernel dropped because its ring buffer was full.", Int(clamping: counters.lost)),
      ("malformed", "Damaged input: malformed packets or lines, damaged capture records.", counters.malformed),
    ]
    for (name, help, value) in events {
      family(&text, "netfilter_events_\(name)_total", "counter", help)
      text += "netfilter_events_\(name)_total\(label) \(value)\n"
    }
    if let kernel = counters.kernel {
      family(&text, "netfilter_kernel_events_seen_total", "counter", "Packets and socket events the kernel saw.")
      text += "netfilter_kernel_events_seen_total \(kernel.seen)\n"
      family(
        &text,
        "netfilter_kernel_events_passed_total",
        "counter",
        "Events the kernel plan passed to the ring buffer (those it could not copy count as lost)."
      )
      text += "netfilter_kernel_events_passed_total \(kernel.passed)\n"
    }
    if let rules = counters.rules { render(rules, findings: counters.findings, label: label, into: &text) }
    if let names = counters.names { render(names, into: &text) }
    render(outputs, into: &text)
    return text
  }

  private static func render(_ rules: RuleStatistics, findings: Int, label: String, into text: inout String) {
    family(&text, "netfilter_findings_total", "counter", "Findings of every rule.")
    text += "netfilter_findings_total\(label) \(findings)\n"
    family(&text, "netfilter_rule_findings_total", "counter", "Findings per rule.")
    for entry in rules.findings {
      text += "netfilter_rule_findings_total{rule=\"\(escaped(entry.rule))\"} \(entry.count)\n"
    }
    family(&text, "netfilter_sequence_instances", "gauge", "Sequence instances waiting for their next step.")
    text += "netfilter_sequence_instances \(rules.counters.sequenceInstances)\n"
    family(&text, "netfilter_sequence_evicted_total", "counter", "Sequence instances dropped to stay within bounds.")
    text += "netfilter_sequence_evicted_total \(rules.counters.sequenceEvicted)\n"
    family(&text, "netfilter_sequence_expired_total", "counter", "Sequence instances past their maxspan.")
    text += "netfilter_sequence_expired_total \(rules.counters.sequenceExpired)\n"
    family(&text, "netfilter_sequence_ended_total", "counter", "Sequence instances ended with their process.")
    text += "netfilter_sequence_ended_total \(rules.counters.sequenceEnded)\n"
  }

  private static func render(_ names: NameCacheCounters, into text: inout String) {
    family(&text, "netfilter_names_cached", "gauge", "Addresses the name cache holds.")
    text += "netfilter_names_cached \(names.size)\n"
    let counts: [(String, String, Int)] = [
      ("hits", "Name lookups in the cache that found names.", names.hits),
      ("misses", "Name lookups in the cache that found none.", names.misses),
      ("learned", "Addresses added to the name cache.", names.learned),
      ("evicted", "Addresses dropped from the name cache to stay within its bound.", names.evictions),
      ("expired", "Addresses dropped from the name cache when their names expired.", names.expired),
      ("dropped", "Names not kept: too long, or over the per-address bound.", names.dropped),
      ("reverse_lookups", "Reverse (PTR) lookups asked.", names.lookups),
      ("reverse_answers", "Reverse lookups answered with a name.", names.lookupAnswers),
      ("reverse_refused", "Reverse lookups not asked because of the in-flight bound.", names.lookupsRefused),
    ]
    for (name, help, value) in counts {
      family(&text, "netfilter_names_\(name)_total", "counter", help)
      text += "netfilter_names_\(name)_total \(value)\n"
    }
  }

  private static func render(_ outputs: [NetworkOutput], into text: inout String) {
    guard !outputs.isEmpty else { return }
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
  }

  private static func family(_ text: inout String, _ name: String, _ type: String, _ help: String) {
    text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
  }

  private static func labels(_ output: NetworkOutput) -> String {
    "output=\"\(escaped(output.label))\",kind=\"\(output.configuration.kind.rawValue)\""
  }

  /// A label value with `\`, `"` and line feeds escaped.
  static func escaped(_ value: String) -> String {
    var result = ""
    for character in value {
      switch character {
      case "\\": result += "\\\\"
      case "\"": result += "\\\""
      case "\n": result += "\\n"
      default: result.append(character)
      }
    }
    return result
  }
}
