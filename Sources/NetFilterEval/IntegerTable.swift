/// A hash table from 64-bit keys to lists of condition numbers, built once and then only read:
/// the ports and IPv4 addresses and prefixes of a rule set, looked up for every event.
///
/// Open addressing with linear probing over a power-of-two table at most half full, and a
/// multiplicative hash: a lookup is a multiply, a shift and usually one compare, where a
/// `Dictionary` runs SipHash over the key.
struct IntegerTable: Sendable {
  private struct Slot: Sendable {
    var key: UInt64 = 0
    /// Where the key's conditions start in ``postings``.
    var start: Int32 = 0
    /// How many there are; 0 marks an empty slot.
    var count: Int32 = 0
  }

  private var slots: [Slot]
  private var postings: [Int32] = []
  private var shift: UInt64

  /// An empty table.
  init() {
    slots = [Slot(), Slot()]
    shift = 63
  }

  /// A table of `entries` (keys with no conditions are left out).
  init(_ entries: [UInt64: [Int]]) {
    var capacity = 2
    while capacity < entries.count * 2 { capacity <<= 1 }
    slots = Array(repeating: Slot(), count: capacity)
    shift = UInt64(64 - capacity.trailingZeroBitCount)
    // In key order, so that the layout is the same on every run.
    for key in entries.keys.sorted() {
      guard let conditions = entries[key], !conditions.isEmpty else { continue }
      var position = slot(of: key)
      while slots[position].count != 0 { position = (position + 1) & (slots.count - 1) }
      slots[position] = Slot(key: key, start: Int32(postings.count), count: Int32(conditions.count))
      postings += conditions.map { Int32($0) }
    }
  }

  /// Whether no key has conditions.
  var isEmpty: Bool { postings.isEmpty }

  @inline(__always)
  private func slot(of key: UInt64) -> Int {
    Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
  }

  /// Calls `body` with each condition filed under `key` until it returns `false`; whether it
  /// never did.
  @inline(__always)
  func forEach(_ key: UInt64, _ body: (Int) -> Bool) -> Bool {
    var position = slot(of: key)
    while true {
      let slot = slots[position]
      if slot.count == 0 { return true }
      if slot.key == key {
        for index in Int(slot.start)..<Int(slot.start + slot.count) where !body(Int(postings[index])) {
          return false
        }
        return true
      }
      position = (position + 1) & (slots.count - 1)
    }
  }
}
