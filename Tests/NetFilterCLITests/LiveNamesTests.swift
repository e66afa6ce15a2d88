import Foundation
import Testing

/// `net.dip.names` live, as root: dnsmasq on a loopback port that is not 53 answers dig, and curl's
/// later Connect to the answered address carries the names (the whole CNAME chain after an alias
/// lookup); dig's own query and reply are DNS events with their answers.
@Suite(.serialized, .enabled(if: LiveNetwork.available, "needs root, BPF, BTF, cgroup v2, dnsmasq, dig and curl"))
struct LiveNamesTests {
  @Test func aDigThenACurlNamesTheConnect() throws {
    let resolver = try NameServer()
    defer { resolver.stop() }
    let web = try LocalHTTPServer(host: "127.0.0.2")
    defer { web.stop() }
    let unnamed = try LocalHTTPServer(host: "127.0.0.3")
    defer { unnamed.stop() }
    let port = resolver.port
    let filter = """
      (evt.name = 'Connect' and net.dport in (\(web.port), \(unnamed.port)) \
      and (net.dip.names matches ('*.test.lan.') or length(net.dip.names) = 0)) \
      or (evt.name in ('QueryDns', 'ReplyDns') and (net.sport = \(port) or net.dport = \(port)))
      """
    var digs: [Int] = []
    var curls: [Int32] = []
    let run = try LiveNetwork.capture(filter, options: ["--stats"]) {
      digs.append(try resolver.dig("web.test.lan"))
      curls.append(try Live.curl(port: web.port, host: "127.0.0.2"))
      digs.append(try resolver.dig("alias.test.lan"))
      curls.append(try Live.curl(port: web.port, host: "127.0.0.2"))
      curls.append(try Live.curl(port: unnamed.port, host: "127.0.0.3"))
    }
    #expect(run.status == 0, "\(run.stderr)")
    let connects = run.events.filter { $0.name == "Connect" && curls.contains(Int32($0.processID)) }
    let names = connects.map { $0.arguments["dip_names"] as? [String] ?? [] }
    #expect(names == [["web.test.lan."], ["alias.test.lan.", "web.test.lan."], []], "\(connects)")
    #expect(connects.map { $0.arguments["dip"] as? String } == ["127.0.0.2", "127.0.0.2", "127.0.0.3"])
    // dig's queries and the replies it received, with their answers.
    let dns = run.events.filter { digs.contains($0.processID) }
    #expect(dns.filter { $0.name == "net_packet_dns_request" }.count == 2, "\(dns.map(\.name))")
    let replies = dns.filter { $0.name == "net_packet_dns_response" }
    #expect(replies.count == 2)
    #expect(replies.allSatisfy { "\($0.arguments["dns_response"] ?? "")".contains("127.0.0.2") }, "\(replies)")
    #expect(run.stderr.contains("\"names\":{"), "\(run.stderr)")
  }
}

/// dnsmasq on 127.0.0.1 at a port of 19300-19399 (not 53: DNS must be recognised by its content),
/// answering `web.test.lan → 127.0.0.2` and `alias.test.lan CNAME web.test.lan` with TTL 0.
/// Started through a shell that holds Foundation's exit descriptor (see ``ZoneServer``).
final class NameServer {
  let port: Int
  private let shell: BackgroundProcess
  private let pid: Int32

  init(ttl: Int? = nil) throws {
    var last = ""
    for _ in 0..<5 {
      let port = Int.random(in: 19_300...19_399)
      let arguments =
        (ttl.map { ["--local-ttl=\($0)"] } ?? []) + [
          "--conf-file=/dev/null", "--no-daemon", "--no-resolv", "--no-hosts", "--port=\(port)",
          "--listen-address=127.0.0.1", "--bind-interfaces", "--host-record=web.test.lan,127.0.0.2",
          "--cname=alias.test.lan,web.test.lan",
        ]
      let script = "/usr/sbin/dnsmasq \"$@\" & echo \"pid $!\"; wait"
      let shell = try BackgroundProcess("/bin/sh", ["-c", script, "sh"] + arguments)
      let ready = LiveNetwork.waitUntil(seconds: 5) { !shell.process.isRunning || Self.answers(port) }
      let line = shell.output.split(separator: "\n").first { $0.hasPrefix("pid ") }
      let pid = line.flatMap { Int32($0.dropFirst(4)) } ?? 0
      if ready, shell.process.isRunning, pid > 0 {
        (self.port, self.shell, self.pid) = (port, shell, pid)
        return
      }
      last = shell.output
      if pid > 0 { kill(pid, SIGKILL) }
      shell.stop()
    }
    throw LiveNetwork.failure("dnsmasq did not start: \(last)")
  }

