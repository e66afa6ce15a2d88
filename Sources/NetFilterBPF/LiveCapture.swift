internal import CLibbpf
internal import CNetFilterBPF
import NetFilterSyntax

#if canImport(Glibc)
  import Glibc
#endif

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
  /// mount from /proc/mounts by default). With `attach` false the programs are loaded but see no
  /// traffic (for ``testRun(program:frame:)``).
  public init(cgroupPath: String? = nil, attach: Bool = true) throws(BPFError) {
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
      if attach { try self.attach(object, cgroup: path) }
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

  /// Attaches the programs of a capture made with `attach: false` to the cgroup v2 hierarchy at
  /// `cgroupPath` (the cgroup2 mount by default): write the kernel plan first, then attach, and no
  /// event reaches user space unfiltered while the plan is being written.
  public func attach(cgroupPath: String? = nil) throws(BPFError) {
    guard let skeleton else { throw BPFError(operation: "attach a stopped capture", code: EINVAL) }
    guard let path = cgroupPath ?? BPFCapability.cgroup2Mount() else {
      throw BPFError(operation: "find the cgroup v2 mount", code: ENOENT)
    }
    try attach(skeleton, cgroup: path)
  }

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
  public func poll(timeoutMilliseconds: Int32, _ handler: (LiveRecord) -> Void) throws(BPFError) -> Int {
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
  /// TCP and UDP socket events the kernel programs saw (summed over CPUs).
  public var socketEventCount: UInt64 { counter(UInt32(NF_COUNT_SOCKET)) }
  /// Events the kernel plan rejected before the ring buffer (summed over CPUs).
  public var filteredCount: UInt64 { counter(UInt32(NF_COUNT_FILTERED)) }

  /// Reads every record already in the ring buffer without waiting; returns how many.
  @discardableResult
  public func drain(_ handler: (LiveRecord) -> Void) -> Int {
    guard let ring else { return 0 }
    let result: Int32 = withoutActuallyEscaping(handler) { escapable in
      state.handler = escapable
      defer { state.handler = nil }
      return ring_buffer__consume(ring)
    }
    return Int(max(0, result))
  }

  /// Runs the loaded program `program` once over `frame` (an Ethernet frame) with BPF_PROG_TEST_RUN,
  /// as the kernel would for a packet; returns the program's return value.
  public func testRun(program: String, frame: [UInt8]) throws(BPFError) -> UInt32 {
    guard let skeleton else { throw BPFError(operation: "run \(program)", code: ENODEV) }
    let fd = nf_program_fd(skeleton, program)
    guard fd >= 0 else { throw BPFError(operation: "find the program \(program)", code: -fd) }
    var value: UInt32 = 0
    let result = frame.withUnsafeBytes { nf_test_run(fd, $0.baseAddress, UInt32($0.count), &value) }
    guard result == 0 else { throw BPFError(operation: "test-run \(program)", code: -result) }
    return value
  }

  /// The file descriptor of the object's map `name` (the plan loader writes through it).
  func mapFD(_ name: String) throws(BPFError) -> Int32 {
    guard let skeleton else { throw BPFError(operation: "find the map \(name)", code: ENODEV) }
    let fd = nf_map_fd(skeleton, name)
    guard fd >= 0 else { throw BPFError(operation: "find the map \(name)", code: -fd) }
    return fd
  }

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
  var handler: ((LiveRecord) -> Void)?
  var clockOffset: Int64 = 0
}

/// The ring buffer's sample callback: captures nothing, finds its state through `context`.
private func liveCaptureSample(_ context: UnsafeMutableRawPointer?, _ data: UnsafeMutableRawPointer?, _ size: Int)
  -> Int32
{
  guard let context, let data, size >= MemoryLayout<nf_exec_v2>.size else { return 0 }
  let state = Unmanaged<PollState>.fromOpaque(context).takeUnretainedValue()
  guard let handler = state.handler else { return 0 }
  switch Int32(data.load(as: UInt8.self)) {
  case NF_RECORD_PACKET where size >= MemoryLayout<nf_packet_v2>.offset(of: \.data)!:
    handler(.packet(LivePacket(record: data, size: size, clockOffset: state.clockOffset)))
  case NF_RECORD_SOCKET where size >= MemoryLayout<nf_socket_v2>.size:
    let record = data.loadUnaligned(as: nf_socket_v2.self)
    if let event = LiveSocketEvent(record, clockOffset: state.clockOffset) { handler(.socket(event)) }
  case NF_RECORD_EXEC:
    handler(.exec(pid: data.loadUnaligned(as: nf_exec_v2.self).tgid))
  case NF_RECORD_EXIT:
    handler(.exit(pid: data.loadUnaligned(as: nf_exec_v2.self).tgid))
  default:
    break
  }
  return 0
}

extension LivePacket {
  fileprivate init(record: UnsafeMutableRawPointer, size: Int, clockOffset: Int64) {
    let header = record.loadUnaligned(as: nf_packet_v2.self)
    let dataOffset = MemoryLayout<nf_packet_v2>.offset(of: \.data)!
    let captured = min(Int(header.captured_length), size - dataOffset, Int(NF_MAX_CAPTURE))
    timestamp = UInt64(clamping: Int64(bitPattern: header.timestamp_ns) &+ clockOffset)
    direction = header.direction == NF_DIR_EGRESS ? .egress : .ingress
    originalLength = Int(header.original_length)
    socketCookie = header.socket_cookie
    clauses = header.clauses
    bytes = Array(UnsafeRawBufferPointer(start: record + dataOffset, count: max(0, captured)))
    owner = header.flags & UInt8(NF_HAS_PROCESS) != 0 ? PacketOwner(header.owner) : nil
  }
}

extension LiveSocketEvent {
  fileprivate init?(_ record: nf_socket_v2, clockOffset: Int64) {
    guard let kind = Kind(rawValue: record.kind) else { return nil }
    let local = withUnsafeBytes(of: record.local_address) { SocketAddress(bytes: $0) }
    let remote = withUnsafeBytes(of: record.remote_address) { SocketAddress(bytes: $0) }
    let knowsRemote = record.remote_port != 0 || remote.high != 0 || remote.low != 0
    self.init(
      kind: kind,
      timestamp: UInt64(clamping: Int64(bitPattern: record.timestamp_ns) &+ clockOffset),
      l4Protocol: record.l4_protocol,
      local: (local.address, record.local_port),
      remote: knowsRemote ? (remote.address, record.remote_port) : nil,
      size: record.size,
      states: (record.old_state, record.new_state),
      socketCookie: record.socket_cookie,
      owner: record.flags & UInt8(NF_HAS_PROCESS) != 0 ? PacketOwner(record.owner) : nil,
      clauses: record.clauses
    )
  }
}

/// A socket address as the kernel records it: 16 bytes, IPv4 addresses IPv4-mapped (`::ffff:a.b.c.d`).
private struct SocketAddress {
  let high: UInt64
  let low: UInt64

  init(bytes: UnsafeRawBufferPointer) {
    high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
    low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
  }

  /// The address; an IPv4-mapped one as the IPv4 address it stands for.
  var address: IPAddress {
    high == 0 && low >> 32 == 0xFFFF
      ? IPAddress(v4: UInt32(truncatingIfNeeded: low)) : IPAddress(v6High: high, low: low)
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
