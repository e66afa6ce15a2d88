/// Event times as RFC 3339 text in UTC with nanoseconds: `2026-12-06T11:52:12.123456789Z`, the
/// form Falco writes in its JSON `time`.
public enum RFC3339 {
  /// `nanoseconds` since the Unix epoch as RFC 3339 text.
  public static func format(nanoseconds: UInt64) -> String {
    let seconds = Int64(nanoseconds / 1_000_000_000)
    let fraction = nanoseconds % 1_000_000_000
    let days = seconds / 86_400
    let secondOfDay = seconds % 86_400
    let (year, month, day) = civil(days: days)
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
      + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(Int64(fraction), 9))Z"
  }

  /// The proleptic Gregorian date of a day count since 1970-01-01 (days are never negative here).
  private static func civil(days: Int64) -> (Int64, Int64, Int64) {
    let shifted = days + 719_468
    let era = shifted / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  private static func pad(_ value: Int64, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, width - text.count)) + text
  }
}
