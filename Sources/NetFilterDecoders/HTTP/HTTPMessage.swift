/// One header field of an HTTP message: its name in Go's canonical form and every value it was
/// given, in order (repeated fields are merged, as Go's `http.Header` does).
public struct HTTPHeader: Sendable, Hashable {
  /// The name as Go's `textproto.CanonicalMIMEHeaderKey` spells it ("Content-Type").
  public var name: String
  /// The values in the order they appeared.
  public var values: [String]

  /// Creates a header field.
  public init(name: String, values: [String]) {
    self.name = name
    self.values = values
  }
}

/// The start line and header block of an HTTP/1.x request or response, read from the first TCP
/// segment only (no reassembly), as Tracee reads them with Go's `http.ReadRequest` /
/// `http.ReadResponse` for `proto_http`, `http_request` and `http_response`.
public struct HTTPMessage: Sendable, Hashable {
  /// Whether a message is a request or a response.
  public enum Kind: String, Sendable, Hashable {
    /// A request ("GET / HTTP/1.1").
    case request
    /// A response ("HTTP/1.1 200 OK").
    case response
  }

  /// Request or response (Tracee's `direction`: "request" / "response").
  public var kind: Kind
  /// The request method as sent ("GET"); "" for responses.
  public var method: String
  /// The request target exactly as sent ("/a%20b?x=1", "http://h/p", "h:443", "*"), control
  /// bytes included; "" for responses.
  public var uri: String
  /// The target's path, percent-decoded, without the query (Go's `URL.Path`, Tracee's
  /// `uri_path`); "" for responses, authority-form and absolute URIs without a path, and targets
  /// Go cannot parse. If the percent-encoding is invalid the path is kept as sent (Go would reject
  /// the request).
  public var path: String
  /// The protocol version as sent ("HTTP/1.1"; "" when the request line has none or is cut).
  public var `protocol`: String
  /// The host: from an absolute-form or CONNECT target, else the first Host header value (Go's
  /// `Request.Host`); "" for responses.
  public var host: String
  /// The header fields in first-seen order.
  public var headers: [HTTPHeader]
  /// The status as Go prints `Response.Status`: everything after the version ("301 Moved
  /// Permanently"); "" for requests.
  public var status: String
  /// The 3-digit status code; 0 for requests.
  public var statusCode: Int
  /// The body length as Go computes `ContentLength`: the Content-Length value; -1 for chunked or
  /// unknown (including a malformed or conflicting Content-Length); 0 for a request without
  /// either, and for 1xx, 204 and 304 responses.
  public var contentLength: Int64
  /// `true` when the header block ended with its empty line inside the segment; `false` when the
  /// segment ended first (in the start line or in the header block).
  public var isComplete: Bool

  /// Creates a message from its parts.
  public init(
    kind: Kind,
    method: String = "",
    uri: String = "",
    path: String = "",
    protocol: String = "HTTP/1.1",
    host: String = "",
    headers: [HTTPHeader] = [],
    status: String = "",
    statusCode: Int = 0,
    contentLength: Int64 = -1,
    isComplete: Bool = true
  ) {
    self.kind = kind
    self.method = method
    self.uri = uri
    self.path = path
    self.protocol = `protocol`
    self.host = host
    self.headers = headers
    self.status = status
    self.statusCode = statusCode
    self.contentLength = contentLength
    self.isComplete = isComplete
  }

  /// Every value of the header `name` (compared case-insensitively), in order.
  public func values(forHeader name: String) -> [String] {
    let wanted = HTTPParser.lowercased(name)
    return headers.first { HTTPParser.lowercased($0.name) == wanted }?.values ?? []
  }

  /// Decodes the start line and the header fields at the start of `reader`. Returns `nil` unless
  /// the first line is an HTTP/1.x request line (a method token, spaces, a target) or a status line
  /// ("HTTP/x.y", a 3-digit code), complete or cut by the end of the data; a header block cut off
  /// by the end of the data still yields the complete header lines before the cut. Nothing is
  /// bounded but by the data: a start line of any length, any number of header lines.
  public static func decode(_ reader: ByteReader) -> HTTPMessage? {
    HTTPParser(reader: reader).message()
  }

  /// Whether ``decode(_:)`` gives a message, found without building it (no allocation).
  public static func isDecodable(_ reader: ByteReader) -> Bool {
    HTTPParser(reader: reader).startLine() != nil
  }

  /// Tracee's kernel heuristic (`net_l7_is_http`), widened to every common method: `.request` if
  /// the data starts with GET, POST, PUT, DELETE, HEAD, OPTIONS, PATCH, CONNECT or TRACE and a
  /// space; `.response` if it starts with "HTTP/"; else `nil`.
  public static func looksLikeHTTP(_ reader: ByteReader) -> Kind? {
    if hasPrefix(reader, responsePrefix) { return .response }
    return requestPrefixes.contains { hasPrefix(reader, $0) } ? .request : nil
  }

  /// "HTTP/".
  private static let responsePrefix = Array("HTTP/".utf8)
  /// The methods ``looksLikeHTTP(_:)`` knows, each followed by a space.
  private static let requestPrefixes = [
    "GET ", "POST ", "PUT ", "DELETE ", "HEAD ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ",
  ].map { Array($0.utf8) }

  /// Whether `reader` starts with `prefix`.
  private static func hasPrefix(_ reader: ByteReader, _ prefix: [UInt8]) -> Bool {
    guard let head = reader.slice(0, prefix.count) else { return false }
    return head.elementsEqual(prefix)
  }
}
