import Foundation
import Testing

/// Fibratus's socket events live, as root: the exact Connect/Accept/Send/Recv/Disconnect of a curl
/// against a local server, the remote end of unconnected UDP sockets, and Reconnect/Retransmit from
/// a test namespace whose link goes down. Traffic stays on loopback and in the test's namespace.
@Suite(.serialized, .enabled(if: Live.available, "needs root, BPF, BTF, cgroup v2, bpftool and curl"))
struct LiveSocketEventTests {
  @Test func curlConnectsSendsReceivesAndDisconnectsWhileTheServerAccepts() throws {
    var server: LocalHTTPServer?
    defer { server?.stop() }
    var curl: Int32 = 0
    let filter = "evt.name in ('Connect', 'Accept', 'Send', 'Recv', 'Disconnect') and net.sip = 127.0.0.1"
    let run = try LiveNetwork.capture(filter) {
      let started = try LocalHTTPServer()
      server = started
      curl = try Live.curl(port: started.port)
    }
    #expect(run.status == 0, "\(run.stderr)")
    let running = try #require(server)
    let port = running.port
    let serverPID = Int(running.process.processIdentifier)
    let mine = run.events.filter { [$0.arguments["sport"], $0.arguments["dport"]].contains { $0 as? Int == port } }
    let client = mine.filter { $0.arguments["dport"] as? Int == port }
    let served = mine.filter { $0.arguments["sport"] as? Int == port }
    #expect(client.allSatisfy { $0.processName == "curl" && $0.processID == Int(curl) }, "\(client)")
    #expect(served.allSatisfy { $0.processName == "python3" && $0.processID == serverPID }, "\(served)")
    #expect(client.filter { $0.name == "Connect" }.count == 1)
    #expect(served.filter { $0.name == "Accept" }.count == 1)
    #expect(client.filter { $0.name == "Disconnect" }.count == 1)
    #expect(served.filter { $0.name == "Disconnect" }.count == 1)
    // The request leaves curl and arrives at the server; the response goes back.
    let sent = client.filter { $0.name == "Send" }.compactMap { $0.arguments["size"] as? Int }.reduce(0, +)
    let received = served.filter { $0.name == "Recv" }.compactMap { $0.arguments["size"] as? Int }.reduce(0, +)
    #expect(sent > 50 && sent == received, "curl sent \(sent) bytes, the server received \(received)")
    let answered = served.filter { $0.name == "Send" }.compactMap { $0.arguments["size"] as? Int }.reduce(0, +)
    let got = client.filter { $0.name == "Recv" }.compactMap { $0.arguments["size"] as? Int }.reduce(0, +)
    #expect(answered > 100 && answered == got, "the server sent \(answered) bytes, curl received \(got)")
    #expect(mine.allSatisfy { $0.arguments["l4_proto"] as? String == "TCP" })
    // Connect comes before curl's first Send; Disconnect after its last Recv.
    let order = client.map(\.name)
    #expect(order.first == "Connect" && order.last == "Disconnect", "\(order)")
  }

  @Test func unconnectedUDPSocketsKnowTheirRemoteEnd() throws {
    let port = Int.random(in: 20_000...29_999)
    let echo = try Process.run(
      URL(fileURLWithPath: "/usr/bin/env"),
      arguments: ["python3", "-c", Self.udpEcho, String(port)]
    )
    defer { kill(echo.processIdentifier, SIGKILL) }
    Thread.sleep(forTimeInterval: 0.3)
    var client: Int32 = 0
    let run = try LiveNetwork.capture("evt.name in ('Send', 'Recv') and net.l4.proto = 'UDP'") {
      client = try Live.run("/usr/bin/env", ["python3", "-c", Self.udpClient, String(port)]).pid
    }
    let mine = run.events.filter { [$0.arguments["sport"], $0.arguments["dport"]].contains { $0 as? Int == port } }
    let server = mine.filter { $0.processID == Int(echo.processIdentifier) }
    let sender = mine.filter { $0.processID == Int(client) }
    #expect(server.map(\.name) == ["Recv", "Send"], "\(mine)")
    #expect(sender.map(\.name) == ["Send", "Recv"], "\(mine)")
    // The echo server's socket is unconnected: its remote end comes from each datagram's address.
    let clientPort = sender.first?.arguments["sport"] as? Int
    #expect(clientPort != nil && server.allSatisfy { $0.arguments["dport"] as? Int == clientPort })
    #expect(mine.allSatisfy { $0.arguments["size"] as? Int == 5 && $0.arguments["dip"] as? String == "127.0.0.1" })
  }

