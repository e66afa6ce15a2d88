#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where the CLI writes. Commands never `print`; tests swap the console to capture output.
public struct Console: Sendable {
  /// Writes to standard output.
  public var out: @Sendable (String) -> Void
  /// Writes to standard error.
  public var err: @Sendable (String) -> Void
  /// Whether standard output is a terminal.
  public var outIsTerminal: Bool
  /// Whether standard error is a terminal.
  public var errIsTerminal: Bool
  /// The environment variables the CLI consults (`NO_COLOR`).
  public var environment: [String: String]

  /// Creates a console.
  public init(
    out: @escaping @Sendable (String) -> Void,
    err: @escaping @Sendable (String) -> Void,
    outIsTerminal: Bool = false,
    errIsTerminal: Bool = false,
    environment: [String: String] = [:]
  ) {
    self.out = out
    self.err = err
    self.outIsTerminal = outIsTerminal
    self.errIsTerminal = errIsTerminal
    self.environment = environment
  }

  /// The process's real standard output and error.
  public static var standard: Console {
    var environment: [String: String] = [:]
    if let noColor = getenv("NO_COLOR") { environment["NO_COLOR"] = String(cString: noColor) }
    return Console(
      out: { text in writeAll(1, text) },
      err: { text in writeAll(2, text) },
      outIsTerminal: isatty(1) != 0,
      errIsTerminal: isatty(2) != 0,
      environment: environment
    )
  }

  /// The console commands write to; tests bind it with `Console.$current.withValue`.
  @TaskLocal public static var current: Console = .standard
}

/// Writes all of `text` to a file descriptor, retrying short writes.
func writeAll(_ descriptor: Int32, _ text: String) {
  let bytes = Array(text.utf8)
  var offset = 0
  while offset < bytes.count {
    let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    if written < 0 && errno == EINTR { continue }
    if written <= 0 { return }
    offset += written
  }
}
