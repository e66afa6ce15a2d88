import Foundation
import NetFilterPackets
import NetFilterPcap
import Testing

// pcapng files as dumpcap writes them: several interfaces of different link types, several
// sections (each in its own byte order, with its own interfaces), timestamps in any unit, Simple
// and obsolete Packet Blocks, and blocks to skip. The tests write the files byte by byte
// (PcapngBuilder), record one with dumpcap on two interfaces, and compare what netfilter reads
// with what tshark reads.

@Suite("pcapng: sections, interfaces and link types, against tshark")
struct PcapngTests {
  @Test("every packet is read with its link type, lengths and time, as tshark reads it", arguments: MixedCaptures.names)
  func packetsMatchTshark(capture: String) throws {
    let tshark = try Tshark.required()
    let built = MixedCaptures.build(capture)
    let file = try Self.write(built.bytes, capture)
    let records = try PcapContents.read(file)
    let rows = try tshark.fields(
      file,
      ["frame.section_number", "frame.interface_id", "frame.time_epoch", "frame.cap_len", "frame.len"],
      filter: Self.packets
    )
    #expect(records.count == built.packets.count, "netfilter reads every packet")
    #expect(rows.count == built.packets.count, "tshark reads every packet")
    for (index, (record, expected)) in zip(records, built.packets).enumerated() where index < rows.count {
      let row = rows[index]
      let frame = "frame \(index + 1) (\(expected.frame.note))"
      #expect(record.linkType == expected.linkType, "\(frame)")
      #expect(record.bytes == expected.captured, "\(frame)")
      #expect(record.originalLength == expected.originalLength, "\(frame)")
      #expect(row[0] == String(expected.section) && row[1] == String(expected.interface), "\(frame): \(row)")
      #expect(row[3] == String(record.bytes.count) && row[4] == String(record.originalLength), "\(frame): \(row)")
      // A Simple Packet Block has no time: tshark shows none, netfilter 0.
      #expect(record.timestamp == Self.nanoseconds(row[2]), "\(frame): netfilter \(record.timestamp), tshark \(row[2])")
      if let time = expected.time { #expect(record.timestamp == time, "\(frame)") }
    }
    #expect(Set(records.map(\.linkType)).count >= 2, "the file mixes link types")
    let fromMemory = try PcapReader(bytes: built.bytes)
    var buffer: [UInt8] = []
    var count = 0
    while let record = try fromMemory.next(into: &buffer) {
      #expect(count < records.count && buffer == records[count].bytes && record.linkType == records[count].linkType)
      count += 1
    }
    #expect(count == records.count, "a capture in memory reads as the file does")
  }

  @Test("filter counts equal tshark's", arguments: MixedCaptures.names)
  func filterCountsMatchTshark(capture: String) throws {
    let tshark = try Tshark.required()
    let file = try Self.write(MixedCaptures.build(capture).bytes, capture)
    try PcapTests().compareCounts(file: file, capture: capture, tshark: tshark)
  }

  @Test("decoded values equal tshark's", arguments: MixedCaptures.names)
  func decodedValuesMatchTshark(capture: String) throws {
    let tshark = try Tshark.required()
    let file = try Self.write(MixedCaptures.build(capture).bytes, capture)
    try PcapTests().compareValues(file: file, capture: capture, tshark: tshark, packets: Self.packets)
  }

  @Test(
    "replay reads the whole file, each packet decoded with its interface's link type",
    arguments: MixedCaptures.names
  )
  func replayReadsEveryPacket(capture: String) throws {
    let built = MixedCaptures.build(capture)
    let file = try Self.write(built.bytes, capture)
    let result = try Replay.run(file, "net.dport = 53")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stats?.received == built.packets.count)
    // Damaged headers and payloads both count, whatever the filter reads.
    let damaged = built.packets.filter { $0.frame.malformedHeader || $0.frame.malformedPayload }
    #expect(result.stats?.malformed == damaged.count, "\(result.stderr)")
    let all = try Replay.run(file, "evt.time.ns >= 0")
    let times = all.stdout.split(separator: "\n").map { line in
      let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      return (object?["timestamp"] as? NSNumber)?.uint64Value
    }
    #expect(times == (try PcapContents.read(file)).map { Optional($0.timestamp) }, "each event has its packet's time")
  }

