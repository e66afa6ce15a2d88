/// The HTTP/1.x start-line and header-block reader behind ``HTTPMessage/decode(_:)``. It follows
/// Go's `net/http` and `net/textproto` where they decide what Tracee reports, but keeps going
/// where Go would give up on a header block cut off by the end of the segment.
package struct HTTPParser {
  package let reader: ByteReader

  /// What the next line is.
  package enum Line {
    /// A complete line (terminator and a trailing CR removed), and where the next one starts.
    case line(ArraySlice<UInt8>, next: Int)
    /// The data ends before the line's LF.
    case incomplete
    /// No LF within ``HTTPMessage/maxLineLength`` bytes.
    case tooLong
  }

  /// The message, or `nil` if the start line is missing or malformed.
  package func message() -> HTTPMessage? {
    guard case .line(let first, let next) = line(at: 0) else { return nil }
    let startsAsResponse = first.starts(with: "HTTP/".utf8)
    guard var message = startsAsResponse ? statusLine(first) : requestLine(first) else {
      return nil
    }
    let (headers, complete) = headerBlock(at: next)
    message.headers = headers
    message.isComplete = complete
    finish(&message)
    return message
  }

  /// Fills in what depends on the headers: the Host fallback and the content length.
  package func finish(_ message: inout HTTPMessage) {
    if message.kind == .request, message.host.isEmpty {
      message.host = message.values(forHeader: "Host").first ?? ""
    }
    message.contentLength = contentLength(message)
  }

  /// The line starting at `offset`.
  package func line(at offset: Int) -> Line {
    let start = reader.start + offset
    let limit = min(reader.end, start + HTTPMessage.maxLineLength + 1)
    guard let newline = reader.bytes[start..<limit].firstIndex(of: 10) else {
      return limit == reader.end ? .incomplete : .tooLong
    }
    var text = reader.bytes[start..<newline]
    if text.last == 13 { text = text.dropLast() }
    return .line(text, next: newline + 1 - reader.start)
  }

  // MARK: Start lines

  /// "METHOD SP request-target SP HTTP/x.y", split like Go's `parseRequestLine`.
  package func requestLine(_ line: ArraySlice<UInt8>) -> HTTPMessage? {
    guard let firstSpace = line.firstIndex(of: 32) else { return nil }
    let method = line[..<firstSpace]
    let rest = line[(firstSpace + 1)...]
    guard let secondSpace = rest.firstIndex(of: 32) else { return nil }
    let target = rest[..<secondSpace]
    let version = rest[(secondSpace + 1)...]
    guard !method.isEmpty, method.allSatisfy(Self.isTokenByte), Self.isVersion(version),
      !target.isEmpty, !target.contains(where: { $0 < 0x20 || $0 == 0x7F })
    else { return nil }
    let methodText = Self.text(method)
    guard let (path, host) = Self.splitTarget(Self.text(target), method: methodText) else {
      return nil
    }
    return HTTPMessage(
      kind: .request,
      method: methodText,
      uri: Self.text(target),
      path: path,
      protocol: Self.text(version),
      host: host
    )
  }

  /// "HTTP/x.y SP 3-digit-code [SP reason]", split like Go's `ReadResponse`.
  package func statusLine(_ line: ArraySlice<UInt8>) -> HTTPMessage? {
    guard let space = line.firstIndex(of: 32) else { return nil }
    let version = line[..<space]
    let status = line[(space + 1)...].drop { $0 == 32 }
    let code = status.prefix { $0 != 32 }
    guard Self.isVersion(version), code.count == 3, code.allSatisfy(Self.isDigit) else {
      return nil
    }
    let statusCode = code.reduce(0) { $0 * 10 + Int($1 - 48) }
    return HTTPMessage(
      kind: .response,
      protocol: Self.text(version),
      status: Self.text(status),
      statusCode: statusCode
    )
  }

  /// Go's `ParseHTTPVersion`: "HTTP/" then one digit, ".", one digit.
  package static func isVersion(_ bytes: ArraySlice<UInt8>) -> Bool {
    guard bytes.count == 8, bytes.starts(with: "HTTP/".utf8) else { return false }
    let tail = Array(bytes.suffix(3))
    return isDigit(tail[0]) && tail[1] == UInt8(ascii: ".") && isDigit(tail[2])
  }

  // MARK: Header block

  /// The header fields from `offset` to the empty line, and whether that line was reached.
  package func headerBlock(at offset: Int) -> ([HTTPHeader], Bool) {
    var headers: [HTTPHeader] = []
    var index: [String: Int] = [:]
    var last: (header: Int, value: Int)? = nil
    var offset = offset
    for _ in 0..<HTTPMessage.maxHeaders {
      guard case .line(let line, let next) = line(at: offset) else { return (headers, false) }
      offset = next
      if line.isEmpty { return (headers, true) }
      if line.first == 32 || line.first == 9 {
        guard let (header, value) = last else { return (headers, false) }
        let more = Self.trimmed(line)
        if !more.isEmpty { headers[header].values[value] += " " + Self.text(more) }
        continue
      }
      guard let (name, value) = Self.field(line) else { return (headers, false) }
      if let existing = index[name] {
        headers[existing].values.append(value)
        last = (existing, headers[existing].values.count - 1)
      } else {
        index[name] = headers.count
        headers.append(HTTPHeader(name: name, values: [value]))
        last = (headers.count - 1, 0)
      }
    }
    if case .line(let line, _) = line(at: offset), line.isEmpty { return (headers, true) }
    return (headers, false)
  }

  /// "Name: value" → the canonical name and the trimmed value; `nil` without a colon or with a
  /// name that is empty or not a token (Go rejects such a line).
  package static func field(_ line: ArraySlice<UInt8>) -> (String, String)? {
    guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
    let name = line[..<colon]
    guard !name.isEmpty, name.allSatisfy(isTokenByte) else { return nil }
    return (canonicalName(name), text(trimmed(line[(colon + 1)...])))
  }
}
