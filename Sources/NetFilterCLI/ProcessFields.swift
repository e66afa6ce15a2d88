import NetFilter
import NetFilterBPF

/// The process fields a live event answers from its owner (`ps.*`, `evt.pid`, `evt.tid`), numbered
/// past every number the event types use for their own fields.
enum ProcessFields {
  static let names = [
    "ps.pid", "evt.pid", "ps.tid", "evt.tid", "ps.name", "ps.uid", "ps.cgroup.id", "ps.ppid", "ps.parent.pid",
  ]
  static let base = 1 << 24

  /// The number of `field` if it is a process field.
  static func resolve(_ field: FieldBinding) -> Int? {
    guard field.argument == nil, let index = names.firstIndex(of: field.descriptor.name) else { return nil }
    return base + index
  }

  /// Whether `resolved` is a process field's number.
  @inline(__always) static func owns(_ resolved: Int?) -> Bool { (resolved ?? 0) >= base }

  /// The value of the process field numbered `resolved`.
  static func value(_ resolved: Int, _ owner: PacketOwner?) -> FieldValue {
    guard let owner else { return .missing }
    switch resolved - base {
    case 0, 1: return .uint(UInt64(owner.pid))
    case 2, 3: return .uint(UInt64(owner.tid))
    case 4: return .string(owner.name)
    case 5: return .uint(UInt64(owner.uid))
    case 6: return .uint(owner.cgroupID)
    default: return owner.ppid == 0 ? .missing : .uint(UInt64(owner.ppid))
    }
  }

  /// The value of `binding` if it is a process field (for table columns).
  static func lookup(_ binding: FieldBinding, _ owner: PacketOwner?) -> FieldValue? {
    resolve(binding).map { value($0, owner) }
  }
}
