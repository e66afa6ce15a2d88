import NetFilterDecoders
import NetFilterEval
import NetFilterPackets
import NetFilterPcap

/// `.pcap`: one event per packet (or per selected kind), each decoded with the link type of the
/// interface it was captured on; damaged packets are counted as malformed and the rest of the
/// file is still read. One event is reused for every packet: the
/// headers are decoded in place, without allocating.
struct PcapReplay {
  let pipeline: Pipeline
  let path: String
  let write: String?

  func run(_ sink: EventSink, _ engine: RuleEngine?, _ stop: StopToken, _ counters: inout PipelineCounters)
    throws(RuntimeError)
  {
    let reader: PcapReader
    // An unreadable or damaged capture is a failure of the run (exit 1, as tcpdump), not a usage error.
    do { reader = try PcapReader(path: path) } catch {
      throw RuntimeError(.failure, "cannot read '\(path)': \(error.message)")
    }
    // A file none of whose interfaces netfilter can decode is a usage error; in a file that mixes
    // link types, each packet of one it cannot decode is counted as malformed.
    guard reader.linkTypes.isEmpty || reader.linkTypes.contains(where: PacketDecoder.supports) else {
      let types = reader.linkTypes.map { String($0) }.joined(separator: ", ")
      let noun = reader.linkTypes.count == 1 ? "link type" : "link types"
      throw RuntimeError(.configuration, "'\(path)' has \(noun) \(types), which netfilter cannot decode.")
    }
    var writer: PcapWriter?
    if let write {
      // The format read is the format written: a pcapng keeps the link type of each packet.
      do {
        writer = try PcapWriter(path: write, format: reader.format, linkType: reader.linkTypes.first ?? 1)
      } catch {
        throw RuntimeError(.configuration, "Cannot write '\(write)': \(error.message)")
      }
    }
    let program: Matcher<PacketEvent> = try pipeline.matcher(engine)
    do {
      try replay(reader, program, writer, sink, stop, engine, &counters)
    } catch {
      try? writer?.flush()
      throw error
    }
    // What --write saved must reach the disk: a full one fails the run.
    do { try writer?.flush() } catch { throw RuntimeError(.failure, "cannot write '\(write ?? "")': \(error.message)") }
  }

  private func replay(
    _ reader: PcapReader,
    _ program: Matcher<PacketEvent>,
    _ writer: PcapWriter?,
    _ sink: EventSink,
    _ stop: StopToken,
    _ engine: RuleEngine?,
    _ counters: inout PipelineCounters
  ) throws(RuntimeError) {
    let payloads = program.needs.intersection(.payload)
    let naming = try EventNaming(pipeline.names, readsNames: pipeline.readsNames)
    defer {
      counters.names = naming?.counters
      naming?.stop()
    }
    let selection = pipeline.selection
    var model = pipeline.modelsKernel ? KernelModel<PacketEvent>(pipeline.kernelPlan) : nil
    defer { counters.kernel = model?.counters }
    var buffer: [UInt8] = []
    buffer.reserveCapacity(65_536)
    var packet = PacketEvent()
    while pipeline.wantsMore(counters), !stop.isStopped {
      packet.releaseBytes()  // so that reading into `buffer` reuses its storage
      let record: PacketRecord?
      do { record = try reader.next(into: &buffer) } catch {
        // What was read before the damage is written; the run still fails.
        counters.malformed += 1
        throw RuntimeError(.failure, "\(path): error: \(error.message); the rest of the file cannot be read")
      }
      guard let record else { return }
      counters.received += 1
      if counters.received & 4095 == 0 {
        counters.kernel = model?.counters
        pipeline.publish(counters, engine, names: naming?.counters)
      }
      pipeline.progress?(counters.received, record.capturedLength)
      packet.decode(
        bytes: buffer,
        record: (record.timestamp, record.originalLength),
        linkType: record.linkType,
        payloads: payloads
      )
      if packet.isMalformed { counters.malformed += 1 }
      naming?.observe(&packet, owner: nil)
      model?.observe(packet)
      // Most runs have no selection: test the packet itself, where it lies (handing it to a
      // closure of views would copy the whole event per packet).
      let matched: Bool
      do {
        matched =
          selection.isAll
          ? try emit(packet, program, sink, &counters)
          : try emitViews(packet, selection, program, sink, &counters)
      } catch {
        throw RuntimeError(.failure, error.message)
      }
      if matched { writer?.write(record, buffer) }
    }
  }

  /// Writes `event` if it matches; whether it did.
  private func emit(
    _ event: PacketEvent,
    _ program: Matcher<PacketEvent>,
    _ sink: EventSink,
    _ counters: inout PipelineCounters
  ) throws(OutputError) -> Bool {
    try program.handle(event, sink, &counters)
  }

  /// Writes each view of `packet` (`--events`) that matches; whether any did.
  private func emitViews(
    _ packet: PacketEvent,
    _ selection: EventSelection,
    _ program: Matcher<PacketEvent>,
    _ sink: EventSink,
    _ counters: inout PipelineCounters
  ) throws(OutputError) -> Bool {
    var matched = false
    try selection.forEachView(of: packet, kind: packet.kind, viewed: { $0.viewed(as: $1) }) {
      (event) throws(OutputError) -> Bool in
      guard try emit(event, program, sink, &counters) else { return true }
      matched = true
      return pipeline.wantsMore(counters)
    }
    return matched
  }
}
