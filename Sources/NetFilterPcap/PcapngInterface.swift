/// An interface a pcapng section describes in an Interface Description Block: its link type,
/// snapshot length and clock (the `if_tsresol` and `if_tsoffset` options).
struct PcapngInterface: Sendable {
  let linkType: Int32
  /// The snapshot length; 0 means no limit.
  let snapLength: Int
  /// Timestamp units per second: 10^6 unless `if_tsresol` says otherwise.
  let unitsPerSecond: UInt64
  /// Nanoseconds per timestamp unit when a unit is a whole number of nanoseconds, else 0.
  let nanosecondsPerUnit: UInt64
  /// `if_tsoffset` in nanoseconds (saturated): what is added to every timestamp.
  let offset: Int64

  static let resolutionOption: UInt16 = 9
  static let offsetOption: UInt16 = 14

  /// Reads the Interface Description Block of `length` bytes at the start of `window`.
  init(_ window: borrowing ByteWindow, length: Int, order: ByteOrder) throws(PcapError) {
    guard length >= 20 else {
      throw PcapError.damaged("an Interface Description Block of \(length) bytes is too short", at: window.offset)
    }
    linkType = Int32(window.u16(8, order))
    snapLength = Int(window.u32(12, order))
    var resolution: UInt8 = 6
    var offsetSeconds: Int64 = 0
    var position = 16
    while position + 4 <= length - 4 {
      let code = window.u16(position, order)
      let size = Int(window.u16(position + 2, order))
      if code == 0 { break }
      guard position + 4 + size <= length - 4 else {
        throw PcapError.damaged(
          "option \(code) of an Interface Description Block runs past the end of the block",
          at: window.offset
        )
      }
      if code == Self.resolutionOption && size == 1 { resolution = window.u8(position + 4) }
      if code == Self.offsetOption && size == 8 { offsetSeconds = Int64(bitPattern: window.u64(position + 4, order)) }
      position += 4 + (size + 3) & ~3
    }
    guard let units = Self.unitsPerSecond(resolution) else {
      let unit = resolution & 0x80 == 0 ? "10^-\(resolution)" : "2^-\(resolution & 0x7F)"
      throw PcapError.damaged(
        "an Interface Description Block has a timestamp unit of \(unit) s, too fine for 64-bit timestamps",
        at: window.offset
      )
    }
    unitsPerSecond = units
    nanosecondsPerUnit = 1_000_000_000 % units == 0 ? 1_000_000_000 / units : 0
    let (product, overflow) = offsetSeconds.multipliedReportingOverflow(by: 1_000_000_000)
    offset = overflow ? (offsetSeconds < 0 ? .min : .max) : product
  }

  /// Units per second of an `if_tsresol` value: 10^-n seconds, or 2^-n when the top bit is set;
  /// nil when a second would hold more units than 64 bits count.
  static func unitsPerSecond(_ resolution: UInt8) -> UInt64? {
    let exponent = Int(resolution & 0x7F)
    if resolution & 0x80 != 0 { return exponent < 64 ? 1 << UInt64(exponent) : nil }
    guard exponent <= 19 else { return nil }
    return (0..<exponent).reduce(1) { value, _ in value * 10 }
  }

  /// The time of a packet stamped `ticks` units after the epoch (before `if_tsoffset`), in
  /// nanoseconds since the epoch; saturated at 0 and at the largest value.
  @inline(__always)
  func nanoseconds(_ ticks: UInt64) -> UInt64 {
    var time: UInt64
    if nanosecondsPerUnit != 0 {
      let (product, overflow) = ticks.multipliedReportingOverflow(by: nanosecondsPerUnit)
      time = overflow ? .max : product
    } else {
      time = Self.scaled(ticks, unitsPerSecond)
    }
    if offset > 0 {
      let (sum, overflow) = time.addingReportingOverflow(UInt64(offset))
      time = overflow ? .max : sum
    } else if offset < 0 {
      time = time >= offset.magnitude ? time - offset.magnitude : 0
    }
    return time
  }

  /// `ticks` units of 1/`units` s in nanoseconds, the fraction of a nanosecond dropped.
  private static func scaled(_ ticks: UInt64, _ units: UInt64) -> UInt64 {
    let (seconds, rest) = ticks.quotientAndRemainder(dividingBy: units)
    // rest < units, so the quotient is below 10^9.
    let fraction = units.dividingFullWidth(rest.multipliedFullWidth(by: 1_000_000_000)).quotient
    let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    let (sum, carry) = whole.addingReportingOverflow(fraction)
    return overflow || carry ? .max : sum
  }
}
