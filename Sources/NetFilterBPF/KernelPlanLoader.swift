internal import CLibbpf
internal import CNetFilterBPF
public import NetFilterLowering
import NetFilterSyntax

#if canImport(Glibc)
  import Glibc
#endif

extension LiveCapture {
  /// Writes `plan` into the kernel program's maps (nf_plan_v2 last, which turns it on); the programs
  /// then copy to the ring buffer only events that some clause may accept. Call before the first
  /// ``poll(timeoutMilliseconds:_:)``; a plan that passes everything leaves the kernel unfiltered.
  public func load(_ plan: KernelPlan) throws(BPFError) {
    try clearPlan()
    var used = UsedFields()
    if let table = plan.sourcePort {
      try writePorts(table, map: "nf_sport_v2")
      used.add(NF_FIELD_SPORT, table.missing, table.otherwise)
    }
    if let table = plan.destinationPort {
      try writePorts(table, map: "nf_dport_v2")
      used.add(NF_FIELD_DPORT, table.missing, table.otherwise)
    }
    if let table = plan.sourceAddress {
      try writeAddresses(table, map: "nf_saddr_v2")
      used.add(NF_FIELD_SADDR, table.missing, table.otherwise)
    }
    if let table = plan.destinationAddress {
      try writeAddresses(table, map: "nf_daddr_v2")
      used.add(NF_FIELD_DADDR, table.missing, table.otherwise)
    }
    try writeHashes(plan, &used)
    var header = nf_plan_v2()
    header.all = plan.allClauses
    writeArrays(plan, into: &header, &used)
    used.write(into: &header)
    header.enabled = plan.passesEverything ? 0 : 1
    var zero: UInt32 = 0
    let fd = try mapFD("nf_plan_v2")
    guard bpf_map_update_elem(fd, &zero, &header, UInt64(BPF_ANY)) == 0 else {
      throw BPFError(operation: "write nf_plan_v2", code: errno)
    }
  }

  /// Turns the plan off (every event passes) and empties its hash maps and tries.
  public func clearPlan() throws(BPFError) {
    var zero: UInt32 = 0
    var off = nf_plan_v2()
    guard bpf_map_update_elem(try mapFD("nf_plan_v2"), &zero, &off, UInt64(BPF_ANY)) == 0 else {
      throw BPFError(operation: "write nf_plan_v2", code: errno)
    }
    for map in ["nf_saddr_v2", "nf_daddr_v2", "nf_pid_v2", "nf_tid_v2", "nf_comm_v2", "nf_cgroup_v2"] {
      let fd = try mapFD(map)
      var key = [UInt8](repeating: 0, count: 64)
      while bpf_map_get_next_key(fd, nil, &key) == 0 {
        guard bpf_map_delete_elem(fd, &key) == 0 else { throw BPFError(operation: "clear \(map)", code: errno) }
      }
    }
  }

  /// The small tables kept inside nf_plan_v2 itself: protocol, direction, event kind.
  private func writeArrays(
    _ plan: KernelPlan,
    into header: inout nf_plan_v2,
    _ used: inout UsedFields
  ) {
    if let table = plan.l4Protocol {
      withUnsafeMutableBytes(of: &header.protocol) { fill($0, count: 256, table) }
      used.add(NF_FIELD_PROTO, table.missing, table.otherwise)
    }
    if let table = plan.direction {
      withUnsafeMutableBytes(of: &header.direction) { fill($0, count: 4, table) }
      used.add(NF_FIELD_DIRECTION, table.missing, table.otherwise)
    }
    if let table = plan.eventKind {
      withUnsafeMutableBytes(of: &header.kind) { fill($0, count: Int(NF_KIND_MAX), table) }
      used.add(NF_FIELD_KIND, table.missing, table.otherwise)
    }
  }

  private func writeHashes(_ plan: KernelPlan, _ used: inout UsedFields) throws(BPFError) {
    try writeHash(plan.pid, map: "nf_pid_v2", field: NF_FIELD_PID, &used) { $0 }
    try writeHash(plan.tid, map: "nf_tid_v2", field: NF_FIELD_TID, &used) { $0 }
    // A name longer than a comm (15 bytes) is no process's: no event ever looks it up.
    try writeHash(plan.comm, map: "nf_comm_v2", field: NF_FIELD_COMM, &used) { name in
      name.utf8.count < Int(NF_COMM_LEN) ? Self.comm(name) : nil
    }
    try writeHash(plan.cgroupID, map: "nf_cgroup_v2", field: NF_FIELD_CGROUP, &used) { $0 }
  }

