/// Request targets, content length and byte-level helpers for ``HTTPParser``.
extension HTTPParser {
  // MARK: Request target

  /// The decoded path and the host a request target names, like Go's `url.ParseRequestURI` plus
  /// `readRequest`'s CONNECT rule. A target Go rejects (no "/", "*", scheme or, for CONNECT,
  /// authority) names neither: the request keeps its ``HTTPMessage/uri`` as sent, and its host is
  /// the Host header's.
  package static func splitTarget(_ target: String, method: String) -> (path: String, host: String) {
    if target == "*" { return ("*", "") }
    if target.hasPrefix("/") { return (decodedPath(target), "") }
    if method == "CONNECT" { return ("", target) }
    guard let colon = target.firstIndex(of: ":"), isScheme(target[..<colon]) else { return ("", "") }
    let rest = target[target.index(after: colon)...]
    guard rest.hasPrefix("//") else { return ("", "") }
    let afterSlashes = rest.dropFirst(2)
    let authorityEnd = afterSlashes.firstIndex { $0 == "/" || $0 == "?" } ?? afterSlashes.endIndex
    let authority = afterSlashes[..<authorityEnd]
    let host = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] }
    let pathAndQuery = afterSlashes[authorityEnd...]
    let path = pathAndQuery.hasPrefix("/") ? decodedPath(String(pathAndQuery)) : ""
    return (path, String(host ?? authority))
  }

  /// A URL scheme: a letter, then letters, digits, "+", "-" or ".".
  package static func isScheme(_ text: Substring) -> Bool {
    guard let first = text.utf8.first, isLetter(first) else { return false }
    return text.utf8.allSatisfy { isLetter($0) || isDigit($0) || "+-.".utf8.contains($0) }
  }

  /// The part before "?", percent-decoded; kept as sent if an escape is malformed.
  package static func decodedPath(_ target: String) -> String {
    let raw = target.utf8.prefix { $0 != UInt8(ascii: "?") }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(raw.count)
    var iterator = raw.makeIterator()
    while let byte = iterator.next() {
      guard byte == UInt8(ascii: "%") else {
        bytes.append(byte)
        continue
      }
      guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue)
      else { return String(decoding: raw, as: UTF8.self) }
      bytes.append(high << 4 | low)
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The value of one hex digit.
  package static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 48...57: return byte - 48
    case 65...70: return byte - 55
    case 97...102: return byte - 87
    default: return nil
    }
  }

  // MARK: Content length

  /// Go's `fixLength`, minus its errors (a malformed or conflicting Content-Length, or an
  /// unsupported Transfer-Encoding, gives -1 where Go fails the whole message).
  package func contentLength(_ message: HTTPMessage) -> Int64 {
    if message.kind == .response,
      message.statusCode / 100 == 1 || message.statusCode == 204 || message.statusCode == 304
    {
      return 0
    }
    let transferEncoding = message.values(forHeader: "Transfer-Encoding")
    if !transferEncoding.isEmpty, Self.isAtLeast11(message.protocol) { return -1 }
    let lengths = message.values(forHeader: "Content-Length")
    guard let first = lengths.first else { return message.kind == .request ? 0 : -1 }
    guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.count <= 19,
      first.utf8.allSatisfy(Self.isDigit), let value = Int64(first)
    else { return -1 }
    return value
  }

  /// Whether a validated "HTTP/x.y" is at least HTTP/1.1 (Go ignores Transfer-Encoding below).
  package static func isAtLeast11(_ version: String) -> Bool {
    let bytes = Array(version.utf8)
    guard bytes.count == 8 else { return false }
    return bytes[5] > UInt8(ascii: "1") || (bytes[5] == UInt8(ascii: "1") && bytes[7] >= UInt8(ascii: "1"))
  }

  // MARK: Bytes

  /// Go's `textproto.CanonicalMIMEHeaderKey` for a valid token: upper-case the first letter and
  /// every letter after "-", lower-case the rest.
  package static func canonicalName(_ name: ArraySlice<UInt8>) -> String {
    var upper = true
    let bytes = name.map { byte -> UInt8 in
      var byte = byte
      if upper, byte >= 97, byte <= 122 {
        byte -= 32
      } else if !upper, byte >= 65, byte <= 90 {
        byte += 32
      }
      upper = byte == UInt8(ascii: "-")
      return byte
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// ASCII lower-casing, for case-insensitive header lookups.
  package static func lowercased(_ text: String) -> String {
    String(decoding: text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
  }

  /// RFC 9110 `tchar`: a letter, a digit or one of !#$%&'*+-.^_`|~.
  package static func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
    case 0x21, 0x23...0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E...0x60, 0x7C, 0x7E: true
    default: false
    }
  }

  /// ASCII digit.
  package static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

  /// ASCII letter.
  package static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 97 && (byte | 0x20) <= 122 }

  /// `bytes` without leading and trailing spaces and tabs.
  package static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    let isBlank = { (byte: UInt8) in byte == 32 || byte == 9 }
    guard let first = bytes.firstIndex(where: { !isBlank($0) }),
      let last = bytes.lastIndex(where: { !isBlank($0) })
    else { return [] }
    return bytes[first...last]
  }

  /// The bytes as text (invalid UTF-8 replaced by U+FFFD).
  package static func text(_ bytes: ArraySlice<UInt8>) -> String {
    String(decoding: bytes, as: UTF8.self)
  }
}
