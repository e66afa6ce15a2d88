import Foundation
import Synchronization

/// The processes of live events, by pid: `/proc/PID` is read once per pid and kept until ``forget(pid:)`` (called
/// when the kernel reports an exec or an exit) or until the entry is the oldest of a full table.
///
/// A hit takes a lock, looks the pid up and copies the value out: no allocation, no file system access. A miss reads
/// `/proc/PID` outside the lock (about a dozen system calls). When the process is already gone — a short-lived
/// `curl` may exit before user space sees its first packet — the table returns what the kernel reported
/// (``process(pid:kernel:)``) and remembers that, so later events of the same pid do not try `/proc` again.
public final class ProcessTable: Sendable {
  private enum Entry {
    case known(HostProcess)
    case gone
  }

  private struct State {
    var entries: [Int32: (entry: Entry, serial: UInt64)] = [:]
    /// Insertion order: a ring of (pid, serial); a slot whose serial no longer matches was forgotten.
    var order: [(pid: Int32, serial: UInt64)] = []
    var head = 0
    var serial: UInt64 = 0
    var userNames: [UInt32: String] = [:]
    var userNamesRead: ContinuousClock.Instant?
  }

  /// The most entries kept; inserting into a full table evicts the oldest entry.
  public let capacity: Int
  /// Where `/proc` is.
  public let procRoot: String
  private let passwdPath: String
  private let cgroups: CgroupPaths?
  private let state: Mutex<State>

  /// A table of at most `capacity` processes read from `procRoot`, with user names from `passwdPath`; `cgroups`
  /// names the cgroup of a process known only from the kernel (its cgroup id).
  public init(
    capacity: Int = 16_384,
    procRoot: String = "/proc",
    passwdPath: String = "/etc/passwd",
    cgroups: CgroupPaths? = nil
  ) {
    self.capacity = max(1, capacity)
    self.procRoot = procRoot
    self.passwdPath = passwdPath
    self.cgroups = cgroups
    var initial = State()
    initial.entries.reserveCapacity(self.capacity)
    initial.order.reserveCapacity(self.capacity)
    state = Mutex(initial)
  }

  /// The number of entries held (including pids remembered as gone).
  public var count: Int { state.withLock { $0.entries.count } }

  /// Process `pid`: cached, or read from `/proc` now; nil when `/proc/PID` is gone and the kernel never described
  /// it (that is remembered too, until ``forget(pid:)``).
  public func process(pid: Int32) -> HostProcess? {
    switch state.withLock({ $0.entries[pid]?.entry }) {
    case .known(let process): return process
    case .gone: return nil
    case nil:
      guard let process = readProcess(pid: pid, kernel: nil) else {
        insert(.gone, pid: pid)
        return nil
      }
      if process.isSettled { insert(.known(process), pid: pid) }
      return process
    }
  }

  /// Process `pid` of an event the kernel described as `kernel`: cached, or read from `/proc` now, or — when the
  /// process is gone — built from `kernel`. A cached entry whose name differs from the kernel's (an exec or a
  /// reused pid the table was not told about) is read again.
  public func process(pid: Int32, kernel: KernelProcess) -> HostProcess {
    if case .known(let process) = state.withLock({ $0.entries[pid]?.entry }), process.name == kernel.name {
      return process
    }
    let process = readProcess(pid: pid, kernel: kernel) ?? fromKernel(kernel)
    if process.isSettled { insert(.known(process), pid: pid) }
    return process
  }

  /// Stores `process` (for instance from an exec event's data), replacing the entry of its pid.
  public func remember(_ process: HostProcess) {
    insert(.known(process), pid: process.pid)
  }

  /// Drops the entry of `pid`, so its next event reads `/proc` again.
  public func forget(pid: Int32) {
    _ = state.withLock { $0.entries.removeValue(forKey: pid) }
  }

  private func insert(_ entry: Entry, pid: Int32) {
    state.withLock { state in
      state.serial += 1
      let slot = (pid: pid, serial: state.serial)
      if state.order.count < capacity {
        state.order.append(slot)
      } else {
        let oldest = state.order[state.head]
        if state.entries[oldest.pid]?.serial == oldest.serial { state.entries[oldest.pid] = nil }
        state.order[state.head] = slot
        state.head = (state.head + 1) % capacity
      }
      state.entries[pid] = (entry, state.serial)
    }
  }

  /// `/proc/PID` with its user name, and the kernel's cgroup id when it reported one. A process read in the middle of
  /// an exec (see ``HostProcess/isSettled``) is returned but not kept, so the next event reads it again.
  private func readProcess(pid: Int32, kernel: KernelProcess?) -> HostProcess? {
    guard var process = HostProcess.read(pid: pid, procRoot: procRoot) else { return nil }
    process.username = process.uid.flatMap { userName(uid: $0) }
    if let cgroupID = kernel?.cgroupID {
      process.cgroupID = cgroupID
      if process.cgroupPath == nil { process.cgroupPath = cgroups?.path(id: cgroupID) }
    }
    return process
  }

  private func fromKernel(_ kernel: KernelProcess) -> HostProcess {
    HostProcess(
      pid: kernel.pid,
      ppid: kernel.ppid,
      name: kernel.name,
      uid: kernel.uid,
      gid: kernel.gid,
      username: userName(uid: kernel.uid),
      cgroupID: kernel.cgroupID,
      cgroupPath: kernel.cgroupID.flatMap { cgroups?.path(id: $0) },
      origin: .kernel
    )
  }

  /// The name of `uid`; `/etc/passwd` is read again on an unknown uid, at most once a second.
  public func userName(uid: UInt32) -> String? {
    let now = ContinuousClock.now
    let cached: String?? = state.withLock { state in
      if let name = state.userNames[uid] { return name }
      if let read = state.userNamesRead, now - read < .seconds(1) { return .some(nil) }
      state.userNamesRead = now
      return nil
    }
    if let cached { return cached }
    let names = ProcText.readText(passwdPath).map { ProcText.userNames(passwd: $0) } ?? [:]
    state.withLock { $0.userNames = names }
    return names[uid]
  }
}
