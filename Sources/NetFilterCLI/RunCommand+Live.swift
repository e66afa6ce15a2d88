import ArgumentParser
import Foundation
import NetFilter
import NetFilterBPF
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
    let programs = LivePrograms(packets: try plan(compiled, console), sockets: try plan(compiled, console))
    let capture: LiveCapture
    do { capture = try LiveCapture() } catch { throw unavailable(error.description, console) }
    defer { capture.stop() }
    let stop = StopSignal()
    defer { stop.restore() }
    try readLive(capture, programs, stop, &sink, &counters)
    counters.lost = capture.lostCount
  }

  private func readLive(
    _ capture: LiveCapture,
    _ programs: LivePrograms,
    _ stop: StopSignal,
    _ sink: inout EventSink,
    _ counters: inout Counters
  ) throws {
    let host = ProcessInfo.processInfo.hostName
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
    }
  }

  private func unavailable(_ reason: String, _ console: Console) -> ExitCode {
    console.err(
      "error: live capture is not available here: \(reason).\n"
        + "hint: replay a capture with --pcap FILE, or read JSON-lines events with --input FILE.\n"
    )
    return ExitCode(Self.unavailableExitCode)
  }
}

/// The filter planned for both kinds of live event.
struct LivePrograms {
  let packets: Program<LiveEvent>
  let sockets: Program<SocketEvent>

  /// Whether the packet program reads fields that need the payload decoded (DNS, HTTP).
  var decodesApplication: Bool { packets.keys.contains { $0.resolved == nil } }

  /// Counts `record`, and writes it to `sink` if it matches; returns whether it matched.
  func handle(_ record: LiveRecord, host: String, _ sink: inout EventSink, _ counters: inout Counters) -> Bool {
    switch record {
    case .packet(let live):
      counters.received += 1
      let event = LiveEvent(live, decodeApplication: decodesApplication)
      if event.packet.packet.malformed != nil { counters.malformed += 1 }
      guard packets.matches(event) else { return false }
      counters.matched += 1
      let shown = event.decoded()
      sink.write(json: shown.traceeJSON(hostName: host).serialized) { shown.lookup(FieldBinding($0)) }
      return true
    case .socket(let live):
      counters.received += 1
      let event = SocketEvent(live)
      guard sockets.matches(event) else { return false }
      counters.matched += 1
      sink.write(json: event.traceeJSON(hostName: host).serialized) { event.lookup(FieldBinding($0)) }
      return true
    case .exec:
      return false
    }
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
