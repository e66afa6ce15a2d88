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
