import ArgumentParser
import Foundation
import NetFilter
import NetFilterBPF
import NetFilterHost
import Synchronization

extension RunCommand {
  /// Exit status when live capture cannot run here (not root, no BTF, no cgroup v2, bpf() refused).
  static let unavailableExitCode: Int32 = 77

  /// No --pcap and no --input: packets from the kernel (cgroup_skb on the cgroup-v2 root), each
  /// attributed to the process that owns its socket when known, until --count, --duration,
  /// SIGINT or SIGTERM.
  func captureLive(_ compiled: Filter, _ sink: inout EventSink, _ counters: inout Counters, _ console: Console) throws {
    let capability = BPFCapability.current
    guard capability.canLoadPrograms else {
      throw unavailable(capability.missing.joined(separator: "; "), console)
    }
    let packets: Program<LiveEvent> = try plan(compiled, console)
    let sockets: Program<SocketEvent> = try plan(compiled, console)
    let capture: LiveCapture
    do { capture = try LiveCapture() } catch { throw unavailable(error.description, console) }
    defer { capture.stop() }
    if !noOffload {
      do { try capture.load(kernelPlan(compiled)) } catch {
        throw ValidationError("Cannot load the kernel plan: \(error.description)")
      }
    }
    // Output goes out in chunks, flushed after every wait for records (a write per event would
    // cost a system call each).
    let output = ChunkedOutput(console)
    defer { output.flush() }
    // After attaching: sockets used from now on are seen by the kernel, older ones are in /proc.
    let programs = LivePrograms(
      packets: packets,
      sockets: sockets,
      events: selectedKinds,
      processes: LiveProcesses(),
      output: output
    )
    let stop = StopSignal()
    defer { stop.restore() }
    var chunked = EventSink(format: sink.format, console: output.console)
    try readLive(capture, programs, stop, &chunked, &counters) { output.flush() }
    counters.lost = capture.lostCount
  }

  private func readLive(
    _ capture: LiveCapture,
    _ programs: LivePrograms,
    _ stop: StopSignal,
    _ sink: inout EventSink,
    _ counters: inout Counters,
    flush: () -> Void
  ) throws {
    let host = HostName.current
    let deadline = duration.map { Date().addingTimeInterval($0) }
    var done = false
    while !done, !stop.requested {
      if let deadline, Date() >= deadline { break }
      let wait = deadline.map { Int32(max(1, min(100, $0.timeIntervalSinceNow * 1000))) } ?? 100
      do {
        try capture.poll(timeoutMilliseconds: wait) { record in
          guard !done else { return }
          guard programs.handle(record, host: host, &sink, &counters) else { return }
          if let count, counters.matched >= count { done = true }
        }
      } catch {
        throw ValidationError("Live capture failed: \(error.description)")
      }
      flush()
    }
  }

  /// What the kernel tests before copying an event: the filter's plan, and with `--events` the
  /// selected kinds too.
  func kernelPlan(_ compiled: Filter) -> KernelPlan {
    let kinds = selectedKinds
    guard !kinds.isEmpty else { return compiled.kernelPlan }
    return KernelPlan.lower([.and([.or(kinds.map { .event($0) }), compiled.kernelExpression])])
  }

  private func unavailable(_ reason: String, _ console: Console) -> ExitCode {
    console.err(
      "error: live capture is not available here: \(reason).\n"
        + "hint: replay a capture with --pcap FILE, or read JSON-lines events with --input FILE.\n"
    )
    return ExitCode(Self.unavailableExitCode)
  }
}

/// The filter planned for both kinds of live event, and the `--events` selection.
struct LivePrograms {
  let packets: Program<LiveEvent>
  let sockets: Program<SocketEvent>
  /// With `--events`: the packet kinds to emit one event each for (Tracee's model).
  let packetKinds: [String]
  /// With `--events`: the socket events to emit (nil: all).
  let socketKinds: Set<String>?

  let processes: LiveProcesses
  /// Where JSON lines of packets go as bytes (the sink's console writes to it too).
  let output: ChunkedOutput
  /// Whether the packet program reads fields that need the payload decoded (DNS, HTTP).
  let decodesApplication: Bool
  /// When each program needs /proc for an event.
  private let packetsNeedHost: ProcessFields.HostNeed
  private let socketsNeedHost: ProcessFields.HostNeed

