/// A process as user space sees it: what `/proc/PID` says, or, when the process exited before anyone read it, what
/// the kernel reported with its events. Fields that neither source knows are nil (or empty `args`).
///
/// A value type whose fields live in one immutable, shared box: copying a process out of ``ProcessTable`` per event
/// retains one reference instead of every string, and a change copies the box.
public struct HostProcess: Equatable, Sendable {
  /// Where a ``HostProcess``'s fields come from.
  public enum Origin: Equatable, Sendable {
    /// Read from `/proc/PID` while the process was alive.
    case procfs
    /// Built from the kernel's event data: `/proc/PID` was already gone.
    case kernel
  }

  private struct Fields: Equatable, Sendable {
    var pid: Int32
    var ppid: Int32?
    var name: String
    var exe: String?
    var args: [String]
    var cmdline: String
    var cwd: String?
    var uid: UInt32?
    var gid: UInt32?
    var username: String?
    var cgroupID: UInt64?
    var cgroupPath: String?
    var containerID: String?
    var startTime: UInt64?
    var origin: Origin
  }

  private final class Storage: Sendable {
    let fields: Fields
    init(_ fields: Fields) { self.fields = fields }
  }

  private var storage: Storage

  private mutating func update(_ change: (inout Fields) -> Void) {
    var fields = storage.fields
    change(&fields)
    storage = Storage(fields)
  }

  /// A process with the given fields; ``cmdline`` is `args` joined by spaces and ``containerID`` is parsed from
  /// `cgroupPath`.
  public init(
    pid: Int32,
    ppid: Int32? = nil,
    name: String,
    exe: String? = nil,
    args: [String] = [],
    cwd: String? = nil,
    uid: UInt32? = nil,
    gid: UInt32? = nil,
    username: String? = nil,
    cgroupID: UInt64? = nil,
    cgroupPath: String? = nil,
    startTime: UInt64? = nil,
    origin: Origin
  ) {
    let fields = Fields(
      pid: pid,
      ppid: ppid,
      name: name,
      exe: exe,
      args: args,
      cmdline: args.joined(separator: " "),
      cwd: cwd,
      uid: uid,
      gid: gid,
      username: username,
      cgroupID: cgroupID,
      cgroupPath: cgroupPath,
      containerID: cgroupPath.flatMap { ContainerID.parse(cgroupPath: $0) },
      startTime: startTime,
      origin: origin
    )
    storage = Storage(fields)
  }

  /// Whether the two processes have equal fields (at once when they share their storage).
  public static func == (lhs: HostProcess, rhs: HostProcess) -> Bool {
    lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
  }

  /// The process id (the thread-group id).
  public var pid: Int32 {
    get { storage.fields.pid }
    set { update { $0.pid = newValue } }
  }

  /// The parent's process id, when known.
  public var ppid: Int32? {
    get { storage.fields.ppid }
    set { update { $0.ppid = newValue } }
  }

  /// The command name (`/proc/PID/comm` of the thread-group leader, at most 15 bytes).
  public var name: String {
    get { storage.fields.name }
    set { update { $0.name = newValue } }
  }

  /// The executable's path (`/proc/PID/exe`, without the kernel's ` (deleted)`); nil for kernel threads.
  public var exe: String? {
    get { storage.fields.exe }
    set { update { $0.exe = newValue } }
  }

  /// The working directory (`/proc/PID/cwd`), when known.
  public var cwd: String? {
    get { storage.fields.cwd }
    set { update { $0.cwd = newValue } }
  }

  /// The real user id, when known.
  public var uid: UInt32? {
    get { storage.fields.uid }
    set { update { $0.uid = newValue } }
  }

  /// The real group id, when known.
  public var gid: UInt32? {
    get { storage.fields.gid }
    set { update { $0.gid = newValue } }
  }

  /// The user name of ``uid`` from `/etc/passwd`, when it has one.
  public var username: String? {
    get { storage.fields.username }
    set { update { $0.username = newValue } }
  }

  /// The cgroup v2 id (the inode of the cgroup's directory), when the kernel reported it.
  public var cgroupID: UInt64? {
    get { storage.fields.cgroupID }
    set { update { $0.cgroupID = newValue } }
  }

  /// When the process started, in clock ticks after boot (field 22 of `/proc/PID/stat`), when known.
  public var startTime: UInt64? {
    get { storage.fields.startTime }
    set { update { $0.startTime = newValue } }
  }

  /// Where these fields come from.
  public var origin: Origin {
    get { storage.fields.origin }
    set { update { $0.origin = newValue } }
  }

  /// The command line's arguments (`/proc/PID/cmdline` split at its NULs); empty when unknown. Setting them sets
  /// ``cmdline``.
  public var args: [String] {
    get { storage.fields.args }
    set {
      update {
        $0.args = newValue
        $0.cmdline = newValue.joined(separator: " ")
      }
    }
  }

  /// The arguments joined by spaces (kept, so reading `ps.cmdline` per event does not join them again).
  public var cmdline: String { storage.fields.cmdline }

  /// The cgroup v2 path relative to the cgroup2 mount (`/system.slice/docker-….scope`), when known. Setting it sets
  /// ``containerID``.
  public var cgroupPath: String? {
    get { storage.fields.cgroupPath }
    set {
      update {
        $0.cgroupPath = newValue
        $0.containerID = newValue.flatMap { ContainerID.parse(cgroupPath: $0) }
      }
    }
  }

  /// The container's 64-hex id, when ``cgroupPath`` names a container (see ``ContainerID``).
  public var containerID: String? { storage.fields.containerID }

  /// Whether these fields can be kept: false for a process read in the middle of an exec, which already has its new
  /// `exe` but not yet its arguments (the kernel releases a `vfork` parent such as `posix_spawn`'s before it sets up
  /// the new arguments, so `/proc/PID/cmdline` is briefly empty). Kernel threads have neither and are settled.
  public var isSettled: Bool { origin == .kernel || exe == nil || !args.isEmpty }

  /// Reads `/proc/PID` under `procRoot` now; nil when the process is gone (its `stat` cannot be read). Fields that
  /// cannot be read (another user's `exe` without privileges, a kernel thread's) stay nil.
  public static func read(pid: Int32, procRoot: String = "/proc") -> HostProcess? {
    let directory = "\(procRoot)/\(pid)"
    guard let statText = ProcText.readText(directory + "/stat"), let stat = ProcText.stat(statText) else {
      return nil
    }
    let ids = ProcText.readText(directory + "/status").flatMap { ProcText.ids(status: $0) }
    return HostProcess(
      pid: pid,
      ppid: stat.ppid,
      name: stat.name,
      exe: ProcText.readLink(directory + "/exe").map { ProcText.executable(link: $0) },
      args: ProcText.read(directory + "/cmdline").map { ProcText.arguments(cmdline: $0) } ?? [],
      cwd: ProcText.readLink(directory + "/cwd"),
      uid: ids?.uid,
      gid: ids?.gid,
      cgroupPath: ProcText.readText(directory + "/cgroup").flatMap { ProcText.unifiedCgroupPath($0) },
      startTime: stat.startTime,
      origin: .procfs
    )
  }
}
