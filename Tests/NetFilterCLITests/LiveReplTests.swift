import Foundation
import Testing

/// `:live` in `netfilter repl`: a sample from live capture as root, the run command's hint without.
@Suite(.serialized, .enabled(if: Live.available, "needs root, BPF, BTF, cgroup v2, bpftool and curl"))
struct LiveReplTests {
  @Test func liveFillsTheSampleFromLoopbackTraffic() throws {
    let port: UInt16 = 19042
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Live.binary)
    process.arguments = ["repl"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    input.fileHandleForWriting.write(Data(":live 3\nnet.dport = \(port) and net.l4.proto = 'UDP'\n".utf8))
    try input.fileHandleForWriting.close()
    // Datagrams to a port of this suite's range, for the capture's 3 seconds (bounded: 40 sends).
    let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    for _ in 0..<40 {
      let sent = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          sendto(socket, "ping", 4, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      #expect(sent == 4)
      Thread.sleep(forTimeInterval: 0.1)
    }
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(text)")
    #expect(text.hasPrefix("loaded "), "\(text)")
    let counts = text.split(separator: "\n").first { $0.contains(" events match") }?.split(separator: " ")
    let matched = counts.flatMap { Int($0[0]) } ?? 0
    #expect(matched > 0, "\(text)")
    let plan = text.split(separator: "\n").first { $0.hasPrefix("kernel plan passes ") }?.split(separator: " ")
    let passed = plan.flatMap { Int($0[3]) } ?? -1
    #expect(passed >= matched, "\(text)")
  }
}

/// Ctrl-C ends a `:live` capture early on a terminal, keeping what it captured.
@Suite(.serialized, .enabled(if: Live.available, "needs root, BPF, BTF, cgroup v2, bpftool and curl"))
struct LiveReplTerminalTests {
  @Test func ctrlCEndsALiveSampleEarly() throws {
    let terminal = try TerminalSession(
      "'\(TerminalSession.executable())' repl --no-history",
      environment: ["EDITRC": "/dev/null", "LANG": "C.UTF-8", "TERM": "xterm"]
    )
    try terminal.waitForPrompt()
    try terminal.type(":live 60")
    try terminal.press("Enter")
    Thread.sleep(forTimeInterval: 2)
    let start = Date()
    try terminal.press("C-c")
    try terminal.wait(for: "interrupted: loaded ", seconds: 10)
    #expect(Date().timeIntervalSince(start) < 10)
    try terminal.waitForPrompt()
    try terminal.press("C-d")
    try terminal.wait(for: "EXIT=0")
  }
}

/// Without privileges, `:live` gives the run command's hint and the session goes on.
@Suite(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
struct LiveReplUnavailableTests {
  @Test func unprivilegedLiveSaysWhyAndTheSessionGoesOn() throws {
    let copy = try Live.binaryForNobody()
    defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
    process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", copy.path, "repl", "--no-history"]
    let (input, output, errors) = (Pipe(), Pipe(), Pipe())
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    input.fileHandleForWriting.write(Data(":live 1\nnet.dport = 53\n".utf8))
    try input.fileHandleForWriting.close()
    let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let result = (status: process.terminationStatus, stdout: stdout, stderr: stderr)
    #expect(result.status == 1)
    #expect(result.stderr.contains("error: live capture is not available here: not running as root"))
    #expect(result.stderr.contains("hint: replay a capture with :load FILE.pcap"))
    #expect(result.stdout.contains("net.dport = 53\n(valid;"))
  }
}
