import Foundation
import NetFilterBPF

/// Fixtures for the live signature tests: bounded child processes, a network namespace with a veth
/// pair and both address families, dnsmasq serving a test zone, an HTTP server answering 301, nc.
/// Everything listens on loopback or on the test's own veth pair, and every wait is bounded.
enum LiveNetwork {
  /// The programs the signature tests drive, and the package each comes from.
  static let tools: [(path: String, package: String)] = [
    ("/usr/sbin/bpftool", "bpftool"), ("/usr/sbin/dnsmasq", "dnsmasq"), ("/usr/bin/dig", "bind9-dnsutils"),
    ("/usr/bin/nslookup", "bind9-dnsutils"), ("/usr/bin/nc", "netcat-openbsd"), ("/usr/sbin/ip", "iproute2"),
    ("/usr/bin/ss", "iproute2"), ("/usr/bin/ping", "iputils-ping"), ("/usr/bin/curl", "curl"),
  ]

  /// python3, from PATH or /usr/bin.
  static let python3: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let directories = path.split(separator: ":").map(String.init) + ["/usr/bin"]
    return directories.map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
  }()

  /// What keeps the signature tests from running here, one reason per item (empty: they can run).
  static let missing: [String] = {
    var missing = BPFCapability.current.missing
    for tool in tools where !FileManager.default.isExecutableFile(atPath: tool.path) {
      missing.append("\(tool.path) is not installed (apt-get install \(tool.package))")
    }
    if python3 == nil { missing.append("python3 is not installed (apt-get install python3)") }
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/nc"),
      let help = try? run("/usr/bin/nc", ["-h"], errorToo: true), !help.output.contains("OpenBSD netcat")
    {
      missing.append(
        "/usr/bin/nc is not OpenBSD netcat (-k -u keeps one unconnected UDP socket; apt-get install netcat-openbsd)"
      )
    }
    return missing
  }()

  /// Whether the signature tests can run; says loudly why not.
  static let available: Bool = {
    if !missing.isEmpty {
      FileHandle.standardError.write(
        Data("\n*** LiveSignatureTests SKIPPED: \(missing.joined(separator: "; ")) ***\n\n".utf8)
      )
    }
    return missing.isEmpty
  }()

  /// How a bounded child process ended.
  struct Finished {
    var status: Int32
    var output: String
    var pid: Int
    var timedOut: Bool
  }

  /// Runs a program with `input` on its standard input, killing it after `timeout` seconds.
  @discardableResult
  static func run(
    _ path: String,
    _ arguments: [String],
    input: String? = nil,
    timeout: Double = 10,
    errorToo: Bool = false
  ) throws -> Finished {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let output = Pipe()
    let stdin = Pipe()
    process.standardOutput = output
    process.standardError = errorToo ? output : FileHandle.nullDevice
    process.standardInput = input == nil ? FileHandle.nullDevice : stdin
    try process.run()
    if let input {
      stdin.fileHandleForWriting.write(Data(input.utf8))
      try? stdin.fileHandleForWriting.close()
    }
    let timedOut = !waitUntil(seconds: timeout) { !process.isRunning }
    if timedOut { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    return Finished(
      status: process.terminationStatus,
      output: String(decoding: data, as: UTF8.self),
      pid: Int(process.processIdentifier),
      timedOut: timedOut
    )
  }

  /// Polls `condition` every 20 ms for at most `seconds`; returns whether it became true.
  @discardableResult
  static func waitUntil(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if try condition() { return true }
      Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
  }

  /// Whether `ss` lists a TCP listener or a bound UDP socket on `address:port`.
  static func listening(_ transport: NetcatServer.Transport, _ address: String, _ port: Int) -> Bool {
    let flags = transport == .tcp ? "-Hltn" : "-Hlun"
    let sockets = (try? run("/usr/bin/ss", [flags], timeout: 5).output) ?? ""
    return sockets.contains(" \(address):\(port) ")
  }

  static func failure(_ message: String) -> Error {
    CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: message])
  }
}

/// A child process running in the background, its standard output (and error) in a temporary file.
final class BackgroundProcess {
  let process = Process()
  private let outputFile: URL

  init(_ path: String, _ arguments: [String]) throws {
    outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("nf-sig-\(UUID().uuidString).out")
    _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let handle = try FileHandle(forWritingTo: outputFile)
    process.standardOutput = handle
    process.standardError = handle
    process.standardInput = FileHandle.nullDevice
    try process.run()
  }

  var pid: Int { Int(process.processIdentifier) }

  /// What it has written so far.
  var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

