/// A decoded application-layer message.
/// `indirect`: a DNS or HTTP message is large, and every packet event carries this optional.
public indirect enum ApplicationMessage: Sendable {
  case dns(DNSMessage)
  case http(HTTPMessage)
  /// The payload looked like DNS but did not decode; the reason says why.
  case malformedDNS(String)
  /// The payload looked like HTTP but its start line is no request or status line; the reason
  /// says why.
  case malformedHTTP(String)

  /// Whether the message is damaged: DNS or HTTP that did not decode, or DNS that decoded with a
  /// malformed record (``DNSMessage/malformation``).
  public var isMalformed: Bool {
    switch self {
    case .dns(let message): message.malformation != nil
    case .http: false
    case .malformedDNS, .malformedHTTP: true
    }
  }
}

/// Recognizes DNS and HTTP/1.x from a payload, and decodes them on demand. DNS over UDP or TCP: on
/// ports 53 and 5353 by its header (as Wireshark does there), on any other port by a strict walk of
/// the whole message (``DNSProbe``). HTTP/1.x by its first bytes, on any TCP port.
package enum ApplicationDetector {
  private static let methods: [[UInt8]] = [
    "GET ", "POST ", "PUT ", "DELETE ", "HEAD ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ",
  ]
  .map { Array($0.utf8) }
  private static let responsePrefix = Array("HTTP/".utf8)

  package static func detect(_ packet: DecodedPacket, _ payload: ByteReader) -> PacketKind.Application {
    guard packet.transport == .tcp || packet.transport == .udp, payload.count > 0 else { return .none }
    if isDNSPort(packet.sourcePort) || isDNSPort(packet.destinationPort) {
      let header = packet.transport == .tcp ? 2 : 0
      guard let flags = payload.u8(header + 2), let questions = payload.u16(header + 4), payload.count >= header + 12
      else { return .none }
      if questions == 1 { return flags & 0x80 == 0 ? .dnsRequest : .dnsResponse }
      return .dns
    }
    // Every method and "HTTP/" start with an upper-case letter; a DNS message over TCP starts with
    // its length (a byte below 0x41 for messages under 16 KiB).
    guard packet.transport == .tcp, let first = payload.u8(0), first >= 0x41, first <= 0x5A else {
      return DNSProbe.kind(payload, tcp: packet.transport == .tcp)
    }
    if startsWith(payload, responsePrefix) { return .httpResponse }
    return methods.contains { startsWith(payload, $0) } ? .httpRequest : .none
  }

  package static func decode(_ application: PacketKind.Application, _ packet: DecodedPacket, _ payload: ByteReader)
    -> ApplicationMessage?
  {
    switch application {
    case .none: return nil
    case .dns, .dnsRequest, .dnsResponse:
      do {
        let message = packet.transport == .tcp ? try DNSMessage.decodeTCP(payload) : try DNSMessage.decode(payload)
        return .dns(message)
      } catch {
        return .malformedDNS("\(error)")
      }
    case .http, .httpRequest, .httpResponse:
      guard let message = HTTPMessage.decode(payload) else {
        return .malformedHTTP(
          application == .httpResponse ? "HTTP: malformed status line" : "HTTP: malformed request line"
        )
      }
      return .http(message)
    }
  }

  /// Whether ``decode(_:_:_:)`` would give a malformed message (``ApplicationMessage/isMalformed``),
  /// found without building it: no allocation unless the payload is damaged. This runs for every
  /// DNS and HTTP packet whose payload the filter does not read, so that `--stats` counts the
  /// damaged ones whatever the filter.
  package static func isMalformed(_ application: PacketKind.Application, _ packet: DecodedPacket, _ payload: ByteReader)
    -> Bool
  {
    switch application {
    case .none: return false
    case .dns, .dnsRequest, .dnsResponse:
      do {
        let problem =
          packet.transport == .tcp ? try DNSMessage.checkTCP(payload) : try DNSMessage.check(payload)
        return problem != nil
      } catch {
        return true
      }
    case .http, .httpRequest, .httpResponse:
      return !HTTPMessage.isDecodable(payload)
    }
  }

  /// 53 or 5353 (a comparison, not a set lookup: this runs for every UDP and TCP packet).
  @inline(__always)
  private static func isDNSPort(_ port: UInt16) -> Bool { port == 53 || port == 5353 }

  private static func startsWith(_ reader: ByteReader, _ prefix: [UInt8]) -> Bool {
    guard reader.count >= prefix.count else { return false }
    for (offset, byte) in prefix.enumerated() where reader.u8(offset) != byte { return false }
    return true
  }
}
