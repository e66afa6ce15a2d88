import Foundation
import Testing

@testable import NetFilterHost

@Suite("Processes and cgroups read from the real /proc")
struct LiveProcessTests {
  @Test("A spawned sleep: exe, args, cmdline, ppid, uid, gid, user name, cwd, cgroup, start time")
  func sleepProcess() throws {
    let cwd = FileManager.default.temporaryDirectory.resolvingSymlinksInPath().path
    let child = try Spawn.start("/bin/sleep", ["29", "1"], cwd: cwd)
    defer { child.stop() }
    let table = ProcessTable()
    let process = try #require(table.process(pid: child.pid))
    let own = try #require(HostProcess.read(pid: Me.pid))
    #expect(process.origin == .procfs && process.pid == child.pid && process.name == "sleep")
    #expect(process.exe == URL(fileURLWithPath: "/bin/sleep").resolvingSymlinksInPath().path)
    #expect(process.args == ["/bin/sleep", "29", "1"] && process.cmdline == "/bin/sleep 29 1")
    #expect(process.ppid == Me.pid && process.uid == Me.uid && process.gid == Me.gid)
    #expect(process.username == table.userName(uid: Me.uid) && process.username != nil)
    #expect(process.cwd == cwd)
    #expect(process.cgroupPath == own.cgroupPath && process.cgroupPath != nil)
    #expect(try #require(process.startTime) >= own.startTime ?? .max)
  }

  @Test("A deleted executable whose name holds ') ' and spaces: exe without ' (deleted)', name intact")
  func deletedExecutable() throws {
    let directory = NSTemporaryDirectory() + "netfilter-host-exe-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/sl) ee (p"
    try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: path)
    let child = try Spawn.start(path, ["30"])
    defer { child.stop() }
    try FileManager.default.removeItem(atPath: path)
    let process = try #require(ProcessTable().process(pid: child.pid))
    #expect(process.name == "sl) ee (p" && process.exe == path)
    #expect(process.args == [path, "30"])
    #expect(process.ppid == Me.pid)
  }

  @Test("An exited process: nil from /proc, the kernel's data with a kernel origin")
  func exitedProcess() throws {
    let child = try Spawn.start("/bin/true", [])
    child.stop()
    let table = ProcessTable()
    #expect(table.process(pid: child.pid) == nil)
    let kernel = KernelProcess(pid: child.pid, name: "true", uid: Me.uid, ppid: Me.pid, cgroupID: 1)
    let process = ProcessTable(cgroups: CgroupPaths()).process(pid: child.pid, kernel: kernel)
    #expect(process.origin == .kernel && process.name == "true" && process.ppid == Me.pid)
    #expect(process.username == table.userName(uid: Me.uid) && process.cgroupPath == "/")
  }

  @Test("The cgroup2 mount is found in /proc/mounts and this process's cgroup resolves from its id")
  func ownCgroup() throws {
    let cgroups = CgroupPaths()
    let mount = try #require(cgroups.mountPoint)
    let own = try #require(HostProcess.read(pid: Me.pid)?.cgroupPath)
    let id = try inode(mount + (own == "/" ? "" : own))
    #expect(cgroups.path(id: id) == own)
    #expect(cgroups.path(id: try inode(mount)) == "/")
    #expect(cgroups.path(id: 0xFFFF_FFFF_FFFF) == nil)
  }

  @Test(
    "A container-like child cgroup: path by id, rescan at most once per interval, ProcessTable's container id",
    .enabled(if: CgroupSandbox.available, "needs a writable cgroup2 mount (root)")
  )
  func childCgroup() throws {
    let sandbox = try CgroupSandbox()
    defer { sandbox.remove() }
    let cgroups = CgroupPaths(rescanInterval: .milliseconds(300))
    #expect(cgroups.path(id: try inode(sandbox.mount)) == "/")
    let containerID = String(repeating: "5e", count: 32)
    let scope = try sandbox.create("docker-\(containerID).scope")
    let id = try inode(sandbox.mount + scope)
    #expect(cgroups.path(id: id) == nil)  // created after the walk, within the interval
    Thread.sleep(forTimeInterval: 0.35)
    #expect(cgroups.path(id: id) == scope)
    let knobLike = try sandbox.create("cpu.batch")  // named like an interface file, still a cgroup
    let walked = CgroupPaths.walk(mountPoint: sandbox.mount)
    #expect(walked[try inode(sandbox.mount + knobLike)] == knobLike)
    #expect(Set(walked.values.filter { $0.hasPrefix("/" + sandbox.name) }) == ["/" + sandbox.name, scope, knobLike])
    let child = try Spawn.start("/bin/sleep", ["30"])
    defer { child.stop() }
    try sandbox.move(pid: child.pid, to: scope)
    let process = try #require(ProcessTable().process(pid: child.pid))
    #expect(process.cgroupPath == scope && process.containerID == containerID)
    child.stop()
    let kernel = KernelProcess(pid: child.pid, name: "sleep", uid: Me.uid, cgroupID: id)
    let gone = ProcessTable(cgroups: cgroups).process(pid: child.pid, kernel: kernel)
    #expect(gone.origin == .kernel && gone.cgroupPath == scope && gone.containerID == containerID)
  }
}

/// A cgroup of this test run under the cgroup2 mount, removed with everything below it.
struct CgroupSandbox {
  let mount: String
  let name = "netfilter-host-test-\(UUID().uuidString.prefix(8))"

  static var available: Bool {
    guard let mount = CgroupPaths.findMountPoint() else { return false }
    return getuid() == 0 && FileManager.default.isWritableFile(atPath: mount)
  }

  init() throws {
    mount = try #require(CgroupPaths.findMountPoint())
    try FileManager.default.createDirectory(atPath: mount + "/" + name, withIntermediateDirectories: false)
  }

  /// Creates `child` inside the sandbox; returns its path relative to the mount.
  func create(_ child: String) throws -> String {
    let path = "/" + name + "/" + child
    try FileManager.default.createDirectory(atPath: mount + path, withIntermediateDirectories: false)
    return path
  }

  func move(pid: Int32, to path: String) throws {
    try "\(pid)\n".write(toFile: mount + path + "/cgroup.procs", atomically: false, encoding: .utf8)
  }

  /// Removes the sandbox's cgroups, deepest first (a cgroup directory is removed with rmdir, not by its files).
  func remove() {
    let files = FileManager.default
    let root = mount + "/" + name
    let children = (try? files.contentsOfDirectory(atPath: root)) ?? []
    for child in children { rmdir(root + "/" + child) }  // fails, harmlessly, on the interface files
    rmdir(root)
  }
}