  init(
    packets: Program<LiveEvent>,
    sockets: Program<SocketEvent>,
    events: [String],
    processes: LiveProcesses,
    output: ChunkedOutput
  ) {
    self.packets = packets
    self.sockets = sockets
    packetKinds = events.filter(EventNames.packet.contains)
    socketKinds = events.isEmpty ? nil : Set(events.filter { !EventNames.packet.contains($0) })
    self.processes = processes
    self.output = output
    decodesApplication = packets.keys.contains { $0.resolved == nil }
    packetsNeedHost = ProcessFields.HostNeed(packets.keys)
    socketsNeedHost = ProcessFields.HostNeed(sockets.keys)
  }

  /// Counts `record`, and writes it to `sink` if it matches; returns whether it matched.
  func handle(_ record: LiveRecord, host: String, _ sink: inout EventSink, _ counters: inout Counters) -> Bool {
    switch record {
    case .packet(let live):
      counters.received += 1
      var event = LiveEvent(live, decodeApplication: decodesApplication)
      if event.packet.packet.malformed != nil { counters.malformed += 1 }
      if packetsNeedHost.applies(ownerKnown: live.owner != nil) { fillProcess(&event) }
      var views = socketKinds == nil ? [event] : packetKinds.filter(event.packet.kind.isA).map(event.viewed)
      if let fibratus = event.packet.kind.fibratusName, socketKinds?.contains(fibratus) == true { views.append(event) }
      var matched = false
      for view in views where packets.matches(view) {
        matched = true
        counters.matched += 1
        var shown = view.decodingApplication()
        fillProcess(&shown)
        if sink.format == .json {
          output.append(line: shown.traceeJSONText(hostName: host))
        } else {
          sink.write(json: String(decoding: shown.traceeJSONText(hostName: host), as: UTF8.self)) {
            shown.lookup(FieldBinding($0))
          }
        }
      }
      return matched
    case .socket(let live):
      counters.received += 1
      var event = SocketEvent(live)
      if socketsNeedHost.applies(ownerKnown: live.owner != nil) { fillProcess(&event) }
      guard socketKinds?.contains(live.kind.name) ?? true, sockets.matches(event) else { return false }
      counters.matched += 1
      fillProcess(&event)
      if sink.format == .json {
        output.append(line: event.traceeJSONText(hostName: host))
      } else {
        sink.write(json: String(decoding: event.traceeJSONText(hostName: host), as: UTF8.self)) {
          event.lookup(FieldBinding($0))
        }
      }
      return true
    case .exec(let pid):
      processes.forget(pid: pid)
      return false
    }
  }

  private func fillProcess(_ event: inout LiveEvent) {
    guard event.process.host == nil else { return }
    event.process = processes.context(event.process.owner, event.socketEnds)
  }

  private func fillProcess(_ event: inout SocketEvent) {
    guard event.process.host == nil else { return }
    event.process = processes.context(event.process.owner, event.socketEnds)
  }
}

/// SIGINT and SIGTERM, while a live capture runs, set a flag the capture loop checks instead of
/// killing the process, so the programs are always detached. The signal also interrupts the
/// ring-buffer wait. A real handler, not SIG_IGN: children the process starts meanwhile get the
/// default disposition back when they exec.
final class StopSignal {
  private let previous: [(Int32, sighandler_t?)]
  private var previousMask = sigset_t()

  /// Installs the handlers and unblocks both signals on this thread (a parent may have started
  /// the process with them blocked, as threads of libdispatch do).
  init() {
    stopSignalArrived.store(false, ordering: .relaxed)
    previous = [SIGINT, SIGTERM].map { number in
      (number, signal(number) { _ in stopSignalArrived.store(true, ordering: .relaxed) })
    }
    var both = sigset_t()
    sigemptyset(&both)
    sigaddset(&both, SIGINT)
    sigaddset(&both, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &both, &previousMask)
  }

  /// Whether a stop signal arrived.
  var requested: Bool { stopSignalArrived.load(ordering: .relaxed) }

  /// Stops handling the signals (their previous dispositions are back).
  func restore() {
    pthread_sigmask(SIG_SETMASK, &previousMask, nil)
    for (number, handler) in previous { signal(number, handler) }
  }
}

/// Set by the signal handler (lock-free, so async-signal-safe).
private let stopSignalArrived = Atomic<Bool>(false)
