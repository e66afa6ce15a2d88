/// Request headers for the outputs: `--header 'Name: value'`, where the value may also be read
/// from a file (`@FILE`) or an environment variable (`env:VAR`), so that secrets stay out of the
/// command line; and OpenTelemetry's `OTEL_EXPORTER_OTLP_LOGS_HEADERS`. Error messages name the
/// header and the source, never the value.
public enum OutputHeaders {
  /// Why a header cannot be used.
  public struct Problem: Error, Sendable, CustomStringConvertible {
    /// What is wrong, without the value.
    public let message: String

    public var description: String { message }
  }

  /// The header `spec` (`Name: value`, `Name: @FILE`, `Name: env:VAR`) as `Name: value`.
  public static func resolve(
    _ spec: String,
    environment: [String: String],
    readFile: (String) throws -> String
  ) throws(Problem) -> String {
    guard let colon = spec.firstIndex(of: ":") else {
      throw Problem(message: "--header needs the form 'Name: value' (no ':' found)")
    }
    let name = String(spec[..<colon]).trimmed
    try check(name: name)
    var value = String(spec[spec.index(after: colon)...]).trimmed
    if value.hasPrefix("@") {
      let path = String(value.dropFirst())
      do { value = try readFile(path).trimmed } catch {
        throw Problem(message: "cannot read the value of header '\(name)' from '\(path)'")
      }
    } else if value.hasPrefix("env:") {
      let variable = String(value.dropFirst(4))
      guard let found = environment[variable] else {
        throw Problem(
          message: "the value of header '\(name)' names environment variable '\(variable)', which is not set"
        )
      }
      value = found.trimmed
    }
    guard !value.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) else {
      throw Problem(message: "the value of header '\(name)' contains a line break")
    }
    return "\(name): \(value)"
  }

  /// The headers of `OTEL_EXPORTER_OTLP_LOGS_HEADERS` (or else `OTEL_EXPORTER_OTLP_HEADERS`):
  /// `name=value` pairs separated by commas, values percent-decoded.
  public static func otlp(environment: [String: String]) throws(Problem) -> [String] {
    let variable =
      environment["OTEL_EXPORTER_OTLP_LOGS_HEADERS"] != nil
      ? "OTEL_EXPORTER_OTLP_LOGS_HEADERS" : "OTEL_EXPORTER_OTLP_HEADERS"
    guard let text = environment[variable], !text.trimmed.isEmpty else { return [] }
    var headers: [String] = []
    for pair in text.split(separator: ",") {
      guard let equals = pair.firstIndex(of: "=") else {
        throw Problem(message: "\(variable) needs 'name=value' pairs separated by commas")
      }
      let name = String(pair[..<equals]).trimmed
      try check(name: name)
      guard let value = percentDecoded(String(pair[pair.index(after: equals)...]).trimmed) else {
        throw Problem(message: "\(variable): the value of '\(name)' has a malformed %-escape")
      }
      headers.append("\(name): \(value)")
    }
    return headers
  }

  /// The endpoint of `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` (used as given), or else
  /// `OTEL_EXPORTER_OTLP_ENDPOINT` with `/v1/logs` appended; `nil` if neither is set.
  public static func otlpEndpoint(environment: [String: String]) -> String? {
    if let url = environment["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"], !url.isEmpty { return url }
    guard var base = environment["OTEL_EXPORTER_OTLP_ENDPOINT"], !base.isEmpty else { return nil }
    while base.hasSuffix("/") { base.removeLast() }
    return base + "/v1/logs"
  }

  /// A header name: one or more token characters (RFC 9110).
  private static func check(name: String) throws(Problem) {
    let allowed = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    guard !name.isEmpty, name.allSatisfy({ allowed.contains($0) }) else {
      throw Problem(message: "'\(name)' is not a valid header name")
    }
  }

  private static func percentDecoded(_ text: String) -> String? {
    var bytes: [UInt8] = []
    var iterator = Array(text.utf8).makeIterator()
    while let byte = iterator.next() {
      guard byte == UInt8(ascii: "%") else {
        bytes.append(byte)
        continue
      }
      guard let high = iterator.next(), let low = iterator.next(),
        let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
      else { return nil }
      bytes.append(value)
    }
    return String(validating: bytes, as: UTF8.self)
  }
}

extension String {
  fileprivate var trimmed: String {
    String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
  }
}
