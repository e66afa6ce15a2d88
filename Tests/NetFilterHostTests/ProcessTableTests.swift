import Foundation
import Testing

@testable import NetFilterHost

@Suite("ProcessTable over a fake /proc")
struct ProcessTableTests {
  @Test("A miss reads every field; the user name comes from passwd, the container from the cgroup")
  func readsFields() throws {
    let proc = try FakeProc()
    let id = String(repeating: "ab", count: 32)
    try proc.add(pid: 321, name: "a) b", ppid: 7, args: ["/usr/bin/x", "-v", "two words"], cgroup: "/docker/\(id)")
    let table = ProcessTable(procRoot: proc.root, passwdPath: proc.passwd)
    let process = try #require(table.process(pid: 321))
    #expect(process.pid == 321 && process.ppid == 7 && process.name == "a) b")
    #expect(process.exe == "/usr/bin/a) b")
    #expect(process.args == ["/usr/bin/x", "-v", "two words"] && process.cmdline == "/usr/bin/x -v two words")
    #expect(process.cwd == "/home/a) b")
    #expect(process.uid == 1000 && process.gid == 100 && process.username == "alice")
    #expect(process.cgroupPath == "/docker/\(id)" && process.containerID == id)
    #expect(process.startTime == 4242 + 321 && process.origin == .procfs && process.cgroupID == nil)
  }

  @Test("A hit does not read the file system; forget makes the next call read it again")
  func hitAndForget() throws {
    let proc = try FakeProc()
    try proc.add(pid: 10, name: "first")
    let table = ProcessTable(procRoot: proc.root, passwdPath: proc.passwd)
    let first = try #require(table.process(pid: 10))
    try proc.remove(pid: 10)
    #expect(table.process(pid: 10) == first)
    try proc.add(pid: 10, name: "second")
    #expect(table.process(pid: 10)?.name == "first")
    table.forget(pid: 10)
    #expect(table.process(pid: 10)?.name == "second")
  }

  @Test("A gone process is nil, and stays remembered as gone until forgotten")
  func gone() throws {
    let proc = try FakeProc()
    let table = ProcessTable(procRoot: proc.root, passwdPath: proc.passwd)
    #expect(table.process(pid: 99) == nil)
    #expect(table.count == 1)
    try proc.add(pid: 99, name: "late")
    #expect(table.process(pid: 99) == nil)
    table.forget(pid: 99)
    #expect(table.process(pid: 99)?.name == "late")
  }

  @Test("A gone process with kernel data: what the kernel knew, with the user name and the cgroup's path")
  func kernelFallback() throws {
    let proc = try FakeProc()
    let mount = proc.root + "/cgroup"
    let id = String(repeating: "c0", count: 32)
    try FileManager.default.createDirectory(
      atPath: mount + "/system.slice/crio-\(id).scope",
      withIntermediateDirectories: true
    )
    let cgroupID = try inode(mount + "/system.slice/crio-\(id).scope")
    let table = ProcessTable(procRoot: proc.root, passwdPath: proc.passwd, cgroups: CgroupPaths(mountPoint: mount))
    let kernel = KernelProcess(pid: 55, name: "curl", uid: 0, ppid: 54, cgroupID: cgroupID)
    let process = table.process(pid: 55, kernel: kernel)
    #expect(process.origin == .kernel && process.name == "curl" && process.ppid == 54)
    #expect(process.uid == 0 && process.username == "root" && process.gid == nil)
    #expect(process.cgroupID == cgroupID && process.cgroupPath == "/system.slice/crio-\(id).scope")
    #expect(process.containerID == id)
    #expect(process.exe == nil && process.args.isEmpty && process.cmdline.isEmpty && process.startTime == nil)
    #expect(table.process(pid: 55) == process)
    #expect(table.process(pid: 56, kernel: KernelProcess(pid: 56, name: "x", uid: 4242)).username == nil)
  }

  @Test("With kernel data, a live process keeps /proc's fields and gains the cgroup id; a new name re-reads")
  func kernelMerge() throws {
    let proc = try FakeProc()
    try proc.add(pid: 20, name: "sh", args: ["sh"])
    let table = ProcessTable(procRoot: proc.root, passwdPath: proc.passwd)
    let process = table.process(pid: 20, kernel: KernelProcess(pid: 20, name: "sh", uid: 1000, cgroupID: 77))
    #expect(process.origin == .procfs && process.args == ["sh"] && process.cgroupID == 77)
    try proc.add(pid: 20, name: "python3", args: ["python3", "-m", "http.server"])
    let again = table.process(pid: 20, kernel: KernelProcess(pid: 20, name: "sh", uid: 1000))
    #expect(again == process)
    let exec = table.process(pid: 20, kernel: KernelProcess(pid: 20, name: "python3", uid: 1000))
    #expect(exec.args == ["python3", "-m", "http.server"])
  }

  @Test("The table is bounded: a full table evicts its oldest entry; forgotten slots are recycled")
  func bounded() throws {
    let proc = try FakeProc()
    for pid: Int32 in 1...5 { try proc.add(pid: pid, name: "p\(pid)") }
    let table = ProcessTable(capacity: 3, procRoot: proc.root, passwdPath: proc.passwd)
    for pid: Int32 in 1...3 { _ = table.process(pid: pid) }
    try proc.add(pid: 1, name: "renamed")
    _ = table.process(pid: 4)
    #expect(table.count == 3)
    // pid 1 was evicted (read again, with its new name); pid 2 was evicted in turn to make room.
    #expect(table.process(pid: 1)?.name == "renamed")
    try proc.add(pid: 2, name: "renamed")
    #expect(table.process(pid: 2)?.name == "renamed")
    // Slots of forgotten pids go first without evicting a live entry.
    table.forget(pid: 4)
    table.forget(pid: 1)
    #expect(table.count == 1)
    _ = table.process(pid: 5)
    #expect(table.count == 2)
    try proc.add(pid: 2, name: "third")
    #expect(table.process(pid: 2)?.name == "renamed")
  }

  @Test("A process caught mid-exec (an exe but no arguments yet) is returned but not kept")
  func midExec() throws {
    let proc = try FakeProc()
    try proc.add(pid: 30, name: "curl", args: [])
    let table = ProcessTable(procRoot: proc.root, passwdPath: proc.passwd)
    let early = try #require(table.process(pid: 30))
    #expect(early.args.isEmpty && !early.isSettled && table.count == 0)
    #expect(table.process(pid: 30, kernel: KernelProcess(pid: 30, name: "curl", uid: 0)).args.isEmpty)
    #expect(table.count == 0)
    try proc.add(pid: 30, name: "curl", args: ["curl", "-s", "http://[::1]/"])
    #expect(table.process(pid: 30)?.cmdline == "curl -s http://[::1]/")
    #expect(table.count == 1)
  }

  @Test("remember stores a process as given")
  func remember() {
    let table = ProcessTable(procRoot: "/nonexistent")
    let process = HostProcess(pid: 8, ppid: 1, name: "init", args: ["/sbin/init"], origin: .kernel)
    table.remember(process)
    #expect(table.process(pid: 8) == process)
    #expect(process.cmdline == "/sbin/init")
    var changed = process
    changed.args = ["/lib/systemd/systemd", "--system"]
    #expect(changed.cmdline == "/lib/systemd/systemd --system" && table.process(pid: 8)?.cmdline == "/sbin/init")
  }
}

/// The inode number of the file at `path`.
func inode(_ path: String) throws -> UInt64 {
  let attributes = try FileManager.default.attributesOfItem(atPath: path)
  return try #require((attributes[.systemFileNumber] as? NSNumber)?.uint64Value)
}
