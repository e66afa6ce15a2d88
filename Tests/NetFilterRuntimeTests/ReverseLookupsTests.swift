import Foundation
import NetFilterSyntax
import Testing

@testable import NetFilterRuntime

#if canImport(Glibc)
  import Glibc
#endif

/// netfilter's own PTR queries are told apart from other traffic by the pair of ports of the
/// resolver's socket, not by its local port alone: another program's connection may use the same
/// ephemeral port number (a TCP port, or a UDP socket talking to someone else).
@Suite struct ReverseLookupsTests {
  @Test func ownTrafficIsTheResolversSocketAndItsServerNotThePortAlone() throws {
    // A silent resolver on loopback: it reads the query, which tells the resolver's local port.
    let server = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(server) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(server, $0, length) == 0 && getsockname(server, $0, &length) == 0
      }
    }
    try #require(bound)
    let serverPort = UInt16(bigEndian: address.sin_port)
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

    let lookups = try ReverseLookups(server: "127.0.0.1:\(serverPort)", maxInFlight: 4)
    defer { lookups.stop() }
    lookups.ask(IPAddress(v4: 0x0A00_0001), scope: 0, at: 0)
    var buffer = [UInt8](repeating: 0, count: 512)
    var from = sockaddr_in()
    var fromLength = socklen_t(MemoryLayout<sockaddr_in>.size)
    let received = withUnsafeMutablePointer(to: &from) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        recvfrom(server, &buffer, buffer.count, 0, $0, &fromLength)
      }
    }
    try #require(received > 12, "the resolver sent no query")
    let local = UInt16(bigEndian: from.sin_port)

    #expect(lookups.owns(local: local, remote: serverPort))
    // The same local port number to another remote port is someone else's traffic.
    #expect(!lookups.owns(local: local, remote: serverPort &+ 1))
    #expect(!lookups.owns(local: local, remote: 443))
    #expect(!lookups.owns(local: local &+ 1, remote: serverPort))
  }
}
