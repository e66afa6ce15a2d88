import NetFilterDiagnostics
import NetFilterRuntime
import Synchronization

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
  /// Writes event output to standard output as bytes, reporting failure (a closed pipe, a full
  /// disk); by default through ``out``.
  public var outBytes: ByteOutput.Target
  /// The command-line arguments (without the program) as the bytes the process was given: Swift's
  /// own arguments show bytes that are not UTF-8 as U+FFFD, and a filter must not be read so. Empty
  /// for a console made in-process.
  public var rawArguments: [[UInt8]] = []

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
    outBytes = { bytes in out(String(decoding: bytes, as: UTF8.self)) }
  }

  /// The argument given as `text` (decoded, so with U+FFFD where bytes were not UTF-8) as its
  /// bytes, or `text`'s own bytes when no argument has bad bytes that decode to it.
  public func argumentBytes(_ text: String) -> [UInt8] {
    guard text.unicodeScalars.contains("\u{FFFD}") else { return Array(text.utf8) }
    let raw = rawArguments.first { InvalidUTF8.first(in: $0) != nil && String(decoding: $0, as: UTF8.self) == text }
    return raw ?? Array(text.utf8)
  }

  /// The process's real standard output and error.
  public static var standard: Console {
    var environment: [String: String] = [:]
    if let noColor = getenv("NO_COLOR") { environment["NO_COLOR"] = String(cString: noColor) }
    var console = Console(
      out: { text in
        if let error = writeAll(1, Array(text.utf8)) { outputFailure.withLock { $0 = $0 ?? error } }
      },
      err: { text in _ = writeAll(2, Array(text.utf8)) },
      outIsTerminal: isatty(1) != 0,
      errIsTerminal: isatty(2) != 0,
      environment: environment
    )
    console.outBytes = { bytes throws(OutputError) in
      if let error = writeAll(1, bytes) {
        throw OutputError("cannot write to standard output: \(String(cString: strerror(error)))")
      }
    }
    console.rawArguments = (1..<max(1, Int(CommandLine.argc))).map { index in
      guard let argument = CommandLine.unsafeArgv[index] else { return [] }
      return UnsafeBufferPointer(start: argument, count: strlen(argument)).map { UInt8(bitPattern: $0) }
    }
    return console
  }

  /// Why a write to the real standard output failed (a full disk, a closed pipe), if one did: a
  /// command whose output was lost must not exit 0.
  public static var standardOutputFailure: String? {
    outputFailure.withLock { $0 }.map { "cannot write to standard output: \(String(cString: strerror($0)))" }
  }

  /// The console commands write to; tests bind it with `Console.$current.withValue`.
  @TaskLocal public static var current: Console = .standard
}

/// The `errno` of the first failed write to standard output through ``Console/out``.
private let outputFailure = Mutex<Int32?>(nil)

/// Writes all of `bytes` to a file descriptor, retrying short writes; the `errno` of a failure.
func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Int32? {
  var offset = 0
  while offset < bytes.count {
    let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    if written < 0 && errno == EINTR { continue }
    if written < 0 { return errno }
    if written == 0 { return EIO }
    offset += written
  }
  return nil
}
