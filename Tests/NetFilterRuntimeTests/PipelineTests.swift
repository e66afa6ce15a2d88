import Foundation
import NetFilter
import NetFilterPackets
import NetFilterRuntime
import Testing

@Suite struct PipelineTests {
  @Test func liveEventsTakeSocketKindsAndNarrowTheKernelPlan() throws {
    var pipeline = try Environment().compile("net.dport = 53").pipeline(over: .live())
    pipeline.selection = try EventSelection("Connect,net_packet_dns", socketEvents: true)
    let plan = pipeline.kernelPlan
    // Only Connect events and packets, and only port 53, reach user space.
    #expect(
      plan.eventKind?.entries.keys.sorted() == [KernelEventKind.packet.rawValue, KernelEventKind.connect.rawValue]
    )
    #expect(plan.destinationPort?.mask(for: 53) == plan.allClauses)
    #expect(plan.destinationPort?.mask(for: 80) == 0)
  }

  @Test func aSelectionNamesEachKindOnceAndRejectsNone() throws {
    let selection = try EventSelection("net_packet_tcp, net_packet_tcp,net_packet_dns", socketEvents: false)
    #expect(selection.packetKinds == ["net_packet_tcp", "net_packet_dns"])
    #expect(throws: RuntimeError.self) { try EventSelection(" , ", socketEvents: false) }
    #expect(throws: RuntimeError.self) { try EventSelection("Connect", socketEvents: false) }
  }

  @Test func jsonLinesRunIntoACustomSink() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-\(getpid()).jsonl")
    try "{\"evt.name\":\"Send\",\"net.dport\":443}\n{\"net.dport\":22}\nnot json\n".write(
      to: file,
      atomically: true,
      encoding: .utf8
    )
    defer { try? FileManager.default.removeItem(at: file) }
    let reports = Reports()
    var pipeline = try Environment().compile("net.dport = 443").pipeline(over: .jsonLines(path: file.path))
    pipeline.report = { reports.add($0) }
    let sink = Collecting()
    let counters = try pipeline.run(into: sink)
    #expect(counters.received == 3 && counters.matched == 1 && counters.malformed == 1)
    #expect(sink.names == ["Send"])
    #expect(reports.lines.count == 1 && reports.lines[0].contains(":3:1: error: malformed event"))
  }

  @Test func aSinkThatFailsStopsTheRunWithItsError() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-fail-\(getpid()).jsonl")
    try String(repeating: "{\"net.dport\":443}\n", count: 10).write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let output = ByteOutput(immediate: true) { _ throws(OutputError) in throw OutputError("disk full") }
    let pipeline = try Environment().compile("net.dport = 443").pipeline(over: .jsonLines(path: file.path))
    #expect(throws: RuntimeError.self) { try pipeline.run(into: JSONLinesSink(output: output, hostName: "h")) }
  }
}

private final class Reports: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: [String] = []
  func add(_ line: String) { lock.withLock { stored.append(line) } }
  var lines: [String] { lock.withLock { stored } }
}

/// A sink that keeps the `evt.name` of every event.
private final class Collecting: EventSink {
  private(set) var names: [String] = []
  private let name = FieldBinding(Schema.network.fields["evt.name"]!)

  func write<E: OutputEvent>(_ event: E) throws(OutputError) {
    if case .string(let text) = event.lookup(name) { names.append(text) }
  }

  func flush() throws(OutputError) {}
  func finish() throws(OutputError) {}
}

/// The bundled capture in this repository.
private let bundledCapture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("examples/captures/loopback-http-dns.pcap").path

@Suite struct PipelineStopAndSinkTests {
  @Test func aStopTokenEndsAReplayBetweenPackets() throws {
    let pipeline = try Environment().compile("net.size > 0").pipeline(over: .pcap(path: bundledCapture))
    let everything = try pipeline.run(into: StoppingSink(after: nil))
    #expect(everything.matched > 3)
    let stop = StopToken()
    let stopped = try pipeline.run(into: StoppingSink(after: stop), stop: stop)
    #expect(stopped.matched == 1 && stopped.received == 1)
  }

  @Test func backgroundJSONLinesEqualForegroundOnes() throws {
    let pipeline = try Environment().compile("net.size > 0").pipeline(over: .pcap(path: bundledCapture))
    func lines(background: Bool) throws -> String {
      let text = Reports()
      let output = ByteOutput { bytes in text.add(String(decoding: bytes, as: UTF8.self)) }
      _ = try pipeline.run(into: JSONLinesSink(output: output, hostName: "h", background: background))
      return text.lines.joined()
    }
    let foreground = try lines(background: false)
    #expect(!foreground.isEmpty)
    #expect(try lines(background: true) == foreground)
  }

  @Test func aBackgroundSinkKeepsTheOrderOfEventsOfSeveralTypes() throws {
    let packets = try Environment().compile("net.size > 0").pipeline(over: .pcap(path: bundledCapture))
    let collected = CollectingPackets()
    _ = try packets.run(into: collected)
    let text = Reports()
    let sink = JSONLinesSink(
      output: ByteOutput { bytes in text.add(String(decoding: bytes, as: UTF8.self)) },
      hostName: "h",
      background: true
    )
    var expected: [String] = []
    for (index, packet) in collected.events.prefix(6).enumerated() {
      let flat = try JSONEvent(line: "{\"evt.name\":\"Send\",\"net.dport\":\(index)}", keys: [])
      try sink.write(packet)
      try sink.write(flat)
      expected.append(String(decoding: packet.jsonLine(hostName: "h", schema: .network), as: UTF8.self))
      expected.append(String(decoding: flat.jsonLine(hostName: "h", schema: .network), as: UTF8.self))
    }
    try sink.finish()
    #expect(text.lines.joined() == expected.map { $0 + "\n" }.joined())
  }
}

/// A sink that stops `token` at the first event it is given.
private final class StoppingSink: EventSink {
  let token: StopToken?
  init(after token: StopToken?) { self.token = token }
  func write<E: OutputEvent>(_ event: E) throws(OutputError) { token?.stop() }
  func flush() throws(OutputError) {}
  func finish() throws(OutputError) {}
}

/// A sink that keeps every packet event (detached: the replay reuses its buffer).
private final class CollectingPackets: EventSink {
  private(set) var events: [PacketEvent] = []
  func write<E: OutputEvent>(_ event: E) throws(OutputError) {
    if let packet = event as? PacketEvent { events.append(packet.detached()) }
  }
  func flush() throws(OutputError) {}
  func finish() throws(OutputError) {}
}
