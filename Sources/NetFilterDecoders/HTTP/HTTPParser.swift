/// The HTTP/1.x start-line and header-block reader behind ``HTTPMessage/decode(_:)``. It follows
/// Go's `net/http` and `net/textproto` where they decide what Tracee reports, but keeps going
/// where Go would give up, so that what a server may accept stays visible to a filter: a start
/// line or header block cut off by the end of the segment, a request line of any length, control
/// bytes in the target, runs of spaces between the request line's parts, a target Go cannot
/// parse, malformed header lines (skipped), and any number of header lines. Its only bound is the
/// payload: every line lies in it, and each step moves past at least one byte of it.
package struct HTTPParser {
  package let reader: ByteReader

  /// What the next line is.
  package enum Line {
    /// A complete line (terminator and a trailing CR removed), and where the next one starts.
    case line(ArraySlice<UInt8>, next: Int)
    /// The data ends before the line's LF: the bytes up to the end.
    case incomplete(ArraySlice<UInt8>)
  }

  /// The parts of a start line, as offsets into the payload.
  package enum StartLine {
    /// "METHOD SP target SP version" (the version may be missing or cut).
    case request(method: Range<Int>, target: Range<Int>, version: Range<Int>)
    /// "HTTP/x.y SP code [SP reason]": the version, everything after it, and the code.
    case response(version: Range<Int>, status: Range<Int>, code: Int)
  }

  /// The message, or `nil` if the start line is missing or malformed.
  package func message() -> HTTPMessage? {
    guard let (start, next) = startLine() else { return nil }
    var message: HTTPMessage
    switch start {
    case .request(let method, let target, let version):
      let methodText = text(method)
      let uri = text(target)
      let (path, host) = Self.splitTarget(uri, method: methodText)
      message = HTTPMessage(
        kind: .request,
        method: methodText,
        uri: uri,
        path: path,
        protocol: text(version),
        host: host
      )
    case .response(let version, let status, let code):
      message = HTTPMessage(kind: .response, protocol: text(version), status: text(status), statusCode: code)
    }
    if let next {
      let (headers, complete) = headerBlock(at: next)
      message.headers = headers
      message.isComplete = complete
    } else {
      message.isComplete = false
    }
    finish(&message)
    return message
  }

  /// The start line's parts and where the header block starts (nil when the payload ends inside
  /// the start line), or nil when the payload does not start with a request or status line. This
  /// decides whether ``message()`` is nil; it reads the bytes in place and allocates nothing.
  package func startLine() -> (StartLine, next: Int?)? {
    var newline = 0
    while newline < reader.count, reader.at(newline) != 10 { newline += 1 }
    let next = newline < reader.count ? newline + 1 : nil
    let end = next != nil && newline > 0 && reader.at(newline - 1) == 13 ? newline - 1 : newline
    let parts = startsWithHTTP(end) ? statusLine(end) : requestLine(end)
    return parts.map { ($0, next) }
  }

  /// Whether the first line (`0..<end`) starts with "HTTP/".
  private func startsWithHTTP(_ end: Int) -> Bool {
    end >= 5 && reader.at(0) == 0x48 && reader.at(1) == 0x54 && reader.at(2) == 0x54 && reader.at(3) == 0x50
      && reader.at(4) == 0x2F
  }

  /// Fills in what depends on the headers: the Host fallback and the content length.
  package func finish(_ message: inout HTTPMessage) {
    if message.kind == .request, message.host.isEmpty {
      message.host = message.values(forHeader: "Host").first ?? ""
    }
    message.contentLength = contentLength(message)
  }

  /// The line starting at `offset`, however long.
  package func line(at offset: Int) -> Line {
    let rest = reader.bytes[(reader.start + offset)..<reader.end]
    guard let newline = rest.firstIndex(of: 10) else { return .incomplete(rest) }
    var text = rest[..<newline]
    if text.last == 13 { text = text.dropLast() }
    return .line(text, next: newline + 1 - reader.start)
  }

  /// The bytes at `range` as text.
  package func text(_ range: Range<Int>) -> String {
    Self.text(reader.bytes[(reader.start + range.lowerBound)..<(reader.start + range.upperBound)])
  }

  // MARK: Start lines

  /// The request line `0..<end`: "METHOD SP request-target SP HTTP/x.y". The method is a token up
  /// to the first space; runs of spaces separate the parts (Go wants exactly one, servers such as
  /// nginx take several); the target is every byte up to the next space, control bytes included
  /// (Go refuses those; they are kept as sent, and output escapes them); the version is the rest,
  /// as sent, and may be missing (HTTP/0.9, or a line cut by the segment end). `nil` without a
  /// method or a target.
  package func requestLine(_ end: Int) -> StartLine? {
    var index = 0
    while index < end, reader.at(index) != 32 {
      guard Self.isTokenByte(reader.at(index)) else { return nil }
      index += 1
    }
    guard index > 0, index < end else { return nil }
    let method = 0..<index
    while index < end, reader.at(index) == 32 { index += 1 }
    let targetStart = index
    while index < end, reader.at(index) != 32 { index += 1 }
    guard index > targetStart else { return nil }
    let target = targetStart..<index
    while index < end, reader.at(index) == 32 { index += 1 }
    var versionEnd = end
    while versionEnd > index, reader.at(versionEnd - 1) == 32 { versionEnd -= 1 }
    return .request(method: method, target: target, version: index..<versionEnd)
  }

  /// The status line `0..<end`: "HTTP/x.y SP 3-digit-code [SP reason]", split like Go's
  /// `ReadResponse` (the status is everything after the version and its spaces).
  package func statusLine(_ end: Int) -> StartLine? {
    var space = 0
    while space < end, reader.at(space) != 32 { space += 1 }
    guard space < end, isVersion(0..<space) else { return nil }
    var status = space + 1
    while status < end, reader.at(status) == 32 { status += 1 }
    guard status + 3 <= end, Self.isDigit(reader.at(status)), Self.isDigit(reader.at(status + 1)),
      Self.isDigit(reader.at(status + 2)), status + 3 == end || reader.at(status + 3) == 32
    else { return nil }
    let code =
      (Int(reader.at(status)) - 48) * 100 + (Int(reader.at(status + 1)) - 48) * 10
      + Int(reader.at(status + 2)) - 48
    return .response(version: 0..<space, status: status..<end, code: code)
  }

  /// Go's `ParseHTTPVersion` of the bytes at `range`: "HTTP/" then one digit, ".", one digit.
  package func isVersion(_ range: Range<Int>) -> Bool {
    let at = range.lowerBound
    return range.count == 8 && reader.at(at) == 0x48 && reader.at(at + 1) == 0x54 && reader.at(at + 2) == 0x54
      && reader.at(at + 3) == 0x50 && reader.at(at + 4) == 0x2F && Self.isDigit(reader.at(at + 5))
      && reader.at(at + 6) == UInt8(ascii: ".") && Self.isDigit(reader.at(at + 7))
  }

  // MARK: Header block

  /// The header fields from `offset` to the empty line, and whether that line was reached. Every
  /// line up to the end of the payload is read (a Host after many or long headers is found); a
  /// malformed line (no colon, a name that is no token, a continuation with nothing to continue)
  /// is skipped, where Go would fail the whole message.
  package func headerBlock(at offset: Int) -> ([HTTPHeader], Bool) {
    var headers: [HTTPHeader] = []
    var index: [String: Int] = [:]
    var last: (header: Int, value: Int)? = nil
    var offset = offset
    while true {
      guard case .line(let line, let next) = line(at: offset) else { return (headers, false) }
      offset = next
      if line.isEmpty { return (headers, true) }
      if line.first == 32 || line.first == 9 {
        guard let (header, value) = last else { continue }
        let more = Self.trimmed(line)
        if !more.isEmpty { headers[header].values[value] += " " + Self.text(more) }
        continue
      }
      guard let (name, value) = Self.field(line) else {
        last = nil
        continue
      }
      if let existing = index[name] {
        headers[existing].values.append(value)
        last = (existing, headers[existing].values.count - 1)
      } else {
        index[name] = headers.count
        headers.append(HTTPHeader(name: name, values: [value]))
        last = (headers.count - 1, 0)
      }
    }
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
