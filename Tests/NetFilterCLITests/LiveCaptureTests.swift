import Foundation
import NetFilterBPF
import NetFilterCLI
import Testing

/// Live capture end to end, as root: netfilter's programs attached to the cgroup-v2 root, curl
/// against a local http.server, the exact events, then nothing of ours left in the kernel.
/// Traffic goes to 127.0.0.1 only; every run is bounded by --duration.
@Suite(.serialized, .enabled(if: Live.available, "needs root, BPF, BTF, cgroup v2, bpftool and curl"))
struct LiveCaptureTests {
  static let requests = 3

  /// Runs `netfilter run ARGS` in-process on another thread while `drive` runs once the programs are
  /// attached; checks what this process loaded (so other captures running meanwhile do not count) and
  /// that all of it is gone afterwards.
  private func capture(_ arguments: [String], drive: () throws -> Void) async throws -> CLIResult {
    let task = Task.detached { runCLI(["run"] + arguments) }
    var held = HeldBPF()
    let attached = LiveNetwork.waitUntil(seconds: 20) {
      held = HeldBPF(pid: Int(getpid()))
      return held.attached && held.links.count == Live.programCount
    }
    #expect(attached, "the programs were never attached")
    #expect(
      held.programs.count == Live.programCount && held.maps.count == Live.mapCount
        && held.links.count == Live.programCount,
      "\(held)"
    )
    try drive()
    let result = await task.value
    try Self.expectGone(held)
    return result
  }

  /// Waits until nothing of `held` is left in the kernel (maps are freed after their last reference,
  /// tries and hashes through RCU).
  static func expectGone(_ held: HeldBPF) throws {
    var left: [String] = []
    _ = try LiveNetwork.waitUntil(seconds: 10) {
      left = try held.stillLoaded()
      return left.isEmpty
    }
    #expect(left.isEmpty, "left behind: \(left)")
  }

  @Test func curlRequestsAreCapturedOnEgressAndAttributedToTheirProcesses() async throws {
    let server = try LocalHTTPServer()
    defer { server.stop() }
    let port = server.port
    var curls: [Int32] = []
    let filter = "(net.dport = \(port) or net.sport = \(port)) and net.direction = 'egress'"
    let result = try await capture(["--output", "json", "--duration", "4", filter]) {
      for _ in 0..<Self.requests { curls.append(try Live.curl(port: port)) }
    }
    #expect(result.status == 0, "\(result.stderr)")
    let events = Live.events(result.stdout)
    let curlPIDs = Set(curls.map(Int.init))

    let requests = events.filter { $0.name == "net_packet_http_request" }
    #expect(requests.count == Self.requests)
    #expect(requests.allSatisfy { $0.processName == "curl" })
    #expect(Set(requests.map(\.processID)) == curlPIDs)

    let responses = events.filter { $0.name == "net_packet_http_response" }
    #expect(responses.count == Self.requests)
    #expect(responses.allSatisfy { $0.processID == Int(server.process.processIdentifier) })

    let tcp = events.filter { $0.name == "net_packet_tcp" }
    let syns = tcp.filter { $0.tcpFlag("SYN") == 1 && $0.tcpFlag("ACK") == 0 }
    #expect(syns.count == Self.requests)
    #expect(Set(syns.map(\.processID)) == curlPIDs, "a connect() attributes the SYN to curl")
    #expect(tcp.filter { $0.tcpFlag("SYN") == 1 && $0.tcpFlag("ACK") == 1 }.count == Self.requests)
    #expect(tcp.filter { $0.tcpFlag("FIN") == 1 }.count == 2 * Self.requests)
    #expect(
      events.allSatisfy {
        ($0.arguments["dst_port"] as? Int == port) != ($0.arguments["src_port"] as? Int == port)
          || $0.name.hasPrefix("net_packet_http")
      }
    )
  }

  @Test func statsAreOneJSONObjectOnTheLastLineOfStandardError() async throws {
    let server = try LocalHTTPServer()
    defer { server.stop() }
    let port = server.port
    let filter = "net.dport = \(port) or net.sport = \(port)"
    let result = try await capture(["--output", "json", "--stats", "--duration", "3", filter]) {
      _ = try Live.curl(port: port)
    }
    #expect(result.status == 0, "\(result.stderr)")
    let last = try #require(result.stderr.split(separator: "\n").last)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
    #expect(Set(object.keys) == ["received", "matched", "lost", "malformed", "kernel"])
    let stats = object.compactMapValues { $0 as? Int }
    // The kernel saw at least what reached user space, and its plan passed only some of it.
    let kernel = try #require(object["kernel"] as? [String: Any])
    let seen = try #require(kernel["seen"] as? Int)
    let passed = try #require(kernel["passed"] as? Int)
    #expect(seen >= passed && passed >= stats["received"] ?? 0 && passed < seen, "\(kernel)")
    let printed = Live.events(result.stdout)
    #expect(stats["matched"] == printed.count)
    #expect(printed.count >= 2 * 10, "each loopback packet is seen on egress and on ingress")
    #expect(stats["received"]! >= stats["matched"]!)
    #expect(stats["lost"] == 0)
    #expect(stats["malformed"] == 0)
    // Each packet is seen twice on loopback: once leaving curl's socket and once arriving.
    #expect(printed.filter { $0.name == "net_packet_http_request" }.count == 2)
    #expect(printed.filter { $0.name == "net_packet_http_response" && $0.processName == "curl" }.count == 1)
  }

  @Test func countStopsTheCaptureEarly() async throws {
    let server = try LocalHTTPServer()
    defer { server.stop() }
    let port = server.port
    let started = Date()
    let result = try await capture(["--output", "json", "--count", "1", "--duration", "8", "net.dport = \(port)"]) {
      _ = try Live.curl(port: port)
    }
    #expect(result.status == 0)
    #expect(Live.events(result.stdout).count == 1)
    #expect(Date().timeIntervalSince(started) < 7)
  }

  @Test func macrosNameTheFilterOfALiveCapture() async throws {
    let server = try LocalHTTPServer()
    defer { server.stop() }
    let port = server.port
    let macros = FileManager.default.temporaryDirectory.appendingPathComponent("live-macros-\(getpid()).yml")
    try "- macro: to_server\n  expr: \"net.dport = \(port) and net_packet_http_request\"\n".write(
      to: macros,
      atomically: true,
      encoding: .utf8
    )
    defer { try? FileManager.default.removeItem(at: macros) }
    let arguments = ["--macros", macros.path, "--output", "json", "--count", "1", "--duration", "8", "to_server"]
    let result = try await capture(arguments) { _ = try Live.curl(port: port) }
    #expect(result.status == 0, "\(result.stderr)")
    let events = Live.events(result.stdout)
    #expect(events.count == 1 && events.first?.name == "net_packet_http_request", "\(result.stdout)")
  }

  @Test func pingIntoATestNamespaceGivesEchoRequestsAndReplies() async throws {
    let namespace = try DualStackNamespace()
    defer { namespace.remove() }
    let peer = namespace.peer4
    var ping: Int32 = 0
    let filter = "net.l4.proto = 'ICMP' and (net.sip = \(peer) or net.dip = \(peer))"
    let result = try await capture(["--output", "json", "--duration", "3", filter]) {
      let run = try Live.run("/usr/bin/ping", ["-c", "2", "-i", "0.2", "-W", "1", peer])
      #expect(run.status == 0, "ping \(peer) failed")
      ping = run.pid
    }
    #expect(result.status == 0, "\(result.stderr)")
    let events = Live.events(result.stdout)
    let typeCode = { (event: LiveJSONEvent) in (event.arguments["proto_icmp"] as? [String: Any])?["typeCode"] as? String
    }
    #expect(events.allSatisfy { $0.name == "net_packet_icmp" })
    // Requests leave this host's ping socket; each reply is seen leaving the namespace (the
    // kernel's ICMP socket, no process) and arriving at ping's socket.
    #expect(events.filter { typeCode($0) == "EchoRequest" }.count == 2)
    #expect(events.filter { typeCode($0) == "EchoReply" }.count == 4)
    let attributed = events.filter { !$0.processName.isEmpty }
    #expect(attributed.allSatisfy { $0.processName == "ping" && $0.processID == Int(ping) })
    // cgroup/sock_create saw ping's socket before its first send: every request is attributed.
    #expect(attributed.filter { typeCode($0) == "EchoRequest" }.count == 2)
  }

  @Test func aServerStartedDuringTheCaptureIsAttributedOnEveryPacket() async throws {
    var server: LocalHTTPServer?
    defer { server?.stop() }
    var curl: Int32 = 0
    let result = try await capture([
      "--output", "json", "--duration", "3", "net.l4.proto = 'TCP' and net.sip = 127.0.0.1",
    ]) {
      let started = try LocalHTTPServer()
      server = started
      curl = try Live.curl(port: started.port)
    }
    let running = try #require(server)
    let port = running.port
    let events = Live.events(result.stdout).filter {
      [
        $0.arguments["src_port"], $0.arguments["dst_port"], $0.value("metadata", "src_port"),
        $0.value("metadata", "dst_port"),
      ]
      .contains { $0 as? Int == port }
    }
    #expect(events.count >= 20)
    // bind() gave the listening port's owner; the accepted socket inherits it when established.
    let owners = Set(events.map { "\($0.processName):\($0.processID)" })
    #expect(owners == ["curl:\(curl)", "python3:\(running.process.processIdentifier)"])
    let requests = events.filter { $0.name == "net_packet_http_request" }
    #expect(requests.map(\.processName).sorted() == ["curl", "python3"], "leaving curl, arriving at the server")
  }

  @Test func ipv6LoopbackIsCapturedAndAttributed() async throws {
    var server: LocalHTTPServer?
    defer { server?.stop() }
    var curl: Int32 = 0
    let filter = "net.sip = ::1 and net.direction = 'egress' and net_packet_http"
    let result = try await capture(["--output", "json", "--duration", "3", filter]) {
      let started = try LocalHTTPServer(host: "::1")
      server = started
      curl = try Live.curl(port: started.port, host: "::1")
    }
    let running = try #require(server)
    let events = Live.events(result.stdout)
    #expect(events.map(\.name) == ["net_packet_http_request", "net_packet_http_response"])
    #expect(events.first?.processID == Int(curl))
    #expect(events.last?.processID == Int(running.process.processIdentifier))
    #expect(events.allSatisfy { $0.arguments["metadata"] != nil })
  }

  @Test(arguments: [SIGINT, SIGTERM])
  func aSignalStopsTheBinaryCleanly(signal: Int32) throws {
    let started = try Live.start(["run", "--stats", "--duration", "30", "net.dport = 1"])
    defer { if started.process.isRunning { kill(started.process.processIdentifier, SIGKILL) } }
    var held = HeldBPF()
    #expect(
      LiveNetwork.waitUntil(seconds: 20) {
        held = HeldBPF(pid: Int(started.process.processIdentifier))
        return held.attached && held.links.count == Live.programCount
      }
    )
    let sent = Date()
    kill(started.process.processIdentifier, signal)
    started.process.waitUntilExit()
    #expect(Date().timeIntervalSince(sent) < 5, "the signal stopped the capture, not --duration")
    #expect(started.process.terminationReason == .exit)
    #expect(started.process.terminationStatus == 0)
    let err = try String(contentsOf: started.err, encoding: .utf8)
    #expect(err.hasPrefix("{\"received\":0,\"matched\":0,\"lost\":0,\"malformed\":0,\"kernel\":{"), "\(err)")
    #expect(err.hasSuffix("}}\n") && err.split(separator: "\n").count == 1, "\(err)")
    try Self.expectGone(held)
  }
}

