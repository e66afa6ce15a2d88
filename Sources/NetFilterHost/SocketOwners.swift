/// Which process owns each socket that exists now: the sockets of `/proc/net/{tcp,tcp6,udp,udp6}` (of every network
/// namespace some process is in) joined with the `socket:[INODE]` links under `/proc/PID/fd`.
///
/// The kernel learns a socket's owner only when the socket is used in process context, so packets of a socket that
/// existed before the capture and stays idle arrive with no owner; this snapshot, taken at capture start, names it.
/// A lookup is a hash probe on the 4-tuple, then on the local port for a listener or an unconnected UDP socket
/// (an accepted TCP connection still in the listen queue has no file of its own, and shares the listener's port).
/// Lookups do not allocate. A socket shared by several processes (after `fork`) belongs to the lowest pid.
public struct SocketOwners: Sendable {
  private struct Connection: Hashable {
    var proto: SocketProtocol
    var local: HostAddress
    var localPort: UInt16
    var remote: HostAddress
    var remotePort: UInt16

    /// Three words instead of the ~40 bytes field by field: half the hashing time of a lookup.
    func hash(into hasher: inout Hasher) {
      hasher.combine(local.low ^ local.high.byteSwapped)
      hasher.combine(remote.low ^ remote.high.byteSwapped)
      hasher.combine(UInt64(localPort) << 32 | UInt64(remotePort) << 8 | UInt64(proto.rawValue))
    }
  }

  private struct Port: Hashable {
    var proto: SocketProtocol
    var port: UInt16
  }

  private var connections: [Connection: Int32] = [:]
  private var ports: [Port: [(address: HostAddress, pid: Int32)]] = [:]
  /// The number of sockets read from `/proc/net`.
  public private(set) var socketCount = 0
  /// The number of those sockets with an owner.
  public private(set) var ownedCount = 0

  /// The owners of `sockets`, given the owning pid of each socket inode.
  public init(sockets: [ProcNetSocket], owners: [UInt64: Int32]) {
    socketCount = sockets.count
    for socket in sockets {
      guard socket.inode != 0, let pid = owners[socket.inode] else { continue }
      ownedCount += 1
      if socket.isUnconnected {
        ports[Port(proto: socket.proto, port: socket.localPort), default: []].append((socket.local, pid))
      } else {
        let key = Connection(
          proto: socket.proto,
          local: socket.local,
          localPort: socket.localPort,
          remote: socket.remote,
          remotePort: socket.remotePort
        )
        if connections[key] == nil { connections[key] = pid }
      }
    }
  }

  /// The sockets and their owners as they are now under `procRoot`.
  public static func snapshot(procRoot: String = "/proc") -> SocketOwners {
    let scan = ProcessScan(procRoot: procRoot)
    return SocketOwners(sockets: scan.sockets(), owners: scan.socketOwners)
  }

  /// A new snapshot, for sockets opened since this one was taken.
  public func refreshed(procRoot: String = "/proc") -> SocketOwners {
    Self.snapshot(procRoot: procRoot)
  }

  /// The pid owning the socket at this end of a connection: the socket with exactly this 4-tuple, else a listening
  /// or unconnected socket on `localPort` bound to `local` or to the unspecified address (`::` also serves IPv4).
  public func owner(
    protocol proto: SocketProtocol,
    local: HostAddress,
    localPort: UInt16,
    remote: HostAddress,
    remotePort: UInt16
  ) -> Int32? {
    let key = Connection(proto: proto, local: local, localPort: localPort, remote: remote, remotePort: remotePort)
    if let pid = connections[key] { return pid }
    guard let bound = ports[Port(proto: proto, port: localPort)] else { return nil }
    var best: (rank: Int, pid: Int32)?
    for candidate in bound {
      let rank: Int
      if candidate.address == local {
        rank = 3
      } else if candidate.address == .anyIPv4 && local.isIPv4 {
        rank = 2
      } else if candidate.address == .anyIPv6 {
        rank = 1
      } else {
        continue
      }
      if rank > best?.rank ?? 0 { best = (rank, candidate.pid) }
    }
    return best?.pid
  }
}
