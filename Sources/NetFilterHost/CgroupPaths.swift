import Foundation
import Synchronization

/// Cgroup v2 ids to paths. A cgroup's id is the inode number of its directory under the cgroup2 mount, so the table
/// is a walk of that tree; it is walked again on a miss, at most once a second (a cgroup created since the last walk
/// is found on a later event; ids of removed cgroups stay until the next walk).
public final class CgroupPaths: Sendable {
  private struct State {
    var paths: [UInt64: String] = [:]
    var scanned: ContinuousClock.Instant?
  }

  /// The cgroup2 mount point (`/sys/fs/cgroup`, or `/sys/fs/cgroup/unified` on a hybrid hierarchy); nil when no
  /// cgroup2 file system is mounted.
  public let mountPoint: String?
  /// The least time between two walks of the tree.
  public let rescanInterval: Duration
  private let state = Mutex(State())

  /// Paths of the cgroup2 file system mounted at `mountPoint`, by default the first one in `/proc/mounts`.
  public init(mountPoint: String? = CgroupPaths.findMountPoint(), rescanInterval: Duration = .seconds(1)) {
    self.mountPoint = mountPoint
    self.rescanInterval = rescanInterval
  }

  /// The first cgroup2 mount point in `mounts` (the text of `/proc/mounts`).
  public static func findMountPoint(mounts: String? = ProcText.readText("/proc/mounts")) -> String? {
    mounts.flatMap { ProcText.cgroup2MountPoint(mounts: $0) }
  }

  /// The path of cgroup `id` relative to the mount, as `/proc/PID/cgroup` writes it (`/` for the root,
  /// `/system.slice/ssh.service`); nil when no cgroup has that id (as of the last walk).
  public func path(id: UInt64) -> String? {
    let now = ContinuousClock.now
    let lookup: (path: String?, scan: Bool) = state.withLock { state in
      if let path = state.paths[id] { return (path, false) }
      if let scanned = state.scanned, now - scanned < rescanInterval { return (nil, false) }
      state.scanned = now
      return (nil, true)
    }
    guard lookup.scan, let mountPoint else { return lookup.path }
    let paths = Self.walk(mountPoint: mountPoint)
    state.withLock { $0.paths = paths }
    return paths[id]
  }

  /// The number of cgroups found by the last walk.
  public var count: Int { state.withLock { $0.paths.count } }

  /// Every directory under `mountPoint`, by inode number.
  public static func walk(mountPoint: String) -> [UInt64: String] {
    var paths: [UInt64: String] = [:]
    var pending = [""]
    let files = FileManager.default
    while let relative = pending.popLast() {
      let absolute = mountPoint + relative
      guard let attributes = try? files.attributesOfItem(atPath: absolute),
        attributes[.type] as? FileAttributeType == .typeDirectory,
        let inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value
      else { continue }
      paths[inode] = relative.isEmpty ? "/" : relative
      for name in (try? files.contentsOfDirectory(atPath: absolute)) ?? [] where mayBeCgroup(absolute + "/" + name) {
        pending.append(relative + "/" + name)
      }
    }
    return paths
  }

  /// Whether the entry at `path` may be a child cgroup. Every interface file of a cgroup is named
  /// `controller.knob` (`cgroup.procs`, `memory.max`), so any other name is a directory, checked when it is
  /// visited; a name with a controller's prefix is checked now (a child may be called `cpu.batch`).
  private static func mayBeCgroup(_ path: String) -> Bool {
    let name = path[path.index(after: path.lastIndex(of: "/")!)...]
    guard let dot = name.firstIndex(of: "."), knobPrefixes.contains(name[..<dot]) else { return true }
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
  }

  private static let knobPrefixes: Set<Substring> = [
    "cgroup", "cpu", "cpuset", "io", "irq", "memory", "pids", "rdma", "hugetlb", "misc", "dmem",
  ]
}
