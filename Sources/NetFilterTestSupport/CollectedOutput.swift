import Foundation
import NetFilter

/// What a pipeline writes, kept in memory for a test to read back (the pipeline may write from a
/// background queue, so access is locked).
public final class CollectedOutput: @unchecked Sendable {
  private let lock = NSLock()
  private var bytes: [UInt8] = []

  public init() {}

  /// A sink writing JSON lines here.
  public func sink(hostName: String = "test") -> JSONLinesSink {
    JSONLinesSink(output: output(), hostName: hostName)
  }

  /// Output collected here, every line at once.
  public func output() -> ByteOutput {
    ByteOutput(immediate: true) { [self] bytes throws(OutputError) in append(bytes) }
  }

  /// Everything written, as text.
  public var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }

  /// The lines written, without their newlines.
  public var lines: [String] { text.split(separator: "\n").map(String.init) }

  private func append(_ more: [UInt8]) { lock.withLock { bytes += more } }
}
