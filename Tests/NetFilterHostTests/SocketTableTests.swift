import Testing

@testable import NetFilterHost

@Suite("Socket tables and addresses")
struct SocketTableTests {
  static let tcpText = """
      sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
       0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12345 1 0000000000000000 100 0 0 10 0
       1: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 23456 1 0000000000000000 20 4 30 10 -1
       2: 0A00A8C0:0016 6400A8C0:D431 06 00000000:00000000 03:00000F9A 00000000     0        0 0 3 0000000000000000
       3: garbage
    """

  static let tcp6Text = """
      sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
       0: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 34567 1 0000000000000000 100 0 0 10 0
       1: 0000000000000000FFFF00000100007F:01BB 0000000000000000FFFF00000A00000A:E5F0 01 00000000:00000000 00:00000000 00000000    33        0 45678 1 0000000000000000 20 4 30 10 -1
       2: B80D0120000000000000000005000000:0035 000080FE000000000000000001000000:A000 01 00000000:00000000 00:00000000 00000000     0        0 56789 1 0000000000000000 20 4 30 10 -1
    """

  @Test("/proc/net/tcp: IPv4 words are in host byte order, ports plain hex, header and garbage skipped")
  func tcp() throws {
    let sockets = ProcNetSocket.parse(Self.tcpText, proto: .tcp)
    try #require(sockets.count == 3)
    #expect(sockets[0].local.description == "127.0.0.1")
    #expect(sockets[0].localPort == 8080)
    #expect(sockets[0].remote == .anyIPv4 && sockets[0].remotePort == 0)
    #expect(sockets[0].state == ProcNetSocket.tcpListen && sockets[0].isUnconnected)
    #expect(sockets[0].uid == 1000 && sockets[0].inode == 12345)
    #expect(sockets[1].localPort == 50000 && sockets[1].remotePort == 8080 && !sockets[1].isUnconnected)
    #expect(sockets[2].local.description == "192.168.0.10" && sockets[2].localPort == 22)
    #expect(sockets[2].remote.description == "192.168.0.100" && sockets[2].remotePort == 54321)
    #expect(sockets[2].inode == 0 && sockets[2].state == 6)
  }

  @Test("/proc/net/tcp6: four host-order words, IPv4-mapped peers equal IPv4 addresses")
  func tcp6() throws {
    let sockets = ProcNetSocket.parse(Self.tcp6Text, proto: .tcp)
    try #require(sockets.count == 3)
    #expect(sockets[0].local.description == "::1" && sockets[0].localPort == 8081)
    #expect(sockets[0].remote == .anyIPv6)
    #expect(sockets[1].local == HostAddress(ipv4: 0x7F00_0001) && sockets[1].local.isIPv4)
    #expect(sockets[1].remote.description == "10.0.0.10" && sockets[1].remotePort == 0xE5F0)
    #expect(sockets[1].uid == 33 && sockets[1].inode == 45678)
    #expect(sockets[2].local.description == "2001:db8::5" && sockets[2].localPort == 53)
    #expect(sockets[2].remote.description == "fe80::1")
  }

  @Test(
    "Endpoints of other lengths or bad hex are rejected",
    arguments: ["0100007F", "0100007:1F90", "0100007F:", "0100007G:1F90", "00000000000000000000000001000000:10000", ""]
  )
  func badEndpoint(field: String) {
    #expect(ProcNetSocket.endpoint(Substring(field)) == nil)
  }