  private static func answers(_ port: Int) -> Bool {
    let dig = try? LiveNetwork.run(
      "/usr/bin/dig",
      ["+time=1", "+tries=1", "+short", "-p", String(port), "@127.0.0.1", "web.test.lan"],
      timeout: 5
    )
    return dig?.output.contains("127.0.0.2") == true
  }

  /// `dig -p PORT @127.0.0.1 NAME A`; returns dig's pid.
  func dig(_ name: String) throws -> Int {
    let dig = try LiveNetwork.run(
      "/usr/bin/dig",
      ["+time=2", "+tries=1", "-p", String(port), "@127.0.0.1", name, "A"],
      timeout: 10
    )
    guard dig.status == 0, dig.output.contains("status: NOERROR") else {
      throw LiveNetwork.failure("dig \(name) failed: \(dig.output)")
    }
    return dig.pid
  }

  func stop() {
    kill(pid, SIGKILL)
    shell.stop()
  }
}

extension LiveNamesTests {
  /// With TTL 1 and no minimum, a name is gone 1.5 s after its reply (kernel time), but a connection
  /// opened before keeps it; per-process scope keeps dig's answer from naming curl's connect.
  @Test func namesExpireOnTheEventsClockAndStayInTheirScope() throws {
    let resolver = try NameServer(ttl: 1)
    defer { resolver.stop() }
    let web = try LocalHTTPServer(host: "127.0.0.2")
    defer { web.stop() }
    let python = try #require(LiveNetwork.python3)
    let filter = "evt.name in ('Connect', 'Send') and net.dport = \(web.port)"
    var curls: [Int32] = []
    var held = 0
    let expiry = try LiveNetwork.capture(filter, options: ["--names", "passive", "--names-min-ttl", "0"]) {
      _ = try resolver.dig("web.test.lan")
      curls.append(try Live.curl(port: web.port, host: "127.0.0.2"))
      // A connection opened now and used after the name expired.
      let script =
        "import socket,time,sys\ns=socket.create_connection(('127.0.0.2',int(sys.argv[1])))\n"
        + "time.sleep(1.6)\ns.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')\ns.recv(10)\n"
      let holder = try BackgroundProcess(python, ["-c", script, String(web.port)])
      held = holder.pid
      LiveNetwork.waitUntil(seconds: 5) { !holder.process.isRunning }
      holder.stop()
      curls.append(try Live.curl(port: web.port, host: "127.0.0.2"))
    }
    #expect(expiry.status == 0, "\(expiry.stderr)")
    let connects = expiry.events.filter { $0.name == "Connect" && curls.contains(Int32($0.processID)) }
    #expect(connects.map { $0.arguments["dip_names"] as? [String] ?? [] } == [["web.test.lan."], []], "\(connects)")
    let kept = expiry.events.filter { $0.processID == held }
    #expect(kept.map(\.name) == ["Connect", "Send"], "\(kept)")
    #expect(kept.allSatisfy { $0.arguments["dip_names"] as? [String] == ["web.test.lan."] }, "\(kept)")

    var curl: Int32 = 0
    let scoped = try LiveNetwork.capture(filter, options: ["--names", "passive", "--names-scope", "process"]) {
      _ = try resolver.dig("web.test.lan")
      curl = try Live.curl(port: web.port, host: "127.0.0.2")
    }
    let connect = scoped.events.filter { $0.name == "Connect" && $0.processID == Int(curl) }
    #expect(connect.count == 1 && connect.allSatisfy { $0.arguments["dip_names"] == nil }, "\(connect)")
  }
}

/// `--names=ptr`: reverse lookups through c-ares fill names for later events, never hold an event,
/// stay within their in-flight bound, and are never events themselves. (In the same serialized suite
/// as the passive tests: a dig in one would name the other's connects.)
extension LiveNamesTests {
  /// Connects to 127.0.0.2:PORT, waits, then sends a request and reads the answer.
  static let slowClient = """
    import socket, sys, time
    s = socket.create_connection(("127.0.0.2", int(sys.argv[1])))
    time.sleep(0.5)
    s.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
    s.recv(100)
    s.close()
    """

