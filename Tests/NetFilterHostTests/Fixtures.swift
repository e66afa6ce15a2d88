import Foundation
import Testing

@testable import NetFilterHost

/// A fake `/proc` (and `/etc/passwd`) in a temporary directory, for ProcessTable tests that must control what the
/// file system says, and see that a cache hit does not read it.
final class FakeProc {
  let root: String
  let passwd: String

  init() throws {
    root = NSTemporaryDirectory() + "netfilter-host-proc-\(UUID().uuidString)"
    passwd = root + "/passwd"
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    try "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:100::/home/alice:/bin/sh\n"
      .write(toFile: passwd, atomically: true, encoding: .utf8)
  }

  deinit { try? FileManager.default.removeItem(atPath: root) }

  /// Writes `/proc/PID` for a process with these fields.
  func add(pid: Int32, name: String, ppid: Int32 = 1, uid: UInt32 = 1000, args: [String]? = nil, cgroup: String = "/")
    throws
  {
    let directory = "\(root)/\(pid)"
    let files = FileManager.default
    try? files.removeItem(atPath: directory)
    try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let stat = "\(pid) (\(name)) S \(ppid) \(pid) \(pid) 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 \(4242 + Int(pid)) 0 0\n"
    try stat.write(toFile: directory + "/stat", atomically: true, encoding: .utf8)
    try "Name:\t\(name)\nUid:\t\(uid)\t\(uid)\t\(uid)\t\(uid)\nGid:\t100\t100\t100\t100\n"
      .write(toFile: directory + "/status", atomically: true, encoding: .utf8)
    try Data((args ?? [name]).flatMap { Array($0.utf8) + [0] }).write(to: URL(fileURLWithPath: directory + "/cmdline"))
    try "0::\(cgroup)\n".write(toFile: directory + "/cgroup", atomically: true, encoding: .utf8)
    try files.createSymbolicLink(atPath: directory + "/exe", withDestinationPath: "/usr/bin/\(name) (deleted)")
    try files.createSymbolicLink(atPath: directory + "/cwd", withDestinationPath: "/home/\(name)")
  }

  func remove(pid: Int32) throws {
    try FileManager.default.removeItem(atPath: "\(root)/\(pid)")
  }
}

/// Child processes for the tests that read the real `/proc`.
enum Spawn {
  /// Starts `executable` with `arguments`, its standard input and output on pipes.
  static func start(_ executable: String, _ arguments: [String], cwd: String? = nil) throws -> Child {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    let child = Child(process: process, input: input, output: output)
    child.waitForExec()
    return child
  }
}

/// A running child process; ``stop()`` ends it and waits.
final class Child {
  let process: Process
  let input: Pipe
  let output: Pipe
  private var buffered = Data()

  init(process: Process, input: Pipe, output: Pipe) {
    self.process = process
    self.input = input
    self.output = output
  }

  var pid: Int32 { process.processIdentifier }

  /// The next line of the child's standard output (nil at its end).
  func readLine() -> String? {
    while true {
      if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
        let line = String(decoding: buffered[..<newline], as: UTF8.self)
        buffered.removeSubrange(...newline)
        return line
      }
      let more = output.fileHandleForReading.availableData
      if more.isEmpty { return nil }
      buffered.append(more)
    }
  }

  /// The `key=value` words of the next output line.
  func readFields() throws -> [String: String] {
    let line = try #require(readLine())
    return Dictionary(
      line.split(separator: " ").map { word in
        let parts = word.split(separator: "=", maxSplits: 1)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
      },
      uniquingKeysWith: { $1 }
    )
  }

  /// Waits (up to two seconds) until the child's exec has set up its arguments: a `vfork`-style spawn returns
  /// before the kernel fills `/proc/PID/cmdline`.
  func waitForExec() {
    for _ in 0..<200 {
      if let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty { return }
      let stat = ProcText.readText("/proc/\(pid)/stat").flatMap { ProcText.stat($0) }
      if stat == nil || stat?.state == "Z" { return }  // exited already
      Thread.sleep(forTimeInterval: 0.01)
    }
  }

  /// Kills the child (SIGKILL: a child of the test runner may inherit SIGTERM blocked) and waits for it.
  func stop() {
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
  }
}

/// This test process's own facts, from the kernel.
enum Me {
  static var pid: Int32 { ProcessInfo.processInfo.processIdentifier }
  static var uid: UInt32 { getuid() }
  static var gid: UInt32 { getgid() }
}