  @Test("--write of a pcapng writes a pcapng with an interface per link type; a pcap stays a pcap")
  func writeKeepsEveryLinkType() throws {
    let tshark = try Tshark.required()
    let file = try Self.write(MixedCaptures.mixedSections().bytes, "mixed-sections.pcapng")
    let out = try CaptureFiles.temporaryDirectory().appendingPathComponent("out.pcapng").path
    let result = try Replay.run(file, "net.size > 0", write: out)
    #expect(result.status == 0, "\(result.stderr)")
    let source = try PcapContents.read(file)
    let written = try PcapContents.read(out)
    #expect(try Data(contentsOf: URL(fileURLWithPath: out)).prefix(4) == Data([0x0A, 0x0D, 0x0D, 0x0A]))
    #expect(written.count == source.count)
    #expect(written.map(\.bytes) == source.map(\.bytes))
    #expect(written.map(\.linkType) == source.map(\.linkType))
    #expect(written.map(\.timestamp) == source.map(\.timestamp))
    #expect(written.map(\.originalLength) == source.map(\.originalLength))
    let rows = try tshark.fields(out, ["frame.section_number", "frame.interface_id", "frame.time_epoch"])
    #expect(rows.map { Self.nanoseconds($0[2]) } == source.map(\.timestamp), "tshark reads the times written")
    #expect(Set(rows.map { $0[0] }) == ["1"], "one section")
    #expect(Set(rows.map { $0[1] }).count == Set(source.map(\.linkType)).count, "an interface per link type")

    let dns = try Replay.run(file, "net.dport = 53 or net.sport = 53", write: out)
    #expect(try PcapContents.read(out).count == dns.stats?.matched)
    #expect((dns.stats?.matched ?? 0) > 0)

    let classic = try CaptureFiles.path(for: "ethernet.pcap")
    #expect(try Replay.run(classic, "net.size > 0", write: out).status == 0)
    #expect(try Data(contentsOf: URL(fileURLWithPath: out)).prefix(4) == Data([0x4D, 0x3C, 0xB2, 0xA1]))
  }

  @Test("a Simple Packet Block is a packet of interface 0, cut to its snapshot length, without a time")
  func simplePacketBlocks() throws {
    let tshark = try Tshark.required()
    var built = PcapngBuilder()
    built.section(.little)
    built.interface(1, snapLength: 64)
    built.interface(101)
    for (index, packet) in Packets.all.prefix(8).enumerated() where packet.keep == nil {
      built.simple(MixedCaptures.frame(packet, index, linkType: 1))
    }
    let file = try Self.write(built.bytes, "simple.pcapng")
    let records = try PcapContents.read(file)
    let rows = try tshark.fields(file, ["frame.interface_id", "frame.time_epoch", "frame.cap_len", "frame.len"])
    #expect(records.count == built.packets.count && rows.count == records.count)
    #expect(records.contains { $0.originalLength > 64 }, "some packets are longer than the snapshot length")
    for (record, row) in zip(records, rows) {
      #expect(record.linkType == 1 && row[0] == "0")
      #expect(record.timestamp == 0 && row[1] == "")
      #expect(record.bytes.count == min(64, record.originalLength) && row[2] == String(record.bytes.count))
      #expect(row[3] == String(record.originalLength))
    }
    #expect(records.map(\.bytes) == built.packets.map(\.captured))
  }

