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

  func run(_ sink: EventSink, _ engine: RuleEngine?, _ stop: StopToken, _ counters: inout PipelineCounters)
    throws(RuntimeError)
  {
    let capability = BPFCapability.current
    guard capability.canLoadPrograms else {
      throw RuntimeError(.unavailable, capability.missing.joined(separator: "; "))
    }
    let packets: Matcher<LivePacketEvent> = try pipeline.matcher(engine)
    let sockets: Matcher<SocketEvent> = try pipeline.matcher(engine)
    let capture: LiveCapture
    do { capture = try LiveCapture(attach: false) } catch { throw RuntimeError(.unavailable, error.description) }
    defer { capture.stop() }
    // The plan goes in before the programs attach: no event passes unfiltered while it is written.
    if options.offload {
      do { try capture.load(pipeline.kernelPlan) } catch {
        throw RuntimeError(.failure, "Cannot load the kernel plan: \(error.description)")
      }
    }
    do { try capture.attach() } catch { throw RuntimeError(.unavailable, error.description) }
    // After attaching: sockets used from now on are seen by the kernel, older ones are in /proc.
    let dispatcher = LiveDispatcher(
      packets: packets,
      sockets: sockets,
      selection: pipeline.selection,
      processes: LiveProcesses(),
      naming: try EventNaming(pipeline.names, readsNames: pipeline.readsNames)
    )
    defer {
      counters.lost = capture.lostCount
      counters.kernel = kernelCounters(capture)
      counters.names = dispatcher.naming?.counters
      dispatcher.naming?.stop()
    }
    try read(capture, dispatcher, sink, stop, engine, &counters)
  }

  private func read(
    _ capture: LiveCapture,
    _ dispatcher: LiveDispatcher,
    _ sink: EventSink,
    _ stop: StopToken,
    _ engine: RuleEngine?,
    _ counters: inout PipelineCounters
  ) throws(RuntimeError) {
    let deadline = options.duration.map { Date().addingTimeInterval($0) }
    var failure: OutputError?
    func handle(_ record: LiveRecord) {
      guard failure == nil, pipeline.wantsMore(counters) else { return }
      do throws(OutputError) { try dispatcher.handle(record, pipeline, sink, &counters) } catch { failure = error }
    }
    while pipeline.wantsMore(counters), !stop.isStopped, failure == nil {
      if let deadline, Date() >= deadline { break }
      let wait = deadline.map { Int32(max(1, min(100, $0.timeIntervalSinceNow * 1000))) } ?? 100
      do { _ = try capture.poll(timeoutMilliseconds: wait, handle) } catch {
        throw RuntimeError(.failure, "Live capture failed: \(error.description)")
      }
      do { try sink.flush() } catch { failure = error }
      if pipeline.board != nil {
        var published = counters
        published.lost = capture.lostCount
        published.kernel = kernelCounters(capture)
        pipeline.publish(published, engine, names: dispatcher.naming?.counters)
      }
    }
    // A stop (Ctrl-C, SIGTERM, the deadline) still reads what the kernel already passed: the
    // records in the ring buffer are events of the capture, and dropping them would lose them.
    if failure == nil {
      capture.drain(handle)
      do { try sink.flush() } catch { failure = error }
    }
    if let failure { throw RuntimeError(.failure, failure.message) }
  }

  /// What the kernel has seen and passed so far.
  private func kernelCounters(_ capture: LiveCapture) -> KernelCounters {
    let seen = capture.packetCount + capture.socketEventCount
    return KernelCounters(seen: seen, passed: seen - min(seen, capture.filteredCount))
  }
}

/// Turns each live record into events: counts it, decodes it, looks its process up in /proc when
/// the program needs that, expands `--events` views, matches and writes.
final class LiveDispatcher {
  let packets: Matcher<LivePacketEvent>
  let sockets: Matcher<SocketEvent>
  let selection: EventSelection
  let processes: LiveProcesses
  /// Names of addresses, when the run looks them up.
  let naming: EventNaming?

  init(
    packets: Matcher<LivePacketEvent>,
    sockets: Matcher<SocketEvent>,
    selection: EventSelection,
    processes: LiveProcesses,
    naming: EventNaming? = nil
  ) {
    self.selection = selection
    self.processes = processes
    // Matches are written, and rules keep their events, with their process.
    self.packets = packets.preparing { [processes] event in
      var shown = event
      LiveDispatcher.fill(&shown, processes)
      return shown
    }
    self.sockets = sockets.preparing { [processes] event in
      var shown = event
      LiveDispatcher.fill(&shown, processes)
      return shown
    }
    self.naming = naming
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
      if naming?.isOwnTraffic(live) == true { return }
      var event = LivePacketEvent(live, payloads: packets.needs.intersection(.payload))
      if event.packet.isMalformed { counters.malformed += 1 }
      naming?.observe(&event.packet, owner: live.owner, socket: live.socketCookie)
      if ProcessContext.needsHost(packets.needs, ownerKnown: live.owner != nil) { fillProcess(&event) }
      try selection.forEachView(of: event, kind: event.packet.kind, viewed: { $0.viewed(as: $1) }) {
        (view) throws(OutputError) -> Bool in
        _ = try packets.handle(view, sink, &counters)
        return pipeline.wantsMore(counters)
      }
    case .socket(let live):
      counters.received += 1
      if naming?.isOwnTraffic(live) == true { return }
      var event = SocketEvent(live)
      naming?.name(&event)
      if ProcessContext.needsHost(sockets.needs, ownerKnown: live.owner != nil) { fillProcess(&event) }
      guard selection.selects(socket: live.kind.name) else { return }
      _ = try sockets.handle(event, sink, &counters)
    case .exec(let pid):
      processes.forget(pid: pid)
    case .exit(let pid):
      processes.forget(pid: pid)
      packets.engine?.processExited(pid: pid)
    }
  }

  private func fillProcess(_ event: inout LivePacketEvent) { Self.fill(&event, processes) }

  private func fillProcess(_ event: inout SocketEvent) { Self.fill(&event, processes) }

  static func fill(_ event: inout LivePacketEvent, _ processes: LiveProcesses) {
    guard event.process.host == nil else { return }
    event.process = processes.context(event.process.owner, event.socketEnds)
  }

  static func fill(_ event: inout SocketEvent, _ processes: LiveProcesses) {
    guard event.process.host == nil else { return }
    event.process = processes.context(event.process.owner, event.socketEnds)
  }
}
