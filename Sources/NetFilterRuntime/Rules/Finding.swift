import NetFilterEval
import NetFilterJSON
import NetFilterSema

/// What a rule found: for a filter rule one event, for a sequence one event per step.
///
/// As a JSON line it carries Falco's keys (`time`, `rule`, `priority`, `output`, `output_fields`,
/// `source`, `hostname`, `tags`), so falcosidekick and other Falco consumers read it, plus `id`,
/// `version`, `severity` and `labels` as in a Fibratus alert, `key` (a sequence's join values) and
/// `events` (each exactly as `netfilter run --output json` prints it).
public struct Finding: Sendable {
  /// The rule that fired.
  public let rule: Rule
  /// The time of the last event, in nanoseconds since the Unix epoch.
  public let time: UInt64
  /// Where the events came from: `live`, `pcap` or `json`.
  public let source: String
  /// The host the events were seen on.
  public let hostName: String
  /// The rule's output template with its placeholders filled in (the rule's name if it has none).
  public let output: String
  /// The fields the template names, with their values (`2.dns.name` for the second event's).
  public let outputFields: [(name: String, value: FieldValue)]
  /// For a sequence with join keys, the values that joined its events.
  public let key: [(name: String, value: FieldValue)]
  /// Each event as one JSON line (without the newline), in step order.
  public let events: [[UInt8]]

  /// Creates a finding.
  public init(
    rule: Rule,
    time: UInt64,
    source: String,
    hostName: String,
    output: String,
    outputFields: [(name: String, value: FieldValue)],
    key: [(name: String, value: FieldValue)],
    events: [[UInt8]]
  ) {
    self.rule = rule
    self.time = time
    self.source = source
    self.hostName = hostName
    self.output = output
    self.outputFields = outputFields
    self.key = key
    self.events = events
  }

  /// The finding as one JSON line (without the newline).
  public var json: [UInt8] {
    var writer = JSONTextWriter(capacity: 512 + events.reduce(0) { $0 + $1.count })
    writer.beginObject()
    writer.member("time", RFC3339.format(nanoseconds: time))
    writer.member("rule", rule.name)
    writer.member("id", rule.id)
    writer.member("version", rule.version)
    writer.member("severity", rule.severity.rawValue)
    writer.member("priority", rule.severity.priority)
    writer.member("output", output)
    writer.key("output_fields")
    writeObject(outputFields, &writer)
    writer.key("tags")
    writer.beginArray()
    for tag in rule.tags { writer.string(tag) }
    writer.endArray()
    writer.key("labels")
    writer.beginObject()
    for (name, value) in rule.labels.sorted(by: { $0.key < $1.key }) {
      writer.dynamicKey(name)
      writer.string(value)
    }
    writer.endObject()
    writer.member("source", source)
    writer.member("hostname", hostName)
    if rule.sequence != nil {
      writer.key("key")
      writeObject(key, &writer)
    }
    writer.key("events")
    writer.beginArray()
    for event in events { writer.embedded(event) }
    writer.endArray()
    writer.endObject()
    return writer.finish()
  }

  /// One readable line for a table: time, severity, rule, output.
  public var tableLine: String {
    let text = "\(rule.severity.rawValue.uppercased())  \(rule.name): \(output)"
    return "\(RFC3339.format(nanoseconds: time))  " + TableSink.escaped(text)
  }

  private func writeObject(_ members: [(name: String, value: FieldValue)], _ writer: inout JSONTextWriter) {
    writer.beginObject()
    for (name, value) in members {
      writer.dynamicKey(name)
      writer.value(value)
    }
    writer.endObject()
  }
}

extension Finding: OutputEvent {
  public func jsonLine(hostName: String, schema: Schema) -> [UInt8] { json }
  public func detached() -> Finding { self }
}