  @Test(
    "damage stops the file with an error giving the block's byte offset, after what was read before it",
    arguments: PcapngDamage.all
  )
  func damageIsReportedWithItsOffset(damage: PcapngDamage) throws {
    let file = try Self.write(damage.bytes, "damaged.pcapng")
    let result = try Replay.run(file, "net.size > 0")
    #expect(result.status == 1)
    let error = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
    #expect(error.hasSuffix("(at byte offset \(damage.offset)); the rest of the file cannot be read"), "\(error)")
    #expect(error.contains(damage.message), "\(error)")
    #expect(result.stats?.received == damage.before)
    #expect(result.stdout.split(separator: "\n").count == damage.before, "the packets before the damage are printed")
    guard damage.tsharkFails, let tshark = Tools.find("tshark") else { return }
    let theirs = try Tools.run(tshark, ["-r", file, "-T", "fields", "-e", "frame.number"])
    #expect(theirs.status != 0, "tshark fails too: \(theirs.stderr)")
    #expect(theirs.stdout.split(separator: "\n").count == damage.before, "tshark reads as many packets")
  }

  @Test("interfaces netfilter cannot decode: alone a usage error, beside others their packets are malformed")
  func unsupportedLinkTypes() throws {
    let packets = Packets.all.prefix(6).filter { !$0.malformedHeader && $0.keep == nil }
    var wifi = PcapngBuilder()
    wifi.section(.little)
    wifi.interface(105)
    wifi.interface(105)
    wifi.packet(
      Frame(captured: [UInt8](repeating: 0, count: 24), originalLength: 24, note: "802.11"),
      interface: 0,
      seconds: 1_700_000_000,
      nanoseconds: 0
    )
    let only = try Replay.run(try Self.write(wifi.bytes, "wifi.pcapng"), "net.dport = 53")
    #expect(only.status == 64)
    #expect(only.stderr.contains("has link type 105, which netfilter cannot decode"), "\(only.stderr)")

    var mixed = PcapngBuilder()
    mixed.section(.little)
    mixed.interface(105)
    mixed.interface(1)
    for (index, packet) in packets.enumerated() {
      let frame = MixedCaptures.frame(packet, index, linkType: index % 2 == 0 ? 105 : 1)
      mixed.packet(frame, interface: index % 2 == 0 ? 0 : 1, seconds: 1_700_000_000, nanoseconds: 0)
    }
    let result = try Replay.run(try Self.write(mixed.bytes, "wifi-and-ethernet.pcapng"), "net.size > 0")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stats?.received == packets.count)
    #expect(result.stats?.malformed == (packets.count + 1) / 2, "the 802.11 packets")
    #expect(result.stats?.matched == packets.count)
  }

  /// dumpcap on `any` (Linux cooked) and `lo` (Ethernet) at once, in a network namespace of the
  /// test's own: one pcapng, two link types, which libpcap (and so tcpdump) refuses to read.
  @Test("a capture dumpcap writes on two interfaces of different link types is read whole, as tshark reads it")
  func dumpcapOnTwoInterfaces() throws {
    let tshark = try Tshark.required()
    guard getuid() == 0 else { return try skip("a network namespace needs root") }
    for tool in ["dumpcap", "ip", "python3"] where Tools.find(tool) == nil {
      return try skip("\(tool) is not installed")
    }
    let file = try CaptureFiles.temporaryDirectory().appendingPathComponent("dumpcap.pcapng").path
    try DumpcapRecording.record(file)
    let records = try PcapContents.read(file)
    let rows = try tshark.fields(
      file,
      ["frame.interface_id", "frame.time_epoch", "frame.len", "udp.srcport", "udp.dstport", "ip.src", "ip.dst"]
    )
    #expect(records.count == DumpcapRecording.packets && rows.count == records.count)
    #expect(Set(records.map(\.linkType)).count == 2, "two link types: \(Set(records.map(\.linkType)))")
    for (record, row) in zip(records, rows) {
      let event = PacketEvent(
        bytes: record.bytes,
        record: (record.timestamp, record.originalLength),
        linkType: record.linkType,
        decodeApplication: false
      )
      #expect(record.timestamp == Self.nanoseconds(row[1]) && String(record.originalLength) == row[2])
      let ours = [event.packet.sourcePort, event.packet.destinationPort].map(String.init)
      #expect(ours == [row[3], row[4]], "ports")
      #expect([event.packet.source.description, event.packet.destination.description] == [row[5], row[6]])
    }
    let replay = try Replay.run(file, "net.dport = 53")
    #expect(replay.status == 0, "\(replay.stderr)")
    #expect(replay.stats?.received == records.count)
    #expect(replay.stats?.matched == (try tshark.count(file, "udp.dstport == 53")))
    #expect((replay.stats?.matched ?? 0) > 0)
  }

  @Test("a classic pcap in the modified format (0xA1B2CD34, 24-byte record headers) reads as tshark reads it")
  func modifiedClassicPcap() throws {
    let tshark = try Tshark.required()
    var bytes = le32(0xA1B2_CD34) + le16(2) + le16(4) + le32(0) + le32(0) + le32(262_144) + le32(1)
    var frames: [[UInt8]] = []
    for (index, packet) in Packets.all.prefix(10).enumerated() where packet.keep == nil {
      let frame = MixedCaptures.frame(packet, index, linkType: 1).captured
      frames.append(frame)
      bytes += le32(1_700_000_000 + UInt32(index)) + le32(UInt32(index) * 1000 + 7)
      bytes += le32(UInt32(frame.count)) + le32(UInt32(frame.count)) + le32(2) + le16(0x0800) + [0, 0] + frame
    }
    let file = try Self.write(bytes, "modified.pcap")
    let records = try PcapContents.read(file)
    let rows = try tshark.fields(file, ["frame.time_epoch", "frame.len"])
    #expect(records.map(\.bytes) == frames)
    #expect(records.map(\.timestamp) == rows.map { Self.nanoseconds($0[0]) })
    #expect(records.map { String($0.originalLength) } == rows.map { $0[1] })
  }

  // MARK: Helpers

  /// The tshark filter that selects packets: tshark also shows each custom block as a frame (one
  /// without an interface), which netfilter skips with the other blocks that hold no packet.
  static let packets = "frame.interface_id"

  static func write(_ bytes: [UInt8], _ name: String) throws -> String {
    let url = try CaptureFiles.temporaryDirectory().appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
  }

  /// tshark's `frame.time_epoch` ("1700000000.000123", "" for none) in nanoseconds.
  static func nanoseconds(_ epoch: String) -> UInt64 {
    let parts = epoch.split(separator: ".", omittingEmptySubsequences: false)
    let seconds = UInt64(parts.first ?? "") ?? 0
    let fraction = parts.count > 1 ? String(parts[1].prefix(9)) : ""
    return seconds * 1_000_000_000 + (UInt64(fraction + String(repeating: "0", count: 9 - fraction.count)) ?? 0)
  }
}

