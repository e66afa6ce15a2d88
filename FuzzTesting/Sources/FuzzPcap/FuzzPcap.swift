// libFuzzer entry point over the capture reader (NetFilterPcap) and the decoders.
//
// The input is a capture file: classic pcap or pcapng (the seeds are both: several sections in
// both byte orders, interfaces of several link types, every timestamp unit, Simple and obsolete
// Packet Blocks, skipped blocks, damaged blocks). Every packet is read and decoded with its own
// link type; the packets read are encoded again in the format they came in, and read back.
//
// Oracle: no crash, trap, hang or unbounded allocation, whatever the bytes; each record's captured
// length is what the buffer holds, at most 16 MiB; the packets encoded again read back the same
// (bytes, time, lengths, link type; a classic file's time only up to 2106, where its 32-bit
// seconds end).

import NetFilterDecoders
import NetFilterPcap

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPcap(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
  let input = Array(UnsafeBufferPointer(start: start, count: count))
  guard let reader = try? PcapReader(bytes: input) else { return 0 }
  var encoder = CaptureEncoder(format: reader.format, linkType: reader.linkTypes.first ?? 1)
  var encoded: [UInt8] = []
  encoder.header(into: &encoded)
  var records: [(record: PacketRecord, bytes: [UInt8])] = []
  var buffer: [UInt8] = []
  var packet = DecodedPacket()
  while let record = try? reader.next(into: &buffer) {
    precondition(record.capturedLength == buffer.count, "the captured length is what the buffer holds")
    precondition(buffer.count <= 16 << 20, "a packet of at most 16 MiB")
    PacketDecoder.decode(
      buffer,
      linkType: record.linkType,
      record: (record.timestamp, record.originalLength),
      into: &packet
    )
    precondition(encoder.append(record, buffer, into: &encoded), "a classic capture holds one link type")
    records.append((record, buffer))
  }
  let again: PcapReader
  do { again = try PcapReader(bytes: encoded) } catch { preconditionFailure("the encoded capture opens: \(error)") }
  for (record, bytes) in records {
    let read: PacketRecord?
    do { read = try again.next(into: &buffer) } catch { preconditionFailure("the encoded capture reads: \(error)") }
    // A classic file counts seconds in 32 bits: a later time (a fraction past its second) is clamped.
    let clamped = reader.format == .pcap && record.timestamp / 1_000_000_000 > UInt64(UInt32.max)
    precondition(read?.timestamp == record.timestamp || clamped, "the encoded packet has the same time")
    precondition(
      read?.capturedLength == record.capturedLength && read?.originalLength == record.originalLength
        && read?.linkType == record.linkType && buffer == bytes,
      "the encoded packet reads back the same"
    )
  }
  precondition((try? again.next(into: &buffer)) == .some(nil), "the encoded capture holds nothing more")
  return 0
}
