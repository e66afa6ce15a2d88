/// A process as user space sees it: what `/proc/PID` says, or, when the process exited before anyone read it, what
/// the kernel reported with its events. Fields that neither source knows are nil (or empty `args`).
public struct HostProcess: Equatable, Sendable {
  /// Where a ``HostProcess``'s fields come from.
  public enum Origin: Equatable, Sendable {
    /// Read from `/proc/PID` while the process was alive.
    case procfs
    /// Built from the kernel's event data: `/proc/PID` was already gone.
    case kernel
  }

  /// The process id (the thread-group id).
  public var pid: Int32
  /// The parent's process id, when known.
  public var ppid: Int32?
  /// The command name (`/proc/PID/comm` of the thread-group leader, at most 15 bytes).
  public var name: String
  /// The executable's path (`/proc/PID/exe`, without the kernel's ` (deleted)`); nil for kernel threads.
  public var exe: String?
  /// The command line's arguments (`/proc/PID/cmdline` split at its NULs); empty when unknown.
  public var args: [String]
  /// The arguments joined by spaces (kept, so reading `ps.cmdline` per event does not join them again).
  public var cmdline: String
  /// The working directory (`/proc/PID/cwd`), when known.
  public var cwd: String?
  /// The real user id, when known.
  public var uid: UInt32?
  /// The real group id, when known.
  public var gid: UInt32?
  /// The user name of ``uid`` from `/etc/passwd`, when it has one.
  public var username: String?
  /// The cgroup v2 id (the inode of the cgroup's directory), when the kernel reported it.
  public var cgroupID: UInt64?
  /// The cgroup v2 path relative to the cgroup2 mount (`/system.slice/docker-….scope`), when known.
  public var cgroupPath: String?
  /// The container's 64-hex id, when ``cgroupPath`` names a container (see ``ContainerID``).
  public var containerID: String?
  /// When the process started, in clock ticks after boot (field 22 of `/proc/PID/stat`), when known.
  public var startTime: UInt64?
  /// Where these fields come from.
  public var origin: Origin

  /// A process with the given fields; `cmdline` is `args` joined by spaces and `containerID` is parsed from
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
    self.pid = pid
    self.ppid = ppid
    self.name = name
    self.exe = exe
    self.args = args
    self.cmdline = args.joined(separator: " ")
    self.cwd = cwd
    self.uid = uid
    self.gid = gid
    self.username = username
    self.cgroupID = cgroupID
    self.cgroupPath = cgroupPath
    self.containerID = cgroupPath.flatMap { ContainerID.parse(cgroupPath: $0) }
    self.startTime = startTime
    self.origin = origin
  }

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

/// What the kernel reports about an event's process: enough to stand in for `/proc/PID` once the process is gone.
public struct KernelProcess: Equatable, Sendable {
  /// The process id (thread-group id).
  public var pid: Int32
  /// The thread-group leader's command name.
  public var name: String
  /// The real user id.
  public var uid: UInt32
  /// The real group id, when reported.
  public var gid: UInt32?
  /// The parent's process id, when reported.
  public var ppid: Int32?
  /// The cgroup v2 id, when reported.
  public var cgroupID: UInt64?

  /// The kernel's view of process `pid`.
  public init(pid: Int32, name: String, uid: UInt32, gid: UInt32? = nil, ppid: Int32? = nil, cgroupID: UInt64? = nil) {
    self.pid = pid
    self.name = name
    self.uid = uid
    self.gid = gid
    self.ppid = ppid
    self.cgroupID = cgroupID
  }
}