/// A capture dumpcap records on `any` and `lo` in a network namespace of its own, while UDP
/// datagrams go to ports 53 and 5353 on 127.0.0.1 (each seen on both interfaces).
enum DumpcapRecording {
  static let datagrams = 6
  static var packets: Int { datagrams * 2 }

  static func record(_ file: String) throws {
    let namespace = "netfilter-pcapng-\(getpid())"
    let added = try Tools.run("ip", ["netns", "add", namespace])
    guard added.status == 0 else { return try skip("cannot create a network namespace: \(added.stderr)") }
    defer { _ = try? Tools.run("ip", ["netns", "delete", namespace]) }
    _ = try Tools.run("ip", ["netns", "exec", namespace, "ip", "link", "set", "lo", "up"])
    let dumpcap = Process()
    dumpcap.executableURL = URL(fileURLWithPath: Tools.find("ip") ?? "/usr/sbin/ip")
    dumpcap.arguments = [
      "netns", "exec", namespace, "dumpcap", "-q", "-i", "any", "-i", "lo", "-c", String(packets), "-a", "duration:20",
      "-w", file,
    ]
    dumpcap.standardInput = FileHandle.nullDevice
    dumpcap.standardOutput = FileHandle.nullDevice
    dumpcap.standardError = FileHandle.nullDevice
    try dumpcap.run()
    // dumpcap writes the section header and both interface descriptions when it starts capturing.
    for _ in 0..<100 where ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0) == 0 {
      usleep(100_000)
    }
    usleep(500_000)
    let traffic = """
      import socket
      servers = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
      for server, port in zip(servers, (53, 5353)): server.bind(("127.0.0.1", port))
      client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
      for i in range(\(datagrams)):
          client.sendto(b"netfilter %d" % i, ("127.0.0.1", (53, 5353)[i % 2]))
          servers[i % 2].recv(100)
      """
    let sent = try Tools.run("ip", ["netns", "exec", namespace, "python3", "-c", traffic])
    #expect(sent.status == 0, "\(sent.stderr)")
    dumpcap.waitUntilExit()
    #expect(dumpcap.terminationStatus == 0, "dumpcap failed")
  }
}

