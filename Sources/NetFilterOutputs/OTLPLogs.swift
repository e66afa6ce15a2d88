import NetFilterJSON

/// Alerts as an OpenTelemetry `ExportLogsServiceRequest` in OTLP's JSON encoding: one resource
/// (`service.name` = netfilter, `host.name`), one scope, one log record per alert with the event
/// time in `timeUnixNano`, the priority as `severityNumber` and `severityText`, the output line as
/// the body, and the rule, priority, source, tags and every output field as typed attributes
/// (integers as `intValue`, written as strings as the encoding asks for 64-bit numbers).
public enum OTLPLogs {
  /// The `eventName` of every record.
  public static let eventName = "netfilter.rule.match"

  /// The request body for `alerts`, seen by `hostName`; `observed` is when they were sent
  /// (nanoseconds since the epoch).
  public static func encode(_ alerts: ArraySlice<Alert>, hostName: String, observed: Int64) -> [UInt8] {
    var writer = JSONTextWriter(capacity: 1024 * max(1, alerts.count))
    writer.beginObject()
    writer.key("resourceLogs")
    writer.beginArray()
    writer.beginObject()
    writer.key("resource")
    writer.beginObject()
    writer.key("attributes")
    writer.beginArray()
    attribute(&writer, "service.name", .string("netfilter"))
    attribute(&writer, "host.name", .string(hostName))
    writer.endArray()
    writer.endObject()
    writer.key("scopeLogs")
    writer.beginArray()
    writer.beginObject()
    writer.key("scope")
    writer.beginObject()
    writer.member("name", "netfilter")
    writer.endObject()
    writer.key("logRecords")
    writer.beginArray()
    for alert in alerts { record(&writer, alert, observed: observed) }
    writer.endArray()
    writer.endObject()
    writer.endArray()
    writer.endObject()
    writer.endArray()
    writer.endObject()
    return writer.finish()
  }

  private static func record(_ writer: inout JSONTextWriter, _ alert: Alert, observed: Int64) {
    writer.beginObject()
    writer.member("timeUnixNano", String(alert.time))
    writer.member("observedTimeUnixNano", String(observed))
    writer.member("severityNumber", number: alert.priority.severityNumber)
    writer.member("severityText", alert.priority.rawValue)
    writer.member("eventName", eventName)
    writer.key("body")
    writer.beginObject()
    writer.member("stringValue", alert.text)
    writer.endObject()
    writer.key("attributes")
    writer.beginArray()
    attribute(&writer, "rule", .string(alert.rule))
    attribute(&writer, "priority", .string(alert.priority.rawValue))
    attribute(&writer, "source", .string(alert.source))
    attribute(&writer, "tags", .list(alert.tags.map { .string($0) }))
    if let id = alert.id { attribute(&writer, "id", .string(id)) }
    for label in alert.labels { attribute(&writer, "labels." + label.name, .string(label.value)) }
    for field in alert.fields { attribute(&writer, field.name, field.value) }
    writer.endArray()
    writer.endObject()
  }

  private static func attribute(_ writer: inout JSONTextWriter, _ key: String, _ value: AlertValue) {
    writer.beginObject()
    writer.member("key", key)
    writer.key("value")
    anyValue(&writer, value)
    writer.endObject()
  }

  /// An `AnyValue`: `stringValue`, `intValue` (a string), `doubleValue`, `boolValue` or `arrayValue`.
  private static func anyValue(_ writer: inout JSONTextWriter, _ value: AlertValue) {
    writer.beginObject()
    switch value {
    case .int(let value): writer.member("intValue", String(value))
    case .uint(let value): writer.member("intValue", String(Int64(clamping: value)))
    case .double(let value):
      writer.key("doubleValue")
      AlertValue.double(value).write(to: &writer)
    case .bool(let value):
      writer.key("boolValue")
      writer.bool(value)
    case .string(let value): writer.member("stringValue", value)
    case .address(let value): writer.member("stringValue", value.description)
    case .list(let values):
      writer.key("arrayValue")
      writer.beginObject()
      writer.key("values")
      writer.beginArray()
      for value in values { anyValue(&writer, value) }
      writer.endArray()
      writer.endObject()
    }
    writer.endObject()
  }

  /// Log records the receiver rejected, from an `ExportLogsServiceResponse`'s `partialSuccess`
  /// (`rejectedLogRecords`, a 64-bit number the JSON encoding may quote); 0 when none.
  public static func rejectedRecords(in body: [UInt8]) -> Int {
    let key = Array("\"rejectedLogRecords\"".utf8)
    guard body.count > key.count,
      let start = (0...(body.count - key.count)).first(where: { body[$0..<$0 + key.count].elementsEqual(key) })
    else { return 0 }
    let digits = body[(start + key.count)...].drop { $0 == UInt8(ascii: ":") || $0 == 32 || $0 == 34 }
      .prefix { (48...57).contains($0) }
    return Int(String(decoding: digits, as: UTF8.self)) ?? 0
  }
}
