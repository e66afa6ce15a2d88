import Foundation
import NetFilterBPF
import NetFilterEval
import NetFilterHost
import NetFilterPackets

/// `.live`: packets and socket events from the kernel (cgroup_skb on the cgroup-v2 root and
/// tracepoints), each attributed to the process that owns its socket when known, until the
/// limit, the duration or a stop.
struct LiveRun {
  let pipeline: Pipeline
  let options: LiveOptions

  func run(_ sink: EventSink, _ stop: StopToken, _ counters: inout PipelineCounters) throws(RuntimeError) {
    let capability = BPFCapability.current
    guard capability.canLoadPrograms else {
      throw RuntimeError(.unavailable, capability.missing.joined(separator: "; "))
    }
    let packets: Program<LivePacketEvent> = try pipeline.program()
    let sockets: Program<SocketEvent> = try pipeline.program()
    let capture: LiveCapture
    do { capture = try LiveCapture() } catch { throw RuntimeError(.unavailable, error.description) }
    defer { capture.stop() }
    if options.offload {
      do { try capture.load(pipeline.kernelPlan) } catch {
        throw RuntimeError(.failure, "Cannot load the kernel plan: \(error.description)")
      }
    }
    // After attaching: sockets used from now on are seen by the kernel, older ones are in /proc.
    let dispatcher = LiveDispatcher(
      packets: packets,
      sockets: sockets,
      selection: pipeline.selection,
      processes: LiveProcesses()
    )
    defer { counters.lost = capture.lostCount }
    try read(capture, dispatcher, sink, stop, &counters)
  }

  private func read(
    _ capture: LiveCapture,
    _ dispatcher: LiveDispatcher,
    _ sink: EventSink,
    _ stop: StopToken,
    _ counters: inout PipelineCounters
  ) throws(RuntimeError) {
    let deadline = options.duration.map { Date().addingTimeInterval($0) }
    var failure: OutputError?
    while pipeline.wantsMore(counters), !stop.isStopped, failure == nil {
      if let deadline, Date() >= deadline { break }
      let wait = deadline.map { Int32(max(1, min(100, $0.timeIntervalSinceNow * 1000))) } ?? 100
      do {
        _ = try capture.poll(timeoutMilliseconds: wait) { record in
          guard failure == nil, pipeline.wantsMore(counters) else { return }
          do throws(OutputError) { try dispatcher.handle(record, pipeline, sink, &counters) } catch { failure = error }
        }
      } catch {
        throw RuntimeError(.failure, "Live capture failed: \(error.description)")
      }
      do { try sink.flush() } catch { failure = error }
      if let board = pipeline.board {
        var published = counters
        published.lost = capture.lostCount
        board.publish(published)
      }
    }
    if let failure { throw RuntimeError(.failure, failure.message) }
  }
}

/// Turns each live record into events: counts it, decodes it, looks its process up in /proc when
/// the program needs that, expands `--events` views, matches and writes.
final class LiveDispatcher {
  let packets: Program<LivePacketEvent>
  let sockets: Program<SocketEvent>
  let selection: EventSelection
  let processes: LiveProcesses

  init(
    packets: Program<LivePacketEvent>,
    sockets: Program<SocketEvent>,
    selection: EventSelection,
    processes: LiveProcesses
  ) {
    self.packets = packets
    self.sockets = sockets
    self.selection = selection
    self.processes = processes
  }

  func handle(
    _ record: LiveRecord,
    _ pipeline: Pipeline,
    _ sink: EventSink,
    _ counters: inout PipelineCounters
  ) throws(OutputError) {
    switch record {
    case .packet(let live):
      counters.received += 1
      var event = LivePacketEvent(live, decodeApplication: packets.needs.contains(.payload))
      if event.packet.isMalformed { counters.malformed += 1 }
      if ProcessContext.needsHost(packets.needs, ownerKnown: live.owner != nil) { fillProcess(&event) }
      try selection.forEachView(of: event, kind: event.packet.kind, viewed: { $0.viewed(as: $1) }) {
        (view) throws(OutputError) -> Bool in
        guard packets.matches(view) else { return true }
        counters.matched += 1
        var shown = view
        fillProcess(&shown)
        try sink.write(shown)
        return pipeline.wantsMore(counters)
      }
    case .socket(let live):
      counters.received += 1
      var event = SocketEvent(live)
      if ProcessContext.needsHost(sockets.needs, ownerKnown: live.owner != nil) { fillProcess(&event) }
      guard selection.selects(socket: live.kind.name), sockets.matches(event) else { return }
      counters.matched += 1
      fillProcess(&event)
      try sink.write(event)
    case .exec(let pid):
      processes.forget(pid: pid)
    }
  }

  private func fillProcess(_ event: inout LivePacketEvent) {
    guard event.process.host == nil else { return }
    event.process = processes.context(event.process.owner, event.socketEnds)
  }

  private func fillProcess(_ event: inout SocketEvent) {
    guard event.process.host == nil else { return }
    event.process = processes.context(event.process.owner, event.socketEnds)
  }
}
