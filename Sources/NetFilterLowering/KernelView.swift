import NetFilterSyntax

/// What the kernel knows of one event: the input of ``KernelPlan/evaluate(_:)``, the Swift model of
/// the kernel program.
///
/// The plan is sound (it passes every event the filter matches) when each field here is exactly what
/// the event's fields say, or `.unknown`:
/// - `sourcePort`/`destinationPort`: `net.sport`/`net.dport`, `.missing` exactly when they are missing
///   (no TCP/UDP header decoded: ICMP, other protocols, non-first fragments, truncated headers; a
///   first fragment cut inside its TCP/UDP header has its ports when their 4 bytes are there);
/// - `sourceAddress`/`destinationAddress`: `net.sip`/`net.dip` (IPv4 or IPv6; IPv4-mapped is IPv4);
/// - `l4Protocol`: the IP protocol number of the transport layer; `net.l4.proto` is its name when it
///   is 6, 17, 1 or 58 (TCP, UDP, ICMP, ICMPv6) and missing otherwise;
/// - `direction`: 1 ingress, 2 egress, 0 when a packet's direction is not known (`net.direction` is
///   then missing), `.missing` for events without one;
/// - `eventKind`: the kind of `evt.name` (``KernelEventKind/init(eventName:)``);
/// - `pid`, `tid`, `comm`, `cgroupID`: `ps.pid`, `ps.tid`, `ps.name` (the thread-group leader's comm,
///   at most 15 bytes), `ps.cgroup.id`; `.missing` when the event has no process, `.unknown` when the
///   kernel does not know it yet.
public struct KernelView: Sendable, Hashable {
  public var sourcePort: KernelValue<UInt16>
  public var destinationPort: KernelValue<UInt16>
  public var sourceAddress: KernelValue<IPAddress>
  public var destinationAddress: KernelValue<IPAddress>
  public var l4Protocol: KernelValue<UInt8>
  public var direction: KernelValue<UInt8>
  public var eventKind: KernelValue<KernelEventKind>
  public var pid: KernelValue<UInt32>
  public var tid: KernelValue<UInt32>
  public var comm: KernelValue<String>
  public var cgroupID: KernelValue<UInt64>

  /// Creates a view; fields not given are unknown.
  public init(
    sourcePort: KernelValue<UInt16> = .unknown,
    destinationPort: KernelValue<UInt16> = .unknown,
    sourceAddress: KernelValue<IPAddress> = .unknown,
    destinationAddress: KernelValue<IPAddress> = .unknown,
    l4Protocol: KernelValue<UInt8> = .unknown,
    direction: KernelValue<UInt8> = .unknown,
    eventKind: KernelValue<KernelEventKind> = .unknown,
    pid: KernelValue<UInt32> = .unknown,
    tid: KernelValue<UInt32> = .unknown,
    comm: KernelValue<String> = .unknown,
    cgroupID: KernelValue<UInt64> = .unknown
  ) {
    self.sourcePort = sourcePort
    self.destinationPort = destinationPort
    self.sourceAddress = sourceAddress
    self.destinationAddress = destinationAddress
    self.l4Protocol = l4Protocol
    self.direction = direction
    self.eventKind = eventKind
    self.pid = pid
    self.tid = tid
    self.comm = comm
    self.cgroupID = cgroupID
  }

  /// The event kind as the kind table's key.
  var eventKindValue: KernelValue<UInt8> {
    switch eventKind {
    case .value(let kind): .value(kind.rawValue)
    case .missing: .missing
    case .unknown: .unknown
    }
  }
}