  /// Kills it (SIGKILL: it may ignore SIGTERM) and removes its output file.
  func stop() {
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    try? FileManager.default.removeItem(at: outputFile)
  }
}

/// A network namespace of the test's own, joined to this host by a veth pair, with Tracee's e2e layout
/// (§5.1: 172.16.17.0/24 and fd6e:a63d:071f:02f4::/64, host .1/::1, namespace .2/::2) on a random
/// subnet instead of 17/02f4, so that parallel runs rarely meet. Removed by ``remove()``.
final class DualStackNamespace {
  let name: String
  /// This host's end and the namespace's end; IPv6 addresses in canonical form (as Go and netfilter print them).
  let host4: String
  let peer4: String
  let host6: String
  let peer6: String
  /// The veth end inside the namespace.
  let peerInterface: String
  private let hostInterface: String

  init() throws {
    let used = try LiveNetwork.run("/usr/sbin/ip", ["-o", "addr", "show"]).output
    let subnet = (0..<50).map { _ in Int.random(in: 100...250) }.first { !used.contains("172.16.\($0).") } ?? 251
    let spelled = "fd6e:a63d:071f:" + String(format: "%04x", subnet)
    let prefix = "fd6e:a63d:71f:" + String(subnet, radix: 16)
    name = "nf-sig-\(subnet)-\(getpid())"
    hostInterface = "nfs\(subnet)h\(getpid() % 1000)"
    let peer = "nfs\(subnet)p\(getpid() % 1000)"
    peerInterface = peer
    (host4, peer4, host6, peer6) = ("172.16.\(subnet).1", "172.16.\(subnet).2", "\(prefix)::1", "\(prefix)::2")
    let steps: [[String]] = [
      ["netns", "add", name],
      ["link", "add", hostInterface, "type", "veth", "peer", "name", peer],
      ["link", "set", peer, "netns", name],
      ["addr", "add", "\(host4)/24", "dev", hostInterface],
      ["-6", "addr", "add", "\(spelled)::1/64", "dev", hostInterface, "nodad"],
      ["link", "set", hostInterface, "up"],
      ["-n", name, "addr", "add", "\(peer4)/24", "dev", peer],
      ["-n", name, "-6", "addr", "add", "\(spelled)::2/64", "dev", peer, "nodad"],
      ["-n", name, "link", "set", peer, "up"],
      ["-n", name, "link", "set", "lo", "up"],
    ]
    for step in steps where try LiveNetwork.run("/usr/sbin/ip", step).status != 0 {
      remove()
      throw LiveNetwork.failure("ip \(step.joined(separator: " ")) failed")
    }
    // Tracee's setup pings both ways once; this also settles ARP and neighbour discovery before a capture.
    for address in [host4, host6] where try run(["/usr/bin/ping", "-c", "1", "-W", "2", address]).status != 0 {
      remove()
      throw LiveNetwork.failure("the namespace cannot reach \(address)")
    }
  }

  /// Runs a program inside the namespace (`ip netns exec` execs it: the pid is the program's).
  @discardableResult
  func run(_ command: [String], input: String? = nil, timeout: Double = 10) throws -> LiveNetwork.Finished {
    try LiveNetwork.run("/usr/sbin/ip", ["netns", "exec", name] + command, input: input, timeout: timeout)
  }

  /// Tracee's trigger: `ping -c 3 -W 5` from the namespace to `address` (this host); returns ping's pid.
  func ping(_ address: String) throws -> Int {
    let ping = try run(["/usr/bin/ping", "-c", "3", "-i", "0.2", "-W", "5", address], timeout: 10)
    guard ping.status == 0 else { throw LiveNetwork.failure("ping \(address) failed: \(ping.output)") }
    return ping.pid
  }

  /// Deletes the namespace and the veth pair.
  func remove() {
    _ = try? LiveNetwork.run("/usr/sbin/ip", ["link", "del", hostInterface])
    _ = try? LiveNetwork.run("/usr/sbin/ip", ["netns", "del", name])
  }
}

/// An nc listener on this host (`nc -d -k -l`, and `-u`: with -k OpenBSD nc keeps one unconnected
/// UDP socket that takes datagrams from every client). Stopped by ``stop()``.
final class NetcatServer {
  enum Transport { case tcp, udp }

  private let server: BackgroundProcess

  init(_ transport: Transport, address: String, port: Int) throws {
    let flags = transport == .tcp ? ["-d", "-k", "-l"] : ["-d", "-k", "-l", "-u"]
    server = try BackgroundProcess("/usr/bin/nc", flags + [address, String(port)])
    guard LiveNetwork.waitUntil(seconds: 5, { LiveNetwork.listening(transport, address, port) }) else {
      server.stop()
      throw LiveNetwork.failure("nc did not start listening on \(address):\(port): \(server.output)")
    }
  }

