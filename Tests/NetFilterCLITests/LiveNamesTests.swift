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

  init() throws {
    var last = ""
    for _ in 0..<5 {
      let port = Int.random(in: 19_300...19_399)
      let arguments = [
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
