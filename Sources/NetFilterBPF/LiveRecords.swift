internal import CNetFilterBPF
public import NetFilterSyntax

/// The process behind a live event: the socket's owner (the last process seen using it in process
/// context), or the caller of a send or receive.
public struct PacketOwner: Sendable, Equatable {
  /// Process (thread-group) id.
  public let pid: UInt32
  /// Thread id.
  public let tid: UInt32
  /// User id.
  public let uid: UInt32
  /// cgroup v2 id.
  public let cgroupID: UInt64
  /// The thread-group leader's `comm`.
  public let name: String
  /// The parent's process id (0 when not known).
  public let ppid: UInt32

  /// Creates an owner.
  public init(pid: UInt32, tid: UInt32, uid: UInt32, cgroupID: UInt64, name: String, ppid: UInt32 = 0) {
    self.pid = pid
    self.tid = tid
    self.uid = uid
    self.cgroupID = cgroupID
    self.name = name
    self.ppid = ppid
  }
}

/// One packet record from the kernel: its header values and the captured bytes from its IP header.
public struct LivePacket: Sendable {
  /// Which way the packet went.
  public enum Direction: UInt8, Sendable { case ingress = 1, egress = 2 }

  /// Capture time in nanoseconds since the Unix epoch.
  public let timestamp: UInt64
  /// Which way the packet went.
  public let direction: Direction
  /// Bytes on the wire (from the IP header).
  public let originalLength: Int
  /// The socket's cookie, or 0 when the packet had no socket.
  public let socketCookie: UInt64
  /// The owning process, when its socket was seen in process context.
  public let owner: PacketOwner?
  /// The captured bytes, starting at the IP header (bounded: headers plus 128 or 512 payload bytes).
  public let bytes: [UInt8]
  /// The kernel plan's clauses that may accept the packet (all ones without a plan).
  public let clauses: UInt64

  /// Creates a record (tests and replays; live records come from ``LiveCapture/poll(timeoutMilliseconds:_:)``).
  public init(
    timestamp: UInt64,
    direction: Direction,
    originalLength: Int,
    socketCookie: UInt64 = 0,
    owner: PacketOwner?,
    bytes: [UInt8],
    clauses: UInt64 = .max
  ) {
    self.timestamp = timestamp
    self.direction = direction
    self.originalLength = originalLength
    self.socketCookie = socketCookie
    self.owner = owner
    self.bytes = bytes
    self.clauses = clauses
  }
}

/// One socket event from the kernel, in Fibratus's terms.
public struct LiveSocketEvent: Sendable {
  /// What happened (the raw values are the ABI's NF_KIND_*).
  public enum Kind: UInt8, Sendable, CaseIterable {
    case connect = 2, accept, send, recv, disconnect, reconnect, retransmit

    /// Fibratus's event name.
    public var name: String {
      switch self {
      case .connect: "Connect"
      case .accept: "Accept"
      case .send: "Send"
      case .recv: "Recv"
      case .disconnect: "Disconnect"
      case .reconnect: "Reconnect"
      case .retransmit: "Retransmit"
      }
    }
  }

  /// What happened.
  public let kind: Kind
  /// Event time in nanoseconds since the Unix epoch.
  public let timestamp: UInt64
  /// 6 (TCP) or 17 (UDP).
  public let l4Protocol: UInt8
  /// The local end (`net.sip`, `net.sport`).
  public let localAddress: IPAddress
  /// The local port.
  public let localPort: UInt16
  /// The remote end (`net.dip`, `net.dport`), nil when the kernel did not know it (an unconnected
  /// datagram socket before its first addressed send or receive).
  public let remoteAddress: IPAddress?
  /// The remote port (0 when `remoteAddress` is nil).
  public let remotePort: UInt16
  /// Bytes sent or received (Send, Recv).
  public let size: UInt32
  /// The TCP states of the transition (Connect, Accept, Disconnect), or the state at a retransmission.
  public let oldState: UInt8
  /// See ``oldState``.
  public let newState: UInt8
  /// The socket's cookie.
  public let socketCookie: UInt64
  /// The process (nil when the kernel did not know the socket's owner).
  public let owner: PacketOwner?
  /// The kernel plan's clauses that may accept the event.
  public let clauses: UInt64

  /// Creates an event (tests; live events come from ``LiveCapture/poll(timeoutMilliseconds:_:)``).
  public init(
    kind: Kind,
    timestamp: UInt64,
    l4Protocol: UInt8,
    local: (IPAddress, UInt16),
    remote: (IPAddress, UInt16)?,
    size: UInt32 = 0,
    states: (UInt8, UInt8) = (0, 0),
    socketCookie: UInt64 = 0,
    owner: PacketOwner?,
    clauses: UInt64 = .max
  ) {
    self.kind = kind
    self.timestamp = timestamp
    self.l4Protocol = l4Protocol
    (localAddress, localPort) = local
    remoteAddress = remote?.0
    remotePort = remote?.1 ?? 0
    self.size = size
    (oldState, newState) = states
    self.socketCookie = socketCookie
    self.owner = owner
    self.clauses = clauses
  }
}

/// Anything the ring buffer delivers.
public enum LiveRecord: Sendable {
  /// A packet.
  case packet(LivePacket)
  /// A socket event.
  case socket(LiveSocketEvent)
  /// A process called execve (what user space knows of it is stale).
  case exec(pid: UInt32)
  /// A process ended (its thread-group leader exited).
  case exit(pid: UInt32)
}

extension PacketOwner {
  init(_ owner: nf_owner_v2) {
    let name = withUnsafeBytes(of: owner.comm) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    self.init(pid: owner.tgid, tid: owner.pid, uid: owner.uid, cgroupID: owner.cgroup_id, name: name, ppid: owner.ppid)
  }
}