  var pid: Int { server.pid }

  /// What the clients sent it.
  var received: String { server.output }

  func stop() { server.stop() }
}

/// `python3` answering every GET with `301 Moved Permanently` and `Location: http://www.example.test/moved`,
/// on 127.0.0.1 and a port the kernel picks. Stopped by ``stop()``.
final class RedirectServer {
  static let location = "http://www.example.test/moved"
  static let host = "www.example.test"
  private static let script = """
    import http.server
    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(301)
            self.send_header('Location', '\(location)')
            self.send_header('Content-Length', '0')
            self.end_headers()
        def log_message(self, *arguments):
            pass
    server = http.server.HTTPServer(('127.0.0.1', 0), Redirect)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """

  let port: Int
  private let server: BackgroundProcess

  init() throws {
    server = try BackgroundProcess(LiveNetwork.python3 ?? "/usr/bin/python3", ["-u", "-c", Self.script])
    let started = server
    LiveNetwork.waitUntil(seconds: 10) { started.output.contains("\n") || !started.process.isRunning }
    guard let port = Int(server.output.prefix { $0.isNumber }) else {
      server.stop()
      throw LiveNetwork.failure("the redirect server did not start: \(server.output)")
    }
    self.port = port
  }

  /// `curl http://www.example.test/` connected to this server (`--connect-to`: no name lookup, and the
  /// Host header is the name), without following the redirect; returns curl's pid.
  func curl() throws -> Int {
    let curl = try LiveNetwork.run(
      "/usr/bin/curl",
      [
        "-s", "-o", "/dev/null", "--max-time", "5", "--connect-to", "\(Self.host):80:127.0.0.1:\(port)",
        "http://\(Self.host)/",
      ],
      timeout: 10
    )
    guard curl.status == 0 else { throw LiveNetwork.failure("curl failed with status \(curl.status)") }
    return curl.pid
  }

  func stop() { server.stop() }
}

/// The test zone dnsmasq serves, and what each record's reply carries.
enum Zone {
  static let name = "example.test"
  static let mx = (preference: 10, name: "mail.example.test")
  static let ns = "ns1.example.test"
  static let soaRName = "dns-admin.example.test"
  static let txt = "v=spf1 -all"
  static let a = (name: "www.example.test", address: "10.1.2.3")
  static let ptr = (name: "3.2.1.10.in-addr.arpa", target: "www.example.test")

  /// One query and its expected reply.
  struct Record {
    /// The question's name and type.
    var name: String
    var type: String
    /// What the reply's decoded answers must satisfy, in the filter language.
    var check: String
    /// The answer Tracee's `dns_response` argument shows (gopacket's view: TXT is the raw RDATA,
    /// length byte and all; SOA is "not implemented").
    var answer: String
  }

  /// MX, NS, TXT, A, PTR and SOA, each with checks on the fields the JSON does not show.
  static let records: [Record] = {
    let answers = "net_packet_dns.data.proto_dns.answers"
    return [
      Record(
        name: name,
        type: "MX",
        check: "\(answers).MX.preference = \(mx.preference) and \(answers).MX.name = '\(mx.name)'",
        answer: mx.name
      ),
      Record(name: name, type: "NS", check: "\(answers).NS = '\(ns)' and dns.answers = '\(ns)'", answer: ns),
      Record(
        name: name,
        type: "TXT",
        check: "\(answers).TXTs = '\(txt)' and dns.answers = '\(txt)'",
        answer: "\u{0B}\(txt)"
      ),
      Record(
        name: a.name,
        type: "A",
        check: "\(answers).IP = \(a.address) and dns.answers = '\(a.address)'",
        answer: a.address
      ),
      Record(name: ptr.name, type: "PTR", check: "\(answers).PTR = '\(ptr.target)'", answer: ptr.target),
      Record(
        name: name,
        type: "SOA",
        check: "\(answers).SOA.RName = '\(soaRName)' and \(answers).SOA.MName = '\(ns)'",
        answer: "not implemented"
      ),
    ]
  }()
}

/// dnsmasq, authoritative for ``Zone`` (MX, NS, SOA, TXT, A) plus a PTR record, on port 53 of a
/// loopback address of its own (127.53.N.1: DNS is recognized on port 53, and 127.0.0.1:53 may be
/// taken by another test). Stopped by ``stop()``.
///
/// dnsmasq closes every inherited descriptor, among them the one Foundation's `Process` watches to
/// learn that a child exited; Foundation would then wait for it forever, and for every other child
/// too. So a shell starts it, holds that descriptor, and prints "pid N" for ``stop()``.
final class ZoneServer {
  let address: String
  private let shell: BackgroundProcess
  private let pid: Int32

