#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a file (or standard input, `-`) line by line without loading it whole.
///
/// Each byte is scanned for the newline once, however long its line, and a line longer than
/// ``maxLineLength`` is not kept: it is returned as ``Line/tooLong(_:)`` as soon as the limit is
/// passed, and its remaining bytes are skipped as they arrive, so memory stays bounded even on an
/// input without newlines (`/dev/zero`).
struct LineReader {
  /// The longest line kept (8 MiB): a Tracee or Fibratus event is a few kilobytes.
  static let maxLineLength = 8 << 20

  /// One line of the input.
  enum Line: Equatable {
    /// The line's bytes, without the newline (and without a trailing `\r`).
    case text([UInt8])
    /// A line longer than ``maxLineLength``; its bytes are dropped.
    case tooLong
  }

  private let descriptor: Int32
  private var buffer: [UInt8] = []
  private var start = 0
  /// Where the search for the next newline resumes: bytes before it hold none.
  private var scanned = 0
  /// Whether the line at `start` already passed the limit (its bytes are being skipped).
  private var skipping = false
  private var finished = false
  private let chunkSize: Int
  /// The number of the line last returned, from 1.
  private(set) var lineNumber = 0
  /// When a read is interrupted by a signal and this token is stopped, the input ends there.
  var stop: StopToken?

  /// Opens `path`; `nil` if it cannot be opened. Reads `chunkSize` bytes at a time.
  init?(path: String, chunkSize: Int = 1 << 16) {
    descriptor = path == "-" ? 0 : open(path, O_RDONLY)
    if descriptor < 0 { return nil }
    self.chunkSize = chunkSize
  }

  /// Closes the file (not standard input).
  func close() { if descriptor > 0 { _ = Glibc.close(descriptor) } }

  /// The next line, or `nil` at the end. A UTF-8 byte order mark at the start of the input is not
  /// part of line 1, so columns on it are the same with or without one. Bytes are not decoded
  /// here: what is not UTF-8 is the parser's to report, where it is.
  mutating func next() -> Line? {
    while true {
      if let newline = buffer[scanned...].firstIndex(of: 0x0A) {
        if skipping { return endSkipped(resumingAt: newline + 1) }
        if newline - start > Self.maxLineLength {
          lineNumber += 1
          (start, scanned) = (newline + 1, newline + 1)
          return .tooLong
        }
        var end = newline
        if end > start, buffer[end - 1] == 0x0D { end -= 1 }
        return take(end, resumingAt: newline + 1)
      }
      scanned = buffer.count
      if !skipping, buffer.count - start > Self.maxLineLength {
        // Report the line now and drop what was read of it; the rest is skipped as it comes.
        skipping = true
        lineNumber += 1
        discardScanned()
        return .tooLong
      }
      if skipping { discardScanned() }
      if finished {
        if skipping { return endSkipped(resumingAt: buffer.count) }
        guard start < buffer.count else { return nil }
        return take(buffer.count, resumingAt: buffer.count)
      }
      fill()
    }
  }

  /// The bytes from `start` to `end` as the next line.
  private mutating func take(_ end: Int, resumingAt next: Int) -> Line {
    if lineNumber == 0, buffer[start..<end].starts(with: [0xEF, 0xBB, 0xBF]) { start += 3 }
    let line = Array(buffer[start..<max(start, end)])
    start = next
    scanned = next
    lineNumber += 1
    return .text(line)
  }

  /// The end of a line that was too long (already returned): reading resumes after it.
  private mutating func endSkipped(resumingAt next: Int) -> Line? {
    skipping = false
    start = next
    scanned = next
    return self.next()
  }

  /// Drops the bytes scanned so far (of a line being skipped).
  private mutating func discardScanned() {
    buffer.removeFirst(scanned)
    start = 0
    scanned = 0
  }

  private mutating func fill() {
    if start > 0 {
      buffer.removeFirst(start)
      scanned -= start
      start = 0
    }
    var chunk = [UInt8](repeating: 0, count: chunkSize)
    while true {
      let count = read(descriptor, &chunk, chunk.count)
      if count < 0 && errno == EINTR && stop?.isStopped != true { continue }
      if count <= 0 {
        finished = true
        return
      }
      buffer += chunk[0..<count]
      return
    }
  }
}
