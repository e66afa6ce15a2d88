import NetFilterJSON

#if canImport(Glibc)
  import Glibc
#endif

/// An alert as Falco's `json_output` writes it: `time` (RFC 3339, nanoseconds, UTC), `rule`,
/// `priority`, `source`, `hostname`, `output`, `output_fields`, `tags`; also `id` and `labels` when
/// a finding has them (falcosidekick ignores members it does not know).
public enum FalcoJSON {
  /// The alert as one compact JSON object.
  public static func encode(_ alert: Alert) -> [UInt8] {
    var writer = JSONTextWriter(capacity: 512)
    writer.beginObject()
    writer.member("time", AlertClock.rfc3339(alert.time))
    writer.member("rule", alert.rule)
    writer.member("priority", alert.priority.rawValue)
    writer.member("source", alert.source)
    writer.member("hostname", alert.hostname)
    writer.member("output", "\(AlertClock.rfc3339(alert.time)): \(alert.priority.rawValue) \(alert.text)")
    writer.key("output_fields")
    writer.beginObject()
    for field in alert.fields {
      writer.dynamicKey(field.name)
      field.value.write(to: &writer)
    }
    writer.endObject()
    writer.key("tags")
    writer.beginArray()
    for tag in alert.tags { writer.string(tag) }
    writer.endArray()
    if let id = alert.id { writer.member("id", id) }
    if !alert.labels.isEmpty {
      writer.key("labels")
      writer.beginObject()
      for label in alert.labels {
        writer.dynamicKey(label.name)
        writer.string(label.value)
      }
      writer.endObject()
    }
    writer.endObject()
    return writer.finish()
  }
}

extension AlertValue {
  /// The value as JSON: numbers as numbers, lists as arrays.
  func write(to writer: inout some JSONTokenWriter) {
    switch self {
    case .int(let value): writer.number(value)
    case .uint(let value): writer.number(value)
    case .double(let value):
      if value.isFinite { writer.rawNumber(String(value)) } else { writer.null() }
    case .bool(let value): writer.bool(value)
    case .string(let value): writer.string(value)
    case .address(let value): writer.address(value)
    case .list(let values):
      writer.beginArray()
      for value in values { value.write(to: &writer) }
      writer.endArray()
    }
  }
}

/// Wall-clock time for alerts.
public enum AlertClock {
  /// Nanoseconds since the Unix epoch, now.
  public static func now() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
  }

  /// `nanoseconds` since the epoch as RFC 3339 in UTC with nine fraction digits:
  /// `2026-01-02T03:04:05.123456789Z` (times before the epoch are given as the epoch).
  public static func rfc3339(_ nanoseconds: Int64) -> String {
    RFC3339.format(nanoseconds: UInt64(clamping: nanoseconds))
  }
}
