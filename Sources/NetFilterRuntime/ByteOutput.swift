import Synchronization

/// Text output collected into chunks of about 64 KiB, each handed to `target` at once (a write
/// per event would cost a system call each); for a terminal, nothing is held back. The first
/// error the target reports is kept and thrown by every later write.
public final class ByteOutput: @unchecked Sendable {
  /// Writes bytes to their destination, or throws.
  public typealias Target = @Sendable ([UInt8]) throws(OutputError) -> Void

  private let target: Target
  private let immediate: Bool
  private var pending: [UInt8] = []
  private let failure = Mutex<OutputError?>(nil)

  /// Output to `target`; `immediate` (a terminal) writes every line at once.
  public init(immediate: Bool = false, _ target: @escaping Target) {
    self.target = target
    self.immediate = immediate
    pending.reserveCapacity(1 << 17)
  }

  /// Appends UTF-8 bytes and a newline.
  public func append(line: [UInt8]) throws(OutputError) {
    pending.append(contentsOf: line)
    pending.append(UInt8(ascii: "\n"))
    if pending.count >= 1 << 16 || immediate { try flush() }
  }

  /// Appends text.
  public func append(_ text: String) throws(OutputError) {
    pending.append(contentsOf: text.utf8)
    if pending.count >= 1 << 16 || immediate { try flush() }
  }

  /// Writes what is pending.
  public func flush() throws(OutputError) {
    try throwIfFailed()
    guard !pending.isEmpty else { return }
    defer { pending.removeAll(keepingCapacity: true) }
    do { try target(pending) } catch {
      failure.withLock { $0 = error }
      throw error
    }
  }

  /// Throws the error an earlier write met, if one did (cheap: for checks between batches).
  public func throwIfFailed() throws(OutputError) {
    if let failure = failure.withLock({ $0 }) { throw failure }
  }
}