/// Without privileges live capture is refused with exit 77 and what is missing (run as root,
/// dropping to nobody with setpriv).
@Suite(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
struct LiveCaptureUnavailableTests {
  @Test func anUnprivilegedRunExitsWith77AndSaysWhy() throws {
    let copy = try Live.binaryForNobody()
    defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
    process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", copy.path, "run", "net.dport = 53"]
    let err = Pipe()
    process.standardError = err
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 77)
    #expect(text.contains("error: live capture is not available here: not running as root"))
    #expect(text.contains("--pcap FILE") && text.contains("--input FILE"))
  }

  /// Capabilities, not the uid, decide: user nobody granted CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN
  /// (as the exit-77 message asks) captures a connection attempt to a port of the test's own.
  @Test func theCapabilitiesTheMessageAsksForAreEnough() throws {
    let copy = try Live.binaryForNobody()
    defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
    let capabilities = "+bpf,+perfmon,+net_admin"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
    process.arguments = [
      "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=\(capabilities)",
      "--ambient-caps=\(capabilities)", copy.path, "run", "--duration", "4", "--output", "json", "net.dport = 19971",
    ]
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    Thread.sleep(forTimeInterval: 2)
    _ = try? Live.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "--max-time", "1", "http://127.0.0.1:19971/"])
    let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(text)")
    #expect(Live.events(printed).contains { $0.name == "net_packet_tcp" }, "\(printed)\n\(text)")
  }
}
