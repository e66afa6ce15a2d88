import Foundation
import Testing

@testable import NetFilterHost

/// A server and a client in two python3 processes, over 127.0.0.1 and ::1: TCP listeners with one accepted
/// connection each, a dual-stack TCP listener on ::, unconnected UDP sockets, and a connected UDP client.
@Suite("SocketOwners over real loopback sockets", .serialized)
struct LiveSocketTests {
  static let server = """
    import socket, sys
    def tcp(family, host, v6only=True):
        s = socket.socket(family, socket.SOCK_STREAM)
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if v6only else 0)
        s.bind((host, 0)); s.listen(8); return s
    def udp(family, host):
        s = socket.socket(family, socket.SOCK_DGRAM); s.bind((host, 0)); return s
    t4, t6, dual = tcp(socket.AF_INET, '127.0.0.1'), tcp(socket.AF_INET6, '::1'), tcp(socket.AF_INET6, '::', False)
    u4, u6 = udp(socket.AF_INET, '127.0.0.1'), udp(socket.AF_INET6, '::1')
    print('tcp4=%d tcp6=%d dual=%d udp4=%d udp6=%d' % (t4.getsockname()[1], t6.getsockname()[1],
          dual.getsockname()[1], u4.getsockname()[1], u6.getsockname()[1]), flush=True)
    accepted = [t4.accept()[0], t6.accept()[0]]
    print('accepted', flush=True)
    sys.stdin.read()
    """

  static let client = """
    import os, socket, sys
    tcp4, tcp6, udp4 = (int(a) for a in sys.argv[1:4])
    c4 = socket.create_connection(('127.0.0.1', tcp4))
    c6 = socket.create_connection(('::1', tcp6))
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.connect(('127.0.0.1', udp4))
    print('pid=%d tcp4=%d tcp6=%d udp4=%d' % (os.getpid(), c4.getsockname()[1], c6.getsockname()[1],
          u.getsockname()[1]), flush=True)
    sys.stdin.read()
    """

  static let loopback = HostAddress(ipv4: 0x7F00_0001)
  static let ipv6Loopback = HostAddress(high: 0, low: 1)

  @Test("Each end of each connection, each listener and each UDP socket belongs to the right process")
  func owners() throws {
    let server = try Spawn.start("/usr/bin/env", ["python3", "-c", Self.server])
    defer { server.stop() }
    let ports = try server.readFields().mapValues { try #require(UInt16($0)) }
    let client = try Spawn.start(
      "/usr/bin/env",
      ["python3", "-c", Self.client, "\(ports["tcp4"]!)", "\(ports["tcp6"]!)", "\(ports["udp4"]!)"]
    )
    defer { client.stop() }
    let mine = try client.readFields()
    #expect(server.readLine() == "accepted")
    let clientPid = try #require(Int32(mine["pid"]!))
    let local = try mine.filter { $0.key != "pid" }.mapValues { try #require(UInt16($0)) }
    let owners = SocketOwners.snapshot()
    try check(owners, server: server.pid, client: clientPid, ports: ports, clientPorts: local)
  }

  private func check(
    _ owners: SocketOwners,
    server: Int32,
    client: Int32,
    ports: [String: UInt16],
    clientPorts: [String: UInt16]
  ) throws {
    let (v4, v6) = (Self.loopback, Self.ipv6Loopback)
    let (tcp4, tcp6, udp4) = (ports["tcp4"]!, ports["tcp6"]!, ports["udp4"]!)
    let (c4, c6, cu) = (clientPorts["tcp4"]!, clientPorts["tcp6"]!, clientPorts["udp4"]!)
    // Client ends and the server's accepted ends, exactly.
    #expect(owners.owner(protocol: .tcp, local: v4, localPort: c4, remote: v4, remotePort: tcp4) == client)
    #expect(owners.owner(protocol: .tcp, local: v4, localPort: tcp4, remote: v4, remotePort: c4) == server)
    #expect(owners.owner(protocol: .tcp, local: v6, localPort: c6, remote: v6, remotePort: tcp6) == client)
    #expect(owners.owner(protocol: .tcp, local: v6, localPort: tcp6, remote: v6, remotePort: c6) == server)
    // A new connection to a listener (not in the snapshot) falls back to the listener.
    #expect(owners.owner(protocol: .tcp, local: v4, localPort: tcp4, remote: v4, remotePort: 1) == server)
    #expect(owners.owner(protocol: .tcp, local: v6, localPort: tcp6, remote: v6, remotePort: 1) == server)
    // The dual-stack listener on :: serves IPv4 too.
    #expect(owners.owner(protocol: .tcp, local: v4, localPort: ports["dual"]!, remote: v4, remotePort: 1) == server)
    #expect(owners.owner(protocol: .tcp, local: v6, localPort: ports["dual"]!, remote: v6, remotePort: 1) == server)
    // UDP: unconnected server sockets by port; the connected client socket exactly.
    #expect(owners.owner(protocol: .udp, local: v4, localPort: udp4, remote: v4, remotePort: cu) == server)
    #expect(owners.owner(protocol: .udp, local: v6, localPort: ports["udp6"]!, remote: v6, remotePort: 9) == server)
    #expect(owners.owner(protocol: .udp, local: v4, localPort: cu, remote: v4, remotePort: udp4) == client)
    // The protocol and the family matter: no TCP socket on the UDP port, no IPv6 listener on tcp4's port.
    #expect(owners.owner(protocol: .tcp, local: v4, localPort: udp4, remote: v4, remotePort: 9) == nil)
    #expect(owners.owner(protocol: .udp, local: v4, localPort: tcp4, remote: v4, remotePort: 9) == nil)
    #expect(owners.owner(protocol: .tcp, local: v6, localPort: tcp4, remote: v6, remotePort: 9) == nil)
    #expect(owners.socketCount >= 9 && owners.ownedCount >= 9)
  }

  @Test(
    "A listener in another network namespace is found through a process in it",
    .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"))
  )
  func otherNamespace() throws {
    let script = """
      import os, socket, sys
      s = socket.socket(); s.bind(('0.0.0.0', 0)); s.listen(1)
      print('pid=%d port=%d net=%s' % (os.getpid(), s.getsockname()[1], os.readlink('/proc/self/ns/net')), flush=True)
      sys.stdin.read()
      """
    let child = try Spawn.start("/usr/bin/unshare", ["--net", "/usr/bin/env", "python3", "-c", script])
    defer { child.stop() }
    let fields = try child.readFields()
    let port = try #require(UInt16(fields["port"] ?? ""))
    #expect(fields["pid"] == String(child.pid))
    #expect(fields["net"] != ProcText.readLink("/proc/self/ns/net"))
    let address = HostAddress(ipv4: 0x0A63_0001)
    let owner = SocketOwners.snapshot().owner(
      protocol: .tcp,
      local: address,
      localPort: port,
      remote: address,
      remotePort: 1
    )
    #expect(owner == child.pid)
  }

  @Test("A refreshed snapshot sees sockets opened after the first one")
  func refresh() throws {
    let before = SocketOwners.snapshot()
    let server = try Spawn.start("/usr/bin/env", ["python3", "-c", Self.server])
    defer { server.stop() }
    let port = try #require(UInt16(try server.readFields()["tcp4"] ?? ""))
    let probe = { (owners: SocketOwners) in
      owners.owner(protocol: .tcp, local: Self.loopback, localPort: port, remote: Self.loopback, remotePort: 1)
    }
    #expect(probe(before) == nil)
    #expect(probe(before.refreshed()) == server.pid)
  }
}
