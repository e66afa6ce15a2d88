import NetFilterBPF
import NetFilterHost
import NetFilterSyntax

/// One socket's ends, for finding the owner of a socket the kernel has not seen used.
struct SocketEnds {
  var proto: UInt8
  var local: IPAddress
  var localPort: UInt16
  var remote: IPAddress
  var remotePort: UInt16
}

/// /proc for live events: the process table and the snapshot of sockets open at capture start.
final class LiveProcesses {
  let table: ProcessTable
  private let sockets: SocketOwners

  /// Reads the sockets open now (call right after the programs are attached: every socket used
  /// later is seen by the kernel).
  init() {
    table = ProcessTable(cgroups: CgroupPaths())
    sockets = SocketOwners.snapshot()
  }

  /// The context of an event whose kernel owner is `owner`, on the socket `ends` (if known).
  func context(_ owner: PacketOwner?, _ ends: SocketEnds?) -> ProcessContext {
    if let owner {
      let kernel = KernelProcess(
        pid: Int32(bitPattern: owner.pid),
        name: owner.name,
        uid: owner.uid,
        ppid: owner.ppid == 0 ? nil : Int32(bitPattern: owner.ppid),
        cgroupID: owner.cgroupID
      )
      return ProcessContext(owner: owner, host: table.process(pid: kernel.pid, kernel: kernel))
    }
    guard let ends, let proto = SocketProtocol(rawValue: ends.proto),
      let pid = sockets.owner(
        protocol: proto,
        local: HostAddress(ends.local),
        localPort: ends.localPort,
        remote: HostAddress(ends.remote),
        remotePort: ends.remotePort
      )
    else { return .none }
    return ProcessContext(owner: nil, host: table.process(pid: pid))
  }

  /// An exec: what is cached about `pid` is stale.
  func forget(pid: UInt32) { table.forget(pid: Int32(bitPattern: pid)) }
}

extension HostAddress {
  /// The address of a decoded packet or socket event.
  init(_ address: IPAddress) {
    self =
      address.family == .v4 ? HostAddress(ipv4: address.v4Value) : HostAddress(high: address.high, low: address.low)
  }
}
