import NetFilter
import NetFilterBPF
import NetFilterHost
import NetFilterPackets

/// The process fields a live event answers from its ``ProcessContext`` (`ps.*`, `evt.pid`,
/// `evt.tid`), numbered past every number the event types use for their own fields.
enum ProcessFields {
  /// The fields the kernel reports; the rest (from ``hostOnly`` on) come from /proc.
  static let names = [
    "ps.pid", "evt.pid", "ps.tid", "evt.tid", "ps.name", "ps.uid", "ps.cgroup.id", "ps.ppid", "ps.parent.pid",
    "ps.exe", "ps.cmdline", "ps.args", "ps.cwd", "ps.username", "ps.gid", "ps.cgroup.path", "ps.container.id",
    "evt.host",
  ]
  static let base = 1 << 24
  static let hostOnly = base + 9

  /// The number of `field` if it is a process field.
  static func resolve(_ field: FieldBinding) -> Int? {
    guard field.argument == nil, let index = names.firstIndex(of: field.descriptor.name) else { return nil }
    return base + index
  }

  /// Whether `resolved` is a process field's number.
  @inline(__always) static func owns(_ resolved: Int?) -> Bool { (resolved ?? 0) >= base }

  /// When a program reading `keys` needs /proc for an event: always (it reads a field only /proc
  /// has), only when the kernel did not know the owner (it reads a field the owner has), or never.
  /// Computed once per program.
  struct HostNeed {
    let always: Bool
    let withoutOwner: Bool

    init(_ keys: [FieldKey]) {
      let process = keys.compactMap(\.resolved).filter { $0 >= base && $0 != evtHost }
      always = process.contains { $0 >= hostOnly }
      withoutOwner = !process.isEmpty
    }

    /// Whether an event whose kernel owner is known (or not) needs /proc.
    @inline(__always) func applies(ownerKnown: Bool) -> Bool { always || (withoutOwner && !ownerKnown) }
  }

  private static let evtHost = base + names.count - 1

  /// The value of the process field numbered `resolved`.
  static func value(_ resolved: Int, _ process: ProcessContext) -> FieldValue {
    let owner = process.owner
    let host = process.host
    switch resolved - base {
    case 0, 1: return number(owner.map { UInt64($0.pid) } ?? host.map { UInt64($0.pid) })
    case 2, 3: return number(owner.map { UInt64($0.tid) })
    case 4: return text(owner?.name ?? host?.name)
    case 5: return number(owner.map { UInt64($0.uid) } ?? host?.uid.map(UInt64.init))
    case 6: return number(owner?.cgroupID ?? host?.cgroupID)
    case 7, 8:
      if let ppid = owner?.ppid, ppid != 0 { return .uint(UInt64(ppid)) }
      return number(host?.ppid.map { UInt64($0) })
    default: return hostValue(resolved - hostOnly, host)
    }
  }

  private static func hostValue(_ index: Int, _ host: HostProcess?) -> FieldValue {
    if index == 8 { return .string(HostName.current) }  // evt.host: every live event has it
    guard let host else { return .missing }
    switch index {
    case 0: return text(host.exe)
    case 1: return host.cmdline.isEmpty ? .missing : .string(host.cmdline)
    case 2: return host.args.isEmpty ? .missing : .strings(host.args)
    case 3: return text(host.cwd)
    case 4: return text(host.username)
    case 5: return number(host.gid.map(UInt64.init))
    case 6: return text(host.cgroupPath)
    default: return text(host.containerID)
    }
  }

  private static func number(_ value: UInt64?) -> FieldValue { value.map { .uint($0) } ?? .missing }
  private static func text(_ value: String?) -> FieldValue { value.map { .string($0) } ?? .missing }

  /// The value of `binding` if it is a process field (for table columns).
  static func lookup(_ binding: FieldBinding, _ process: ProcessContext) -> FieldValue? {
    resolve(binding).map { value($0, process) }
  }

  /// Tracee's process members of an event, from `process`.
  static func tracee(_ process: ProcessContext) -> TraceeProcess {
    guard process.isKnown else { return TraceeProcess() }
    func number(_ value: FieldValue) -> UInt64 {
      if case .uint(let number) = value { return number }
      return 0
    }
    return TraceeProcess(
      pid: number(value(base, process)),
      tid: number(value(base + 2, process)),
      name: process.owner?.name ?? process.host?.name ?? "",
      cgroupID: number(value(base + 6, process)),
      containerID: process.host?.containerID ?? ""
    )
  }
}