  @Test(
    "Addresses from bytes print in their usual form",
    arguments: [
      ([127, 0, 0, 1], "127.0.0.1"),
      ([0, 0, 0, 0], "0.0.0.0"),
      ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "::1"),
      ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "::"),
      ([0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], "2001:db8:0:1::1"),
      ([0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1], "2001:db8::1:0:0:1"),
      ([0xFE, 0x80, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7], "fe80:1:2:3:4:5:6:7"),
      ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 1, 2, 3], "10.1.2.3"),
    ] as [([UInt8], String)]
  )
  func addressText(bytes: [UInt8], text: String) throws {
    let address = try #require(HostAddress(bytes: bytes))
    #expect(address.description == text)
    #expect(HostAddress(bytes: address.bytes) == address)
  }

  @Test("IPv4 and IPv4-mapped IPv6 bytes are the same address; other lengths are not addresses")
  func mapped() {
    let mapped: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 192, 0, 2, 1]
    #expect(HostAddress(bytes: [192, 0, 2, 1] as [UInt8]) == HostAddress(bytes: mapped))
    #expect(HostAddress(bytes: [192, 0, 2, 1] as [UInt8])?.ipv4 == 0xC000_0201)
    #expect(HostAddress(bytes: [1, 2, 3] as [UInt8]) == nil)
    #expect(HostAddress.anyIPv4 != HostAddress.anyIPv6)
    #expect(HostAddress.anyIPv4.isUnspecified && HostAddress.anyIPv6.isUnspecified)
  }

  @Test("Owners: exact 4-tuple first, then the port's listener: own address, then 0.0.0.0, then ::")
  func ownerLookup() throws {
    let sockets = ProcNetSocket.parse(Self.tcpText, proto: .tcp) + ProcNetSocket.parse(Self.tcp6Text, proto: .tcp)
    let owners: [UInt64: Int32] = [12345: 100, 23456: 200, 34567: 300, 45678: 400]
    let table = SocketOwners(sockets: sockets, owners: owners)
    #expect(table.socketCount == 6 && table.ownedCount == 4)
    let loopback = HostAddress(ipv4: 0x7F00_0001)
    let ipv6Loopback = try #require(HostAddress(bytes: [UInt8](repeating: 0, count: 15) + [1]))
    // The connected client socket, exactly.
    #expect(table.owner(protocol: .tcp, local: loopback, localPort: 50000, remote: loopback, remotePort: 8080) == 200)
    // The server end of that connection has no socket of its own here: the listener on 127.0.0.1:8080.
    #expect(table.owner(protocol: .tcp, local: loopback, localPort: 8080, remote: loopback, remotePort: 50000) == 100)
    // Not the listener for another local address, nor for UDP.
    let other = HostAddress(ipv4: 0x0A00_0001)
    #expect(table.owner(protocol: .tcp, local: other, localPort: 8080, remote: loopback, remotePort: 1) == nil)
    #expect(table.owner(protocol: .udp, local: loopback, localPort: 8080, remote: loopback, remotePort: 1) == nil)
    // ::1:8081 listener; an inode without an owner (56789) and a socket without a file (inode 0) are unknown.
    #expect(
      table.owner(protocol: .tcp, local: ipv6Loopback, localPort: 8081, remote: ipv6Loopback, remotePort: 9) == 300
    )
    let documentation = try #require(
      HostAddress(bytes: [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [5])
    )
    #expect(table.owner(protocol: .tcp, local: documentation, localPort: 53, remote: .anyIPv6, remotePort: 0) == nil)
    // The IPv4-mapped connection in tcp6 is found by its IPv4 addresses.
    let peer = HostAddress(ipv4: 0x0A00_000A)
    #expect(table.owner(protocol: .tcp, local: loopback, localPort: 443, remote: peer, remotePort: 0xE5F0) == 400)
  }

  @Test("Wildcard listeners: 0.0.0.0 serves only IPv4, :: serves both, a specific address wins")
  func wildcards() throws {
    let text = """
        sl  local_address rem_address   st
         0: 00000000:0050 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0
         1: 0100007F:0050 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2 2 0
      """
    let text6 = """
        sl  local_address                         remote_address                        st
         0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3 2 0
      """
    let sockets = ProcNetSocket.parse(text, proto: .udp) + ProcNetSocket.parse(text6, proto: .udp)
    let table = SocketOwners(sockets: sockets, owners: [1: 10, 2: 20, 3: 30])
    let loopback = HostAddress(ipv4: 0x7F00_0001)
    let lan = HostAddress(ipv4: 0xC0A8_0001)
    let ipv6 = try #require(HostAddress(bytes: [0xFD] + [UInt8](repeating: 0, count: 14) + [1]))
    #expect(table.owner(protocol: .udp, local: loopback, localPort: 80, remote: lan, remotePort: 5) == 20)
    #expect(table.owner(protocol: .udp, local: lan, localPort: 80, remote: loopback, remotePort: 5) == 10)
    #expect(table.owner(protocol: .udp, local: ipv6, localPort: 80, remote: ipv6, remotePort: 5) == 30)
    #expect(table.owner(protocol: .udp, local: lan, localPort: 81, remote: loopback, remotePort: 5) == nil)
    let only6 = SocketOwners(sockets: ProcNetSocket.parse(text6, proto: .udp), owners: [3: 30])
    #expect(only6.owner(protocol: .udp, local: lan, localPort: 80, remote: loopback, remotePort: 5) == 30)
  }

  @Test(
    "socket:[INODE] link targets",
    arguments: [
      ("socket:[12345]", 12345), ("pipe:[12345]", nil), ("socket:[]", nil), ("socket:[12x]", nil), ("/dev/null", nil),
    ] as [(String, UInt64?)]
  )
  func socketLink(target: String, inode: UInt64?) {
    #expect(ProcessScan.socketInode(target) == inode)
  }
}
