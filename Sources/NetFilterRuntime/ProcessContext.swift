import NetFilterBPF
import NetFilterEval
import NetFilterHost
import NetFilterJSON

/// The process behind a live event: what the kernel reported with the event (`owner`), and what
/// /proc adds (`host`: exe, command line, cwd, user name, cgroup path, container id). When the
/// kernel did not know the socket's owner (a socket that existed before the capture and was idle
/// since), `host` comes from the sockets open when the capture started.
public struct ProcessContext: Sendable {
  /// The kernel's record of the process.
  public var owner: PacketOwner?
  /// What /proc says of it, once looked up.
  public var host: HostProcess?

  /// Creates a context.
  public init(owner: PacketOwner?, host: HostProcess?) {
    self.owner = owner
    self.host = host
  }

  /// No process.
  public static let none = ProcessContext(owner: nil, host: nil)

  /// Whether the event has a process at all.
  public var isKnown: Bool { owner != nil || host != nil }

  /// Whether a program with `needs` must look the process up in /proc for an event: always when
  /// it reads a field only /proc has, and when it reads a field the kernel reports but the kernel
  /// did not know the process.
  public static func needsHost(_ needs: FieldNeeds, ownerKnown: Bool) -> Bool {
    needs.contains(.processDetails) || (needs.contains(.process) && !ownerKnown)
  }

  /// The process fields (`ps.*`, `evt.pid`, `evt.tid`, `evt.host`): the kernel's word first, /proc's after.
  public static let fields = FieldProvider<ProcessContext>(kernelFields + hostFields)

  private static let kernelFields: [(String, FieldAccessor<ProcessContext>)] = [
    ("ps.pid", FieldAccessor(needs: .process) { number($0.pid) }),
    ("evt.pid", FieldAccessor(needs: .process) { number($0.pid) }),
    ("ps.tid", FieldAccessor(needs: .process) { number($0.owner.map { UInt64($0.tid) }) }),
    ("evt.tid", FieldAccessor(needs: .process) { number($0.owner.map { UInt64($0.tid) }) }),
    ("ps.name", FieldAccessor(needs: .process) { text($0.owner?.name ?? $0.host?.name) }),
    (
      "ps.uid",
      FieldAccessor(needs: .process) { number($0.owner.map { UInt64($0.uid) } ?? $0.host?.uid.map(UInt64.init)) }
    ),
    ("ps.cgroup.id", FieldAccessor(needs: .process) { number($0.owner?.cgroupID ?? $0.host?.cgroupID) }),
    ("ps.ppid", FieldAccessor(needs: .process) { number($0.ppid) }),
    ("ps.parent.pid", FieldAccessor(needs: .process) { number($0.ppid) }),
    ("evt.host", FieldAccessor { _ in .string(HostName.current) }),
  ]

  private static let hostFields: [(String, FieldAccessor<ProcessContext>)] = [
    ("ps.exe", FieldAccessor(needs: .processDetails) { text($0.host?.exe) }),
    (
      "ps.cmdline",
      FieldAccessor(needs: .processDetails) {
        $0.host.map { $0.cmdline.isEmpty ? .missing : .string($0.cmdline) } ?? .missing
      }
    ),
    (
      "ps.args",
      FieldAccessor(needs: .processDetails) {
        $0.host.map { $0.args.isEmpty ? .missing : .strings($0.args) } ?? .missing
      }
    ),
    ("ps.cwd", FieldAccessor(needs: .processDetails) { text($0.host?.cwd) }),
    ("ps.username", FieldAccessor(needs: .processDetails) { text($0.host?.username) }),
    ("ps.gid", FieldAccessor(needs: .processDetails) { number($0.host?.gid.map(UInt64.init)) }),
    ("ps.cgroup.path", FieldAccessor(needs: .processDetails) { text($0.host?.cgroupPath) }),
    ("ps.container.id", FieldAccessor(needs: .processDetails) { text($0.host?.containerID) }),
  ]

  private var pid: UInt64? { owner.map { UInt64($0.pid) } ?? host.map { UInt64($0.pid) } }

  private var ppid: UInt64? {
    if let ppid = owner?.ppid, ppid != 0 { return UInt64(ppid) }
    return host?.ppid.map { UInt64($0) }
  }

  private static func number(_ value: UInt64?) -> FieldValue { value.map { .uint($0) } ?? .missing }
  private static func text(_ value: String?) -> FieldValue { value.map { .string($0) } ?? .missing }

  /// Tracee's process members of an event.
  public var tracee: TraceeProcess {
    guard isKnown else { return TraceeProcess() }
    return TraceeProcess(
      pid: pid ?? 0,
      tid: owner.map { UInt64($0.tid) } ?? 0,
      name: owner?.name ?? host?.name ?? "",
      cgroupID: owner?.cgroupID ?? host?.cgroupID ?? 0,
      containerID: host?.containerID ?? ""
    )
  }
}
