import ArgumentParser
import Foundation
import NetFilter
import NetFilterPackets
import NetFilterPcap

extension RunCommand {
  /// `--pcap FILE`: one event per packet (or per selected kind with `--events`); damaged packets
  /// are counted as malformed and the rest of the file is still read.
  func replay(_ path: String, _ compiled: Filter, _ sink: inout EventSink, _ counters: inout Counters, _ console: Console)
    throws
  {
    let reader: PcapReader
    do { reader = try PcapReader(path: path) } catch { throw ValidationError("Cannot read '\(path)': \(error.message)") }
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
    let host = ProcessInfo.processInfo.hostName
    var progress = Progress(path: path, console: console)
    var buffer: [UInt8] = []
    buffer.reserveCapacity(65_536)
    while true {
      let record: PacketRecord?
      do { record = try reader.next(into: &buffer) } catch {
        console.err("\(path): error: \(error.message); the rest of the file cannot be read\n")
        counters.malformed += 1
        return
      }
      guard let record else { return }
      counters.received += 1
      progress.tick(packets: counters.received, bytes: record.capturedLength)
      let packet = PacketEvent(bytes: buffer, record: (record.timestamp, record.originalLength), linkType: reader.linkType, decodeApplication: deep)
      if packet.packet.malformed != nil { counters.malformed += 1 }
      let views = kinds.isEmpty ? [packet] : kinds.filter { packet.kind.isA($0) }.map { packet.viewed(as: $0) }
      var matched = false
      for event in views where program.matches(event) {
        matched = true
        counters.matched += 1
        emit(event, record, reader.linkType, host, &sink)
        if let count, counters.matched >= count { break }
      }
      if matched { writer?.write(record, buffer) }
      if let count, counters.matched >= count { return }
    }
  }

  private func emit(_ event: PacketEvent, _ record: PacketRecord, _ linkType: Int32, _ host: String, _ sink: inout EventSink) {
    let full = event.application == nil
      ? PacketEvent(bytes: event.bytes, record: (record.timestamp, record.originalLength), linkType: linkType, decodeApplication: true)
      : event
    let shown = event.viewName.map { full.viewed(as: $0) } ?? full
    sink.write(json: shown.traceeJSON(hostName: host).serialized) { shown.lookup(FieldBinding($0)) }
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
    console.err("\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: 20 - filled))] \(percent)% \(packets) packets")
  }
}
