// libFuzzer entry point over the decoders alone (NetFilterDecoders: no schema, no evaluator).
//
// The first byte picks the link type, the rest is the captured packet: the link, network and
// transport headers are decoded, then the payload as DNS over UDP and over TCP, and as HTTP.
//
// Oracle: no crash, trap or hang, whatever the bytes (a payload the headers place beyond the
// captured bytes is clamped by ByteReader, as PacketEvent reads it); DNSMessage.check and
// HTTPMessage.isDecodable, which count malformed payloads without building them, agree with decode.

import NetFilterDecoders

/// The link types the first byte chooses from (`DLT_*`).
private let linkTypes: [Int32] = [1, 113, 276, 0, 108, 12, 101, 228, 229]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoders(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
  guard count > 0 else { return 0 }
  let input = Array(UnsafeBufferPointer(start: start, count: count))
  let bytes = Array(input.dropFirst())
  var packet = DecodedPacket()
  let linkType = linkTypes[Int(input[0]) % linkTypes.count]
  PacketDecoder.decode(bytes, linkType: linkType, record: (1, bytes.count), into: &packet)
  let payload = ByteReader(bytes, start: packet.payloadOffset, end: packet.payloadOffset + packet.payloadLength)
  for reader in [payload, ByteReader(bytes)] {
    for tcp in [false, true] {
      let decoded = Result { () throws(DNSDecodeError) in
        tcp ? try DNSMessage.decodeTCP(reader) : try DNSMessage.decode(reader)
      }
      let checked = Result { () throws(DNSDecodeError) in
        tcp ? try DNSMessage.checkTCP(reader) : try DNSMessage.check(reader)
      }
      guard decoded.map(\.malformation) == checked else {
        fatalError("DNSMessage.check disagrees with decode: \(checked) vs \(decoded)\n  input: \(input)")
      }
      guard case .success(let message) = decoded else { continue }
      _ = (message.opcodeName, message.responseCodeName, message.rcodeFibratus, message.responseCode)
      for record in message.answers + message.authorities + message.additionals {
        _ = (record.typeName, record.className, record.traceeAnswer, record.answerText)
      }
    }
    let http = HTTPMessage.decode(reader)
    guard HTTPMessage.isDecodable(reader) == (http != nil) else {
      fatalError("HTTPMessage.isDecodable disagrees with decode\n  input: \(input)")
    }
    if let http {
      _ = (http.method, http.path, http.host, http.status, http.statusCode, http.contentLength, http.headers)
    }
  }
  return 0
}
