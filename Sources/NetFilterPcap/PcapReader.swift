internal import CPcap

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads pcap and pcapng files through libpcap, one packet at a time, into a reused buffer.
///
/// This is one of the two places (with NetFilterBPF) where netfilter handles C pointers.
public final class PcapReader {
  private let handle: OpaquePointer
  /// The file's stdio buffer, freed after the file is closed.
  private let streamBuffer: UnsafeMutablePointer<CChar>
  /// The file's link-layer header type (a `DLT_*` value: 1 Ethernet, 113 Linux cooked, …).
  public let linkType: Int32
  /// The file's snapshot length.
  public let snapshotLength: Int32

  /// Opens `path` ("-" is standard input); nanosecond timestamps are kept where the file has them.
  public init(path: String) throws(PcapError) {
    var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
    // The file is opened here so that it can be read in 1 MiB blocks: stdio's default (the
    // file system's 4 KiB) costs a system call per few packets.
    guard let file = path == "-" ? fdopen(dup(0), "rb") : fopen(path, "rb") else {
      throw PcapError(operation: "open", message: "\(path): \(String(cString: strerror(errno)))")
    }
    // glibc ignores the size unless it is given the buffer too.
    let streamBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: 1 << 16)
    setvbuf(file, streamBuffer, _IOFBF, 1 << 16)
    guard let handle = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer)
    else {
      fclose(file)
      streamBuffer.deallocate()
      throw PcapError(
        operation: "open",
        message: String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      )
    }
    self.handle = handle
    self.streamBuffer = streamBuffer
    linkType = pcap_datalink(handle)
    snapshotLength = pcap_snapshot(handle)
  }

  deinit {
    pcap_close(handle)  // closes the file
    streamBuffer.deallocate()
  }

  /// Reads the next packet into `buffer` (reusing its storage); `nil` at the end of the file.
  /// A damaged record throws; the caller may report it and stop.
  public func next(into buffer: inout [UInt8]) throws(PcapError) -> PacketRecord? {
    var header: UnsafeMutablePointer<pcap_pkthdr>?
    var data: UnsafePointer<UInt8>?
    let status = pcap_next_ex(handle, &header, &data)
    switch status {
    case 1:
      guard let header, let data else { return nil }
      let captured = Int(header.pointee.caplen)
      // One replace (not removeAll + append): this runs for every packet.
      buffer.replaceSubrange(
        buffer.startIndex..<buffer.endIndex,
        with: UnsafeBufferPointer(start: data, count: captured)
      )
      let seconds = UInt64(max(0, header.pointee.ts.tv_sec))
      let fraction = UInt64(max(0, header.pointee.ts.tv_usec))
      return PacketRecord(
        timestamp: seconds &* 1_000_000_000 &+ fraction,
        capturedLength: captured,
        originalLength: Int(header.pointee.len)
      )
    case PCAP_ERROR_BREAK:
      return nil
    default:
      throw PcapError(operation: "read", message: String(cString: pcap_geterr(handle)))
    }
  }
}

/// Writes packets to a pcap file (for `--write`).
public final class PcapWriter {
  private let dead: OpaquePointer
  private let dumper: OpaquePointer

  /// Creates `path` for packets of `linkType`, with nanosecond timestamps.
  public init(path: String, linkType: Int32, snapshotLength: Int32 = 262_144) throws(PcapError) {
    guard let dead = pcap_open_dead_with_tstamp_precision(linkType, snapshotLength, UInt32(PCAP_TSTAMP_PRECISION_NANO))
    else {
      throw PcapError(operation: "open", message: "cannot create a pcap handle for link type \(linkType)")
    }
    guard let dumper = pcap_dump_open(dead, path) else {
      let message = String(cString: pcap_geterr(dead))
      pcap_close(dead)
      throw PcapError(operation: "open", message: message)
    }
    self.dead = dead
    self.dumper = dumper
  }

  deinit {
    pcap_dump_close(dumper)
    pcap_close(dead)
  }

  /// Appends one packet.
  public func write(_ record: PacketRecord, _ bytes: [UInt8]) {
    var header = pcap_pkthdr()
    header.ts.tv_sec = Int(record.timestamp / 1_000_000_000)
    header.ts.tv_usec = Int(record.timestamp % 1_000_000_000)
    header.caplen = UInt32(min(bytes.count, record.capturedLength))
    header.len = UInt32(record.originalLength)
    bytes.withUnsafeBufferPointer { buffer in
      pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), &header, buffer.baseAddress)
    }
  }

  /// Flushes buffered packets to the file; throws when they could not be written (a full disk).
  public func flush() throws(PcapError) {
    let file = pcap_dump_file(dumper)
    guard pcap_dump_flush(dumper) == 0, file.map({ ferror($0) == 0 }) ?? true else {
      throw PcapError(operation: "write", message: String(cString: strerror(errno)))
    }
  }
}
