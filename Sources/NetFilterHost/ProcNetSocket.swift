/// One line of `/proc/net/tcp`, `tcp6`, `udp` or `udp6`.
public struct ProcNetSocket: Equatable, Sendable {
  /// The socket's transport protocol.
  public var proto: SocketProtocol
  /// The local address (IPv4 held IPv4-mapped, see ``HostAddress``).
  public var local: HostAddress
  /// The local port.
  public var localPort: UInt16
  /// The remote address; unspecified for a listening or unconnected socket.
  public var remote: HostAddress
  /// The remote port; 0 for a listening or unconnected socket.
  public var remotePort: UInt16
  /// The kernel's state number (TCP: 1 established … 10 listen; UDP: 1 connected, 7 unconnected).
  public var state: UInt8
  /// The owner's user id.
  public var uid: UInt32
  /// The socket's inode number, as in the `socket:[INODE]` links under `/proc/PID/fd`; 0 for a socket with no file
  /// (time-wait, or an accepted connection still in the listener's queue).
  public var inode: UInt64

  /// The TCP listen state.
  public static let tcpListen: UInt8 = 10

  /// Whether the socket has no peer: a TCP listener or an unconnected (bound) UDP socket.
  public var isUnconnected: Bool { remotePort == 0 }

  /// The sockets in the text of a `/proc/net/{tcp,tcp6,udp,udp6}` file (its header line and malformed lines are
  /// skipped).
  public static func parse(_ text: String, proto: SocketProtocol) -> [ProcNetSocket] {
    text.split(separator: "\n").dropFirst().compactMap { parseLine($0, proto: proto) }
  }

  /// One socket line: `sl local rem st tx:rx tr:when retrnsmt uid timeout inode …`.
  public static func parseLine(_ line: Substring, proto: SocketProtocol) -> ProcNetSocket? {
    let fields = line.split(separator: " ", maxSplits: 10, omittingEmptySubsequences: true)
    guard fields.count >= 10, let local = endpoint(fields[1]), let remote = endpoint(fields[2]),
      let state = UInt8(fields[3], radix: 16), let uid = UInt32(fields[7]), let inode = UInt64(fields[9])
    else { return nil }
    return ProcNetSocket(
      proto: proto,
      local: local.address,
      localPort: local.port,
      remote: remote.address,
      remotePort: remote.port,
      state: state,
      uid: uid,
      inode: inode
    )
  }

  /// An `ADDRESS:PORT` field. The kernel prints each 32-bit word of the address as the hex of its in-memory value
  /// (so 127.0.0.1 is `0100007F` on a little-endian machine), and the port as plain hex.
  public static func endpoint(_ field: Substring) -> (address: HostAddress, port: UInt16)? {
    guard let colon = field.firstIndex(of: ":"), let port = UInt16(field[field.index(after: colon)...], radix: 16)
    else { return nil }
    let hex = field[..<colon]
    guard hex.utf8.count == 8 || hex.utf8.count == 32 else { return nil }
    var words: [UInt32] = []
    var start = hex.startIndex
    while start < hex.endIndex {
      let end = hex.index(start, offsetBy: 8)
      guard let raw = UInt32(hex[start..<end], radix: 16) else { return nil }
      words.append(UInt32(bigEndian: raw))  // the word's bytes were in network order in memory
      start = end
    }
    if words.count == 1 { return (HostAddress(ipv4: words[0]), port) }
    let high = UInt64(words[0]) << 32 | UInt64(words[1])
    let low = UInt64(words[2]) << 32 | UInt64(words[3])
    return (HostAddress(high: high, low: low), port)
  }
}
