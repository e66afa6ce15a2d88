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
    writer.member("output", "\(AlertClock.rfc3339(alert.time)): \(alert.priority.rawValue) \(alert.output)")
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
  /// `2026-01-02T03:04:05.123456789Z`.
  public static func rfc3339(_ nanoseconds: Int64) -> String {
    let seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds + 1) / 1_000_000_000 - 1
    let fraction = nanoseconds - seconds * 1_000_000_000
    let days = seconds >= 0 ? seconds / 86_400 : (seconds + 1) / 86_400 - 1
    let second = seconds - days * 86_400
    let (year, month, day) = civil(days: days)
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(second / 3600, 2)):\(pad(second / 60 % 60, 2)):"
      + "\(pad(second % 60, 2)).\(pad(fraction, 9))Z"
  }

  /// The proleptic Gregorian date of a day count since 1970-01-01 (the era arithmetic of
  /// days-from-civil, inverted).
  static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
    let shifted = days + 719_468
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  private static func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}
