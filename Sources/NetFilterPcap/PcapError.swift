/// A capture that cannot be opened, read or written, and why.
public struct PcapError: Error, Sendable, CustomStringConvertible {
  /// What failed: "open", "read", "write".
  public let operation: String
  /// Why: the system's reason, or what is wrong in the file and at which byte offset.
  public let message: String

  /// Creates an error.
  public init(operation: String, message: String) {
    self.operation = operation
    self.message = message
  }

  public var description: String { "\(operation): \(message)" }

  /// Damage found while reading: `what` is wrong with the block or record at byte `offset`.
  static func damaged(_ what: String, at offset: Int) -> PcapError {
    PcapError(operation: "read", message: "\(what) (at byte offset \(offset))")
  }

  /// A block or record that the file ends inside.
  static func truncated(_ what: String, at offset: Int, needs: Int, has: Int) -> PcapError {
    damaged("\(what) is truncated: \(needs) bytes, the file ends after \(has)", at: offset)
  }
}