/// Captures larger than one read of the file: blocks and records that span two reads, one larger
/// than a read, and a pipe that hands them over in pieces.
@Suite("pcap and pcapng files larger than one read")
struct LargeCaptureTests {
  /// About 1 MiB of packets around one 300 KB packet, in `format`.
  static func large(_ format: CaptureFormat) -> [UInt8] {
    var encoder = CaptureEncoder(format: format, linkType: 1)
    var bytes: [UInt8] = []
    encoder.header(into: &bytes)
    for index in 0..<12_000 {
      let packet = Packets.all[index % Packets.all.count]
      var frame = MixedCaptures.frame(packet, index, linkType: 1).captured
      if index == 6_000 { frame += [UInt8](repeating: UInt8(index % 251), count: 300_000) }
      let record = PacketRecord(
        timestamp: 1_700_000_000_000_000_000 + UInt64(index) * 1_001,
        capturedLength: frame.count,
        originalLength: frame.count + index % 3,
        linkType: 1
      )
      _ = encoder.append(record, frame, into: &bytes)
    }
    return bytes
  }

  static func records(_ reader: PcapReader) throws -> [PacketRecordAndBytes] {
    var records: [PacketRecordAndBytes] = []
    var buffer: [UInt8] = []
    while let record = try reader.next(into: &buffer) {
      records.append(PacketRecordAndBytes(record: record, bytes: buffer))
    }
    return records
  }

  @Test("a file reads as the same bytes held in memory", arguments: [CaptureFormat.pcap, .pcapng])
  func fileReadsAsMemory(format: CaptureFormat) throws {
    let bytes = Self.large(format)
    let file = try PcapngTests.write(bytes, format == .pcap ? "large.pcap" : "large.pcapng")
    let fromFile = try Self.records(PcapReader(path: file))
    let fromMemory = try Self.records(PcapReader(bytes: bytes))
    #expect(fromFile.count == 12_000)
    #expect(fromFile == fromMemory)
    #expect(fromFile.contains { $0.bytes.count > 300_000 })
    #expect(Set(fromFile.map(\.record.timestamp)).count == 12_000)
  }

  @Test("a pipe that hands the file over in pieces reads as the file", arguments: [CaptureFormat.pcap, .pcapng])
  func pipeReadsAsFile(format: CaptureFormat) throws {
    let bytes = Self.large(format)
    let fifo = try CaptureFiles.temporaryDirectory().appendingPathComponent("capture.fifo").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let writer = Thread {
      guard let handle = FileHandle(forWritingAtPath: fifo) else { return }
      var offset = 0
      while offset < bytes.count {
        let piece = min(bytes.count - offset, 1 + (offset * 7919) % 70_001)
        handle.write(Data(bytes[offset..<(offset + piece)]))
        offset += piece
      }
      try? handle.close()
    }
    writer.start()
    let fromPipe = try Self.records(PcapReader(path: fifo))
    #expect(fromPipe == (try Self.records(PcapReader(bytes: bytes))))
  }
}

struct PacketRecordAndBytes: Equatable {
  var record: PacketRecord
  var bytes: [UInt8]
}