  init() throws {
    var last = ""
    for _ in 0..<5 {
      let address = "127.53.\(Int.random(in: 1...254)).1"
      let script = "/usr/sbin/dnsmasq \"$@\" & echo \"pid $!\"; wait"
      let shell = try BackgroundProcess("/bin/sh", ["-c", script, "sh"] + Self.arguments(address))
      let ready = LiveNetwork.waitUntil(seconds: 5) { !shell.process.isRunning || Self.answers(address) }
      // dnsmasq's own messages go to the same file, possibly before the pid.
      let line = shell.output.split(separator: "\n").first { $0.hasPrefix("pid ") }
      let pid = line.flatMap { Int32($0.dropFirst(4)) } ?? 0
      if ready, shell.process.isRunning, pid > 0 {
        (self.address, self.shell, self.pid) = (address, shell, pid)
        return
      }
      last = shell.output
      if pid > 0 { kill(pid, SIGKILL) }
      shell.stop()
    }
    throw LiveNetwork.failure("dnsmasq did not start: \(last)")
  }

  private static func arguments(_ address: String) -> [String] {
    [
      "--conf-file=/dev/null", "--no-daemon", "--no-resolv", "--no-hosts", "--port=53",
      "--listen-address=\(address)", "--bind-interfaces",
      "--host-record=\(Zone.a.name),\(Zone.a.address)",
      "--mx-host=\(Zone.name),\(Zone.mx.name),\(Zone.mx.preference)",
      "--txt-record=\(Zone.name),\(Zone.txt)", "--ptr-record=\(Zone.ptr.name),\(Zone.ptr.target)",
      "--auth-zone=\(Zone.name)", "--auth-server=\(Zone.ns),\(address)",
      "--auth-soa=2024010101,\(Zone.soaRName)",
    ]
  }

  /// Whether the server answers the zone's SOA query (before a capture starts, so not captured).
  private static func answers(_ address: String) -> Bool {
    let dig = try? LiveNetwork.run(
      "/usr/bin/dig",
      ["+time=1", "+tries=1", "+short", "@\(address)", Zone.name, "SOA"],
      timeout: 5
    )
    return dig?.output.contains(Zone.soaRName) == true
  }

  /// `dig @ADDRESS NAME TYPE` (`-x` for PTR); returns dig's pid.
  func dig(_ record: Zone.Record) throws -> Int {
    let question = record.type == "PTR" ? ["-x", Zone.a.address] : [record.name, record.type]
    let dig = try LiveNetwork.run("/usr/bin/dig", ["+time=2", "+tries=1", "@\(address)"] + question, timeout: 10)
    guard dig.status == 0, dig.output.contains("status: NOERROR") else {
      throw LiveNetwork.failure("dig \(question.joined(separator: " ")) failed: \(dig.output)")
    }
    return dig.pid
  }

  /// Tracee's trigger, `nslookup -type=TYPE NAME SERVER`; returns nslookup's pid.
  func nslookup(_ type: String) throws -> Int {
    let lookup = try LiveNetwork.run(
      "/usr/bin/nslookup",
      ["-timeout=2", "-retry=1", "-type=\(type.lowercased())", Zone.name, address],
      timeout: 10
    )
    guard lookup.status == 0 else { throw LiveNetwork.failure("nslookup -type=\(type) failed: \(lookup.output)") }
    return lookup.pid
  }

  func stop() {
    kill(pid, SIGKILL)
    shell.stop()
  }
}

/// The BPF programs, maps and links one process holds, from `/proc/PID/fdinfo`. Unlike a listing of
/// every `nf_*` object, it is not confused by another capture running at the same time.
struct HeldBPF: Equatable {
  var programs: Set<Int> = []
  var maps: Set<Int> = []
  var links: Set<Int> = []
  /// The programs the links attach.
  var linked: Set<Int> = []

  init() {}