  @Test func aSynIntoASilentNamespaceIsReconnectAndLostSegmentsAreRetransmits() throws {
    let namespace = try DualStackNamespace()
    defer { namespace.remove() }
    let port = Int.random(in: 30_000...39_999)
    let listener = try Process.run(
      URL(fileURLWithPath: "/usr/sbin/ip"),
      arguments: ["netns", "exec", namespace.name, "python3", "-c", Self.silentServer, String(port)]
    )
    defer { kill(listener.processIdentifier, SIGKILL) }
    Thread.sleep(forTimeInterval: 0.5)
    let peer = namespace.peer4
    var client: Int32 = 0
    let run = try LiveNetwork.capture("evt.name in ('Connect', 'Reconnect', 'Retransmit') and net.dip = \(peer)") {
      // Connect, send, take the namespace's side down, send again: the data is retransmitted; then a
      // second connection's SYN goes unanswered and is sent again (Reconnect).
      client = try Live.run(
        "/usr/bin/env",
        ["python3", "-c", Self.retransmittingClient, peer, String(port), namespace.name, namespace.peerInterface]
      ).pid
    }
    let mine = run.events.filter { $0.arguments["dport"] as? Int == port }
    #expect(mine.allSatisfy { $0.processName == "python3" && $0.processID == Int(client) }, "\(mine)")
    #expect(mine.filter { $0.name == "Connect" }.count == 1)
    #expect(mine.contains { $0.name == "Retransmit" })
    #expect(mine.contains { $0.name == "Reconnect" })
  }

  @Test func processFieldsComeFromTheKernelAndProc() throws {
    let server = try LocalHTTPServer()
    defer { server.stop() }
    let marker = "nf-marker-\(Int.random(in: 1000...9999))"
    let exe = try #require(Live.run("/usr/bin/env", ["python3", "-c", "import sys; print(sys.executable)"]).out)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let resolved = URL(fileURLWithPath: exe).resolvingSymlinksInPath().path
    let cgroup = try String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)
      .split(separator: "\n").first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) }
    // The client stays a moment after connecting, so /proc still has it when its event arrives.
    let script = "import socket, sys, time; s = socket.create_connection(('127.0.0.1', \(server.port))); time.sleep(1)"
    let filter = "evt.name = 'Connect' and ps.cmdline contains '\(marker)' and ps.exe = '\(resolved)'"
    var client: Int32 = 0
    let run = try LiveNetwork.capture(filter) {
      client = try Live.run("/usr/bin/env", ["python3", "-c", script, marker]).pid
    }
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.events.count == 1, "\(run.events.map(\.name))")
    #expect(run.events.first?.processID == Int(client))
    // The same event again, asking for the other process fields.
    let fields = try LiveNetwork.capture(
      "evt.name = 'Connect' and ps.ppid = \(getpid()) and ps.args contains '\(marker)' and ps.username = 'root'"
        + " and ps.cgroup.path = '\(cgroup ?? "?")' and ps.uid = 0 and net.dport = \(server.port)"
    ) {
      _ = try Live.run("/usr/bin/env", ["python3", "-c", script, marker])
    }
    #expect(fields.events.count == 1, "\(fields.stderr)")
  }

  @Test func aServerListeningBeforeTheCaptureIsNamedOnAccept() throws {
    let server = try LocalHTTPServer()
    defer { server.stop() }
    let run = try LiveNetwork.capture("evt.name = 'Accept' and net.sport = \(server.port)") {
      _ = try Live.curl(port: server.port)
    }
    // The kernel never saw the server bind; the /proc snapshot taken at attach time names it.
    #expect(run.events.count == 1)
    #expect(run.events.first?.processName == "python3")
    #expect(run.events.first?.processID == Int(server.process.processIdentifier))
  }

  /// A UDP echo server on 127.0.0.1:PORT with an unconnected socket (two datagrams, then exits).
  static let udpEcho = """
    import socket, sys
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.settimeout(10)
    data, peer = s.recvfrom(100)
    s.sendto(data, peer)
    """

  /// Sends "hello" to the echo server and reads the answer.
  static let udpClient = """
    import socket, sys
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(b"hello", ("127.0.0.1", int(sys.argv[1])))
    s.recvfrom(100)
    """

  /// Accepts connections and never reads (in the test namespace), for 10 seconds at most.
  static let silentServer = """
    import socket, sys, time
    s = socket.socket()
    s.bind(("0.0.0.0", int(sys.argv[1])))
    s.listen(4)
    time.sleep(10)
    """

  /// Connects, sends, takes the peer's link down, sends again (retransmitted), then connects again
  /// (the SYN is retransmitted); bounded to about 3 seconds.
  static let retransmittingClient = """
    import socket, subprocess, sys, time
    peer, port, ns, dev = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    a = socket.create_connection((peer, port), timeout=3)
    a.send(b"x")
    time.sleep(0.2)
    subprocess.run(["ip", "-n", ns, "link", "set", dev, "down"], check=True)
    a.send(b"y" * 100)
    time.sleep(1.2)
    b = socket.socket()
    b.settimeout(1.5)
    try:
        b.connect((peer, port))
    except OSError:
        pass
    """
}