  @Test func aLookupNamesTheLaterEventsOfTheSocket() throws {
    let resolver = try NameServer()
    defer { resolver.stop() }
    let web = try LocalHTTPServer(host: "127.0.0.2")
    defer { web.stop() }
    let python = try #require(LiveNetwork.python3)
    let filter = """
      (evt.name in ('Connect', 'Send', 'Recv', 'Disconnect') and net.dport = \(web.port)) \
      or net.sport = \(resolver.port) or net.dport = \(resolver.port)
      """
    var client = 0
    let run = try LiveNetwork.capture(filter, options: ["--stats", "--names", "ptr=127.0.0.1:\(resolver.port)"]) {
      client = try LiveNetwork.run(python, ["-c", Self.slowClient, String(web.port)]).pid
    }
    #expect(run.status == 0, "\(run.stderr)")
    let mine = run.events.filter { $0.processID == client }
    #expect(mine.map(\.name) == ["Connect", "Send", "Recv", "Disconnect"], "\(mine)")
    // The Connect found no name (the lookup starts there); the socket's later events have it.
    #expect(mine.first?.arguments["dip_names"] == nil)
    #expect(mine.dropFirst().allSatisfy { $0.arguments["dip_names"] as? [String] == ["web.test.lan."] }, "\(mine)")
    // netfilter's own queries to the resolver are no events.
    #expect(run.events.filter { $0.processID != client }.isEmpty, "\(run.events.map(\.name))")
    #expect(run.stderr.contains("\"lookupAnswers\":1"), "\(run.stderr)")
  }

  /// Accepts on 0.0.0.0:PORT and connects 1,000 times, to 127.1.0.1 … 127.1.3.250, closing each.
  static let manyConnects = """
    import socket, sys, threading
    port = int(sys.argv[1])
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", port))
    server.listen(1024)
    def serve():
        while True:
            connection, _ = server.accept()
            connection.close()
    threading.Thread(target=serve, daemon=True).start()
    for i in range(1000):
        s = socket.create_connection(("127.1.%d.%d" % (i // 250, i % 250 + 1), port))
        s.close()
    print("done")
    """

  /// A UDP socket on 127.0.0.1:PORT that reads every query and answers none.
  static let silentResolver = """
    import socket, sys
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", int(sys.argv[1])))
    while True:
        s.recvfrom(4096)
    """

  @Test func aResolverThatNeverAnswersHoldsNoEvent() throws {
    let python = try #require(LiveNetwork.python3)
    let silentPort = Int.random(in: 19_400...19_449)
    let silent = try BackgroundProcess(python, ["-c", Self.silentResolver, String(silentPort)])
    defer { silent.stop() }
    #expect(LiveNetwork.waitUntil(seconds: 5) { LiveNetwork.listening(.udp, "127.0.0.1", silentPort) })
    let port = Int.random(in: 19_450...19_499)
    let filter = "evt.name = 'Connect' and net.dport = \(port) and length(net.dip.names) = 0"
    let started = Date()
    var driven: TimeInterval = 0
    let run = try LiveNetwork.capture(
      filter,
      options: ["--stats", "--names", "ptr=127.0.0.1:\(silentPort)", "--names-lookups", "32"]
    ) {
      let connects = try LiveNetwork.run(python, ["-c", Self.manyConnects, String(port)], timeout: 60)
      #expect(connects.output.contains("done"), "\(connects.output)")
      driven = Date().timeIntervalSince(started)
    }
    #expect(run.status == 0, "\(run.stderr)")
    let connects = run.events.filter { $0.name == "Connect" }
    let seen = Set(connects.compactMap { $0.arguments["dip"] as? String })
    // Which addresses went missing, and the run's counters (lost, kernel passed), when some do.
    let missing = (0..<1_000).map { "127.1.\($0 / 250).\($0 % 250 + 1)" }.filter { !seen.contains($0) }
    #expect(seen.count == 1_000, "missing \(missing.prefix(5)); \(run.stderr.split(separator: "\n").suffix(2))")
    #expect(connects.allSatisfy { $0.arguments["dip_names"] == nil })
    // On time: the capture stopped half a second after the last connect, with every event printed.
    #expect(Date().timeIntervalSince(started) < driven + 12, "the run ended late")
    let stats = try #require(run.stderr.split(separator: "\n").last { $0.contains("\"names\"") })
    let peak = Self.number("lookupsPeak", in: String(stats))
    #expect(peak > 0 && peak <= 32, "\(stats)")
    #expect(Self.number("lookupsRefused", in: String(stats)) > 0, "\(stats)")
  }

  static func number(_ key: String, in text: String) -> Int {
    guard let range = text.range(of: "\"\(key)\":") else { return -1 }
    return Int(text[range.upperBound...].prefix { $0.isNumber }) ?? -1
  }
}
