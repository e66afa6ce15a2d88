import ArgumentParser
import Foundation
import NetFilter
import NetFilterPackets
import NetFilterPcap

extension RunCommand {
  /// `--pcap FILE`: one event per packet (or per selected kind with `--events`); damaged packets
  /// are counted as malformed and the rest of the file is still read.
  func replay(
    _ path: String,
    _ compiled: Filter,
    _ sink: inout EventSink,
    _ counters: inout Counters,
    _ console: Console
  )
    throws
  {
    let reader: PcapReader
    do { reader = try PcapReader(path: path) } catch {
      throw ValidationError("Cannot read '\(path)': \(error.message)")
    }
    guard PacketDecoder.supports(reader.linkType) else {
      throw ValidationError("'\(path)' has link type \(reader.linkType), which netfilter cannot decode.")
    }
    var writer: PcapWriter?
    if let output = write {
      do { writer = try PcapWriter(path: output, linkType: reader.linkType) } catch {
        throw ValidationError("Cannot write '\(output)': \(error.message)")
      }
    }
    defer { writer?.flush() }
    let program: Program<PacketEvent> = try plan(compiled, console)
    let deep = program.keys.contains { $0.resolved == nil }
    let kinds = selectedKinds
    let limit = count
    let host = ProcessInfo.processInfo.hostName
    var progress = Progress(path: path, console: console)
    // Standard output is written in chunks, not per event (unless it is a terminal).
    let output = ChunkedOutput(console)
    defer { output.flush() }
    // JSON lines for a file or a pipe are written on a second thread, in order, while this one
    // reads and filters: decoding DNS or HTTP and writing the JSON cost more than filtering.
    let background = sink.format == .json && !console.outIsTerminal ? BackgroundJSON(output, host: host) : nil
    defer { background?.finish() }
    var out = EventSink(format: sink.format, console: output.console)
    var buffer: [UInt8] = []
    buffer.reserveCapacity(65_536)
    var packet = PacketEvent()
    while true {
      packet.releaseBytes()  // so that reading into `buffer` reuses its storage
      let record: PacketRecord?
      do { record = try reader.next(into: &buffer) } catch {
        background?.finish()
        output.flush()
        console.err("\(path): error: \(error.message); the rest of the file cannot be read\n")
        counters.malformed += 1
        return
      }
      guard let record else { return }
      counters.received += 1
      progress.tick(packets: counters.received, bytes: record.capturedLength)
      packet.decode(
        bytes: buffer,
        record: (record.timestamp, record.originalLength),
        linkType: reader.linkType,
        decodeApplication: deep
      )
      if packet.isMalformed { counters.malformed += 1 }
      var matched = false
      if kinds.isEmpty {
        // One event per packet: no views to build.
        if program.matches(packet) {
          matched = true
          counters.matched += 1
          emit(packet, host, &out, output, background)
        }
      } else {
        for kind in kinds where packet.kind.isA(kind) {
          let event = packet.viewed(as: kind)
          guard program.matches(event) else { continue }
          matched = true
          counters.matched += 1
          emit(event, host, &out, output, background)
          if let limit, counters.matched >= limit { break }
        }
      }
      if matched { writer?.write(record, buffer) }
      if let limit, counters.matched >= limit { return }
    }
  }

  /// Writes a matching event; only matches get here, so only they pay for the DNS or HTTP
  /// decoding and the JSON text.
  private func emit(
    _ event: PacketEvent,
    _ host: String,
    _ sink: inout EventSink,
    _ output: ChunkedOutput,
    _ background: BackgroundJSON?
  ) {
    if let background { return background.add(event) }
    let shown = event.decodingApplication()
    if sink.format == .json {
      output.append(line: shown.traceeJSONText(hostName: host))
    } else {
      sink.write(json: String(decoding: shown.traceeJSONText(hostName: host), as: UTF8.self)) {
        shown.lookup(FieldBinding($0))
      }
    }
  }
}

/// Matching events written as JSON lines on a serial queue, in batches, at most a few batches
/// ahead of it: the reading thread only copies each event's bytes.
final class BackgroundJSON: @unchecked Sendable {
  private let output: ChunkedOutput
  private let host: String
  private let queue = DispatchQueue(label: "netfilter.replay.json")
  private let slots = DispatchSemaphore(value: 4)
  private var batch: [PacketEvent] = []
  private static let batchSize = 512

  init(_ output: ChunkedOutput, host: String) {
    self.output = output
    self.host = host
    batch.reserveCapacity(Self.batchSize)
  }

  /// Queues `event` (with a copy of its bytes: the reading buffer is reused).
  func add(_ event: PacketEvent) {
    batch.append(event.detached())
    if batch.count == Self.batchSize { send() }
  }

  private func send() {
    let events = batch
    batch = []
    batch.reserveCapacity(Self.batchSize)
    slots.wait()
    queue.async { [output, host, slots] in
      for event in events { output.append(line: event.decodingApplication().traceeJSONText(hostName: host)) }
      slots.signal()
    }
  }

  /// Writes what is queued and waits for it.
  func finish() {
    if !batch.isEmpty { send() }
    queue.sync {}
  }
}

/// Standard output collected into chunks of about 64 KiB, each written at once (a write per event
/// would cost a system call each); on a terminal, output is not held back.
final class ChunkedOutput: @unchecked Sendable {
  private let target: Console
  private var pending: [UInt8] = []

  init(_ target: Console) {
    self.target = target
    pending.reserveCapacity(1 << 17)
  }

  /// A console whose standard output goes through this buffer.
  var console: Console {
    var console = target
    console.out = { [unowned self] text in self.append(text) }
    return console
  }

  /// Appends text.
  func append(_ text: String) {
    pending.append(contentsOf: text.utf8)
    flushIfDue()
  }

  /// Appends UTF-8 bytes and a newline.
  func append(line: [UInt8]) {
    pending.append(contentsOf: line)
    pending.append(UInt8(ascii: "\n"))
    flushIfDue()
  }

  private func flushIfDue() {
    if pending.count >= 1 << 16 || target.outIsTerminal { flush() }
  }

  /// Writes what is pending.
  func flush() {
    guard !pending.isEmpty else { return }
    target.out(String(decoding: pending, as: UTF8.self))
    pending.removeAll(keepingCapacity: true)
  }
}

/// A progress line on standard error for long files, only on a terminal.
struct Progress {
  let console: Console
  let total: Int
  private var bytes = 24
  private var lastUpdate = Date()

  init(path: String, console: Console) {
    self.console = console
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    total = console.errIsTerminal ? size ?? 0 : 0
  }

  mutating func tick(packets: Int, bytes captured: Int) {
    guard total > 0 else { return }
    bytes += captured + 16
    guard packets % 4096 == 0, Date().timeIntervalSince(lastUpdate) > 0.25 else { return }
    lastUpdate = Date()
    let percent = min(100, bytes * 100 / total)
    let filled = percent / 5
    console.err(
      "\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: 20 - filled))] \(percent)% \(packets) packets"
    )
  }
}