  init(pid: Int) {
    let directory = "/proc/\(pid)/fdinfo"
    for file in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
      guard let text = try? String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8) else { continue }
      var fields: [Substring: Int] = [:]
      for line in text.split(separator: "\n") {
        let parts = line.split(separator: ":", maxSplits: 1)
        if parts.count == 2, let value = Int(parts[1].trimmingCharacters(in: .whitespaces)) { fields[parts[0]] = value }
      }
      if let link = fields["link_id"] {
        links.insert(link)
        if let program = fields["prog_id"] { linked.insert(program) }
      } else if let program = fields["prog_id"] {
        programs.insert(program)
      } else if let map = fields["map_id"] {
        maps.insert(map)
      }
    }
  }

  /// Every program it loaded is attached.
  var attached: Bool { !programs.isEmpty && programs.isSubset(of: linked) }

  /// Those of its objects the kernel still has (bpftool), as "prog 12", "map 3", "link 7".
  func stillLoaded() throws -> [String] {
    var left: [String] = []
    for (kind, ids) in [("prog", programs), ("map", maps), ("link", links)] {
      let listing = try LiveNetwork.run("/usr/sbin/bpftool", ["-j", kind, "show"], timeout: 10).output
      let objects = (try? JSONSerialization.jsonObject(with: Data(listing.utf8))) as? [[String: Any]] ?? []
      left += objects.compactMap { $0["id"] as? Int }.filter(ids.contains).map { "\(kind) \($0)" }
    }
    return left
  }
}

/// What one live capture printed.
struct LiveRun {
  var status: Int32
  var events: [LiveJSONEvent]
  var stderr: String
  /// Standard output as printed (findings, with rules).
  var stdout: String
}

extension LiveNetwork {
  /// Runs the built `netfilter run --output json FILTER` (bounded by `--duration`), waits until every
  /// program it loaded is attached, runs `drive`, lets the events in flight arrive, stops it with
  /// SIGINT, and checks that it exited 0 and left nothing it loaded in the kernel.
  static func capture(
    _ filter: String,
    bound: Int = 40,
    options: [String] = [],
    drive: () throws -> Void
  ) throws -> LiveRun {
    try capture(arguments: options + [filter], bound: bound, drive: drive)
  }

  /// As ``capture(_:bound:options:drive:)``, with the arguments after `run --output json --duration N`
  /// (options and a filter, or `--rules PATH`).
  static func capture(arguments: [String], bound: Int = 40, drive: () throws -> Void) throws -> LiveRun {
    let started = try Live.start(["run", "--output", "json", "--duration", String(bound)] + arguments)
    let process = started.process
    let pid = Int(process.processIdentifier)
    defer {
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      process.waitUntilExit()
      try? FileManager.default.removeItem(at: started.out)
      try? FileManager.default.removeItem(at: started.err)
    }
    var held = HeldBPF()
    waitUntil(seconds: 20) {
      held = HeldBPF(pid: pid)
      return held.attached || !process.isRunning
    }
    guard held.attached, process.isRunning else {
      throw failure("netfilter never attached its programs: \(try String(contentsOf: started.err, encoding: .utf8))")
    }
    try drive()
    Thread.sleep(forTimeInterval: 0.5)
    kill(process.processIdentifier, SIGINT)
    if !waitUntil(seconds: 10, { !process.isRunning }) { throw failure("netfilter did not stop on SIGINT") }
    var left: [String] = []
    try waitUntil(seconds: 10) {
      left = try held.stillLoaded()
      return left.isEmpty
    }
    guard left.isEmpty else { throw failure("left in the kernel after the capture: \(left)") }
    let stdout = try String(contentsOf: started.out, encoding: .utf8)
    return LiveRun(
      status: process.terminationStatus,
      events: Live.events(stdout),
      stderr: try String(contentsOf: started.err, encoding: .utf8),
      stdout: stdout
    )
  }
}

/// Tracee's `PacketMetadata.direction` values.
enum TraceeDirection {
  static let ingress = 1
  static let egress = 2
}

extension LiveJSONEvent {
  /// A member of a structured argument (`value("proto_icmp", "typeCode")`), or the argument itself.
  func value(_ argument: String, _ path: String...) -> Any? {
    var value = arguments[argument]
    for key in path { value = (value as? [String: Any])?[key] }
    return value
  }

  /// `metadata.direction` of an event whose metadata is Tracee's `PacketMetadata` (1 ingress, 2 egress).
  var direction: Int? { value("metadata", "direction") as? Int }

  /// `answer_type answer` of each answer in a `net_packet_dns_response` event's `dns_response`.
  var dnsAnswers: [String] {
    let responses = arguments["dns_response"] as? [[String: Any]] ?? []
    return responses.flatMap { response in
      (response["dns_answer"] as? [[String: Any]] ?? []).map {
        "\($0["answer_type"] as? String ?? "?") \($0["answer"] as? String ?? "?")"
      }
    }
  }

  /// `query query_type` of each question of a `net_packet_dns_request` event.
  var dnsQuestions: [String] {
    (arguments["dns_questions"] as? [[String: Any]] ?? []).map {
      "\($0["query"] as? String ?? "?") \($0["query_type"] as? String ?? "?")"
    }
  }
}
