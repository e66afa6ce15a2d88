import NetFilterEval
import NetFilterSema

/// An event a sink can write: Tracee's JSON line, or any field for a table.
public protocol OutputEvent: Event, Sendable {
  /// The event as one line of UTF-8 JSON in Tracee's shape (without the newline).
  func jsonLine(hostName: String, schema: Schema) -> [UInt8]

  /// A copy that owns all its storage, so it may outlive a reused read buffer (background writers).
  func detached() -> Self
}

/// Where a pipeline's matching events go. Writes may fail (a closed pipe, a full disk): the
/// pipeline stops and reports the error instead of losing output silently.
public protocol EventSink: AnyObject {
  /// Writes one matching event.
  func write<E: OutputEvent>(_ event: E) throws(OutputError)

  /// Pushes out what is buffered (after each wait for live events).
  func flush() throws(OutputError)

  /// Writes everything still pending and waits for it; the sink is not used afterwards.
  func finish() throws(OutputError)
}

/// Why output could not be written.
public struct OutputError: Error, Sendable, CustomStringConvertible {
  /// What failed, e.g. "cannot write to standard output: No space left on device".
  public let message: String

  /// Creates an error.
  public init(_ message: String) { self.message = message }

  public var description: String { message }
}
