/// The name cache's table of addresses: open addressing with linear probing over a power-of-two
/// array of slots, hashed by one multiplication (Fibonacci hashing) instead of SipHash. A lookup
/// that misses reads a slot or two and allocates nothing.
///
/// Values live in `stored`; a removed value's place is reused. Slots hold a stored index + 1, 0 for
/// empty, -1 for a removed key (a tombstone, so that probes continue past it); the slots are rebuilt
/// when tombstones and keys fill three quarters of them.
struct AddressTable<Value> {
  private var slots: [Int32]
  private var keys: [NameCache.Key] = []
  private var values: [Value?] = []
  private var free: [Int32] = []
  private var shift: UInt64
  private var tombstones = 0
  /// How many keys the table holds.
  private(set) var count = 0

  /// An empty table.
  init() {
    slots = Array(repeating: 0, count: 1024)
    shift = 64 - 10
  }

  @inline(__always)
  private func home(_ key: NameCache.Key) -> Int {
    let mixed = key.low ^ (key.high &* 0xC2B2_AE3D_27D4_EB4F) ^ (key.scope &* 0x1656_67B1_9E37_79F9)
    return Int(truncatingIfNeeded: (mixed &* 0x9E37_79B9_7F4A_7C15) >> shift)
  }

  /// The stored index of `key`, or nil.
  @inline(__always)
  func find(_ key: NameCache.Key) -> Int? {
    let mask = slots.count - 1
    var slot = home(key)
    while true {
      let entry = slots[slot]
      if entry == 0 { return nil }
      if entry > 0, keys[Int(entry) - 1] == key { return Int(entry) - 1 }
      slot = (slot + 1) & mask
    }
  }

  /// The value at a stored index from ``find(_:)``.
  subscript(index: Int) -> Value {
    get { values[index]! }
    set { values[index] = newValue }
  }

  /// The value of `key`, or nil.
  func value(_ key: NameCache.Key) -> Value? { find(key).map { values[$0]! } }

  /// Sets the value of `key`; whether the key is new.
  @discardableResult
  mutating func set(_ key: NameCache.Key, _ value: Value) -> Bool {
    if let index = find(key) {
      values[index] = value
      return false
    }
    if (count + tombstones + 1) * 4 > slots.count * 3 { rebuild(minimum: count + 1) }
    let index: Int
    if let reused = free.popLast() {
      index = Int(reused)
      keys[index] = key
      values[index] = value
    } else {
      index = keys.count
      keys.append(key)
      values.append(value)
    }
    place(key, index)
    count += 1
    return true
  }

  /// Removes `key`, if present.
  mutating func remove(_ key: NameCache.Key) {
    let mask = slots.count - 1
    var slot = home(key)
    while slots[slot] != 0 {
      let entry = slots[slot]
      if entry > 0, keys[Int(entry) - 1] == key {
        slots[slot] = -1
        values[Int(entry) - 1] = nil
        free.append(entry - 1)
        tombstones += 1
        count -= 1
        return
      }
      slot = (slot + 1) & mask
    }
  }

  /// Every key and its value.
  var all: [(NameCache.Key, Value)] {
    var result: [(NameCache.Key, Value)] = []
    for (index, value) in values.enumerated() { if let value { result.append((keys[index], value)) } }
    return result
  }

  private mutating func place(_ key: NameCache.Key, _ index: Int) {
    let mask = slots.count - 1
    var slot = home(key)
    while slots[slot] > 0 { slot = (slot + 1) & mask }
    if slots[slot] == -1 { tombstones -= 1 }
    slots[slot] = Int32(index + 1)
  }

  /// New slots for at least `minimum` keys at most half full, without tombstones.
  private mutating func rebuild(minimum: Int) {
    var size = 1024
    while size < 2 * minimum { size *= 2 }
    slots = Array(repeating: 0, count: size)
    shift = 64 - UInt64(size.trailingZeroBitCount)
    tombstones = 0
    for (index, value) in values.enumerated() where value != nil { place(keys[index], index) }
  }
}