  /// Writes `table`'s entries to the hash `map`, each value as `key` makes it (nil: left out),
  /// and marks `field` used.
  private func writeHash<Value, Key>(
    _ table: ExactTable<Value>?,
    map: String,
    field: Int32,
    _ used: inout UsedFields,
    key: (Value) -> Key?
  ) throws(BPFError) {
    guard let table else { return }
    try writeEntries(table.entries.compactMap { value, mask in key(value).map { ($0, mask) } }, map: map)
    used.add(field, table.missing, table.otherwise)
  }

  /// A comm as the kernel stores it: 16 bytes, NUL-padded.
  static func comm(_ name: String) -> CommKey {
    var key: CommKey = (0, 0)
    withUnsafeMutableBytes(of: &key) { buffer in
      for (index, byte) in name.utf8.prefix(Int(NF_COMM_LEN) - 1).enumerated() { buffer[index] = byte }
    }
    return key
  }

  private func writeEntries<Key>(_ entries: [(Key, UInt64)], map: String) throws(BPFError) {
    let fd = try mapFD(map)
    for (key, mask) in entries {
      var key = key
      var mask = mask
      guard bpf_map_update_elem(fd, &key, &mask, UInt64(BPF_ANY)) == 0 else {
        throw BPFError(operation: "write \(map)", code: errno)
      }
    }
  }

  private func writePorts(_ table: PortTable, map: String) throws(BPFError) {
    var masks = [UInt64](repeating: table.otherwise, count: Int(NF_PORTS))
    for (range, mask) in table.ranges {
      for port in range { masks[Int(port)] = mask }
    }
    var keys = (0..<UInt32(NF_PORTS)).map { $0 }
    var count = UInt32(NF_PORTS)
    let fd = try mapFD(map)
    guard bpf_map_update_batch(fd, &keys, &masks, &count, nil) == 0 else {
      throw BPFError(operation: "write \(map)", code: errno)
    }
  }

  private func writeAddresses(_ table: AddressTable, map: String) throws(BPFError) {
    let entries = table.prefixes.map { cidr, mask in (Self.addressKey(cidr), mask) }
    try writeEntries(entries, map: map)
  }

  /// A CIDR as an LPM key: IPv4 prefixes IPv4-mapped (`::ffff:a.b.c.d`, length + 96).
  static func addressKey(_ cidr: CIDR) -> nf_address_key_v2 {
    var key = nf_address_key_v2()
    let address = cidr.address
    let (high, low): (UInt64, UInt64) =
      address.family == .v4 ? (0, 0xFFFF_0000_0000 | UInt64(address.v4Value)) : (address.high, address.low)
    withUnsafeMutableBytes(of: &key.address) { buffer in
      buffer.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
      buffer.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
    }
    key.prefix_length = UInt32(address.family == .v4 ? 96 + cidr.prefixLength : cidr.prefixLength)
    return key
  }
}

/// The fields a plan constrains, with their `missing` and `otherwise` masks.
struct UsedFields {
  private var fields: UInt32 = 0
  private var masks: [(Int, UInt64, UInt64)] = []

  mutating func add(_ field: Int32, _ missing: UInt64, _ otherwise: UInt64) {
    fields |= 1 << UInt32(field)
    masks.append((Int(field), missing, otherwise))
  }

  func write(into header: inout nf_plan_v2) {
    header.fields = fields
    for (field, missing, otherwise) in masks {
      withUnsafeMutableBytes(of: &header.missing) {
        $0.storeBytes(of: missing, toByteOffset: field * 8, as: UInt64.self)
      }
      withUnsafeMutableBytes(of: &header.otherwise) {
        $0.storeBytes(of: otherwise, toByteOffset: field * 8, as: UInt64.self)
      }
    }
  }
}

/// A 16-byte comm key.
typealias CommKey = (UInt64, UInt64)

/// Fills `count` UInt64 slots of `buffer` from `table`: slot i gets the entry of value i or `otherwise`.
private func fill(_ buffer: UnsafeMutableRawBufferPointer, count: Int, _ table: ExactTable<UInt8>) {
  for index in 0..<count {
    let mask = table.entries[UInt8(truncatingIfNeeded: index)] ?? table.otherwise
    buffer.storeBytes(of: mask, toByteOffset: index * 8, as: UInt64.self)
  }
}
