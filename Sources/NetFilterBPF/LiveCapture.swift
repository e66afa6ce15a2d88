internal import CLibbpf
internal import CNetFilterBPF

#if canImport(Glibc)
  import Glibc
#endif

/// The process that owns a captured packet's socket (the last one seen using it in process context).
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

  /// Creates an owner.
  public init(pid: UInt32, tid: UInt32, uid: UInt32, cgroupID: UInt64, name: String) {
    self.pid = pid
    self.tid = tid
    self.uid = uid
    self.cgroupID = cgroupID
    self.name = name
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

  /// Creates a record (tests and replays; live records come from ``LiveCapture/poll(timeoutMilliseconds:_:)``).
  public init(
    timestamp: UInt64,
    direction: Direction,
    originalLength: Int,
    socketCookie: UInt64 = 0,
    owner: PacketOwner?,
    bytes: [UInt8]
  ) {
    self.timestamp = timestamp
    self.direction = direction
    self.originalLength = originalLength
    self.socketCookie = socketCookie
    self.owner = owner
    self.bytes = bytes
  }
}

/// Live capture: netfilter's BPF programs loaded and attached to the cgroup-v2 root (so every
/// process's IPv4 and IPv6 packets are seen), records read from one ring buffer.
///
/// ``stop()`` (or deinit) destroys the links, programs and maps, so nothing of netfilter's remains
/// in the kernel. Not thread-safe: use one capture from one thread.
public final class LiveCapture {
  private var skeleton: OpaquePointer?
  private var ring: OpaquePointer?
  private let state = PollState()

  /// Loads the programs and attaches them to the cgroup v2 hierarchy at `cgroupPath` (the cgroup2
  /// mount from /proc/mounts by default).
  public init(cgroupPath: String? = nil) throws(BPFError) {
    nf_log_capture()
    _ = takeLibbpfLog()
    guard let path = cgroupPath ?? BPFCapability.cgroup2Mount() else {
      throw BPFError(operation: "find the cgroup v2 mount", code: ENOENT)
    }
    guard let object = nf_open_and_load() else {
      throw BPFError(operation: "load the BPF object", code: errno, log: takeLibbpfLog())
    }
    skeleton = object
    do throws(BPFError) {
      try attach(object, cgroup: path)
      let ringFD = nf_events_fd(object)
      let context = Unmanaged.passUnretained(state).toOpaque()
      guard let buffer = ring_buffer__new(ringFD, liveCaptureSample, context, nil) else {
        throw BPFError(operation: "create the ring buffer reader", code: errno, log: takeLibbpfLog())
      }
      ring = buffer
      state.clockOffset = realtimeMinusMonotonic()
    } catch {
      stop()
      throw error
    }
  }

  deinit { stop() }

  private func attach(_ object: OpaquePointer, cgroup path: String) throws(BPFError) {
    let cgroupFD = open(path, O_RDONLY | O_DIRECTORY)
    guard cgroupFD >= 0 else { throw BPFError(operation: "open the cgroup \(path)", code: errno) }
    defer { close(cgroupFD) }
    var failed: UnsafePointer<CChar>?
    let result = nf_attach_all(object, cgroupFD, &failed)
    if result < 0 {
      let name = failed.map { String(cString: $0) } ?? "a program"
      throw BPFError(operation: "attach \(name)", code: -result, log: takeLibbpfLog())
    }
  }

  /// Waits up to `timeoutMilliseconds` for records and hands each to `handler`; returns how many
  /// were read.
  @discardableResult
  public func poll(timeoutMilliseconds: Int32, _ handler: (LivePacket) -> Void) throws(BPFError) -> Int {
    guard let ring else { return 0 }
    let result: Int32 = withoutActuallyEscaping(handler) { escapable in
      state.handler = escapable
      defer { state.handler = nil }
      return ring_buffer__poll(ring, timeoutMilliseconds)
    }
    if result == -EINTR { return 0 }
    if result < 0 { throw BPFError(operation: "poll the ring buffer", code: -result) }
    return Int(result)
  }

  /// Records the kernel dropped because the ring buffer was full (summed over CPUs).
  public var lostCount: UInt64 { counter(UInt32(NF_COUNT_LOST)) }
  /// IPv4/IPv6 packets the kernel programs saw (summed over CPUs).
  public var packetCount: UInt64 { counter(UInt32(NF_COUNT_PACKETS)) }

  private func counter(_ index: UInt32) -> UInt64 {
    guard let skeleton else { return 0 }
    let cpus = Int(libbpf_num_possible_cpus())
    guard cpus > 0 else { return 0 }
    var values = [UInt64](repeating: 0, count: cpus)
    var key = index
    guard bpf_map_lookup_elem(nf_counts_fd(skeleton), &key, &values) == 0 else { return 0 }
    return values.reduce(0, &+)
  }

  /// Detaches and frees everything (idempotent).
  public func stop() {
    if let ring { ring_buffer__free(ring) }
    ring = nil
    if let skeleton { nf_destroy(skeleton) }
    skeleton = nil
  }
}

/// What the ring-buffer callback reaches through its context pointer.
private final class PollState {
  var handler: ((LivePacket) -> Void)?
  var clockOffset: Int64 = 0
}

/// The ring buffer's sample callback: captures nothing, finds its state through `context`.
private func liveCaptureSample(_ context: UnsafeMutableRawPointer?, _ data: UnsafeMutableRawPointer?, _ size: Int)
  -> Int32
{
  guard let context, let data, size >= MemoryLayout<nf_packet_v1>.offset(of: \.data)! else { return 0 }
  let state = Unmanaged<PollState>.fromOpaque(context).takeUnretainedValue()
  guard let handler = state.handler else { return 0 }
  handler(LivePacket(record: data, size: size, clockOffset: state.clockOffset))
  return 0
}

extension LivePacket {
  fileprivate init(record: UnsafeMutableRawPointer, size: Int, clockOffset: Int64) {
    let header = record.loadUnaligned(as: nf_packet_v1.self)
    let dataOffset = MemoryLayout<nf_packet_v1>.offset(of: \.data)!
    let captured = min(Int(header.captured_length), size - dataOffset, Int(NF_MAX_CAPTURE))
    timestamp = UInt64(clamping: Int64(bitPattern: header.timestamp_ns) &+ clockOffset)
    direction = header.direction == NF_DIR_EGRESS ? .egress : .ingress
    originalLength = Int(header.original_length)
    socketCookie = header.socket_cookie
    bytes = Array(UnsafeRawBufferPointer(start: record + dataOffset, count: max(0, captured)))
    if header.flags & UInt8(NF_PACKET_HAS_PROCESS) != 0 {
      let name = withUnsafeBytes(of: header.comm) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
      owner = PacketOwner(pid: header.tgid, tid: header.pid, uid: header.uid, cgroupID: header.cgroup_id, name: name)
    } else {
      owner = nil
    }
  }
}

/// CLOCK_REALTIME minus CLOCK_MONOTONIC in nanoseconds: turns bpf_ktime_get_ns into epoch time.
private func realtimeMinusMonotonic() -> Int64 {
  var real = timespec()
  var mono = timespec()
  clock_gettime(CLOCK_REALTIME, &real)
  clock_gettime(CLOCK_MONOTONIC, &mono)
  return (Int64(real.tv_sec) - Int64(mono.tv_sec)) * 1_000_000_000 + Int64(real.tv_nsec) - Int64(mono.tv_nsec)
}
