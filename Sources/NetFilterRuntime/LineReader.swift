#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a file (or standard input, `-`) line by line without loading it whole.
struct LineReader {
  private let descriptor: Int32
  private var buffer: [UInt8] = []
  private var start = 0
  private var finished = false
  /// The number of the line last returned, from 1.
  private(set) var lineNumber = 0
  /// When a read is interrupted by a signal and this token is stopped, the input ends there.
  var stop: StopToken?

  /// Opens `path`; `nil` if it cannot be opened.
  init?(path: String) {
    descriptor = path == "-" ? 0 : open(path, O_RDONLY)
    if descriptor < 0 { return nil }
  }

  /// Closes the file (not standard input).
  func close() { if descriptor > 0 { _ = Glibc.close(descriptor) } }

  /// The next line's bytes without its newline (and without a trailing `\r`), or `nil` at the end.
  /// A UTF-8 byte order mark at the start of the input is not part of line 1, so columns on it are
  /// the same with or without one. Bytes are not decoded here: what is not UTF-8 is the parser's to
  /// report, where it is.
  mutating func next() -> [UInt8]? {
    while true {
      if let newline = buffer[start...].firstIndex(of: 0x0A) {
        var end = newline
        if end > start, buffer[end - 1] == 0x0D { end -= 1 }
        return take(end, resumingAt: newline + 1)
      }
      if finished {
        guard start < buffer.count else { return nil }
        return take(buffer.count, resumingAt: buffer.count)
      }
      fill()
    }
  }

  /// The bytes from `start` to `end` as the next line.
  private mutating func take(_ end: Int, resumingAt next: Int) -> [UInt8] {
    if lineNumber == 0, buffer[start..<end].starts(with: [0xEF, 0xBB, 0xBF]) { start += 3 }
    let line = Array(buffer[start..<max(start, end)])
    start = next
    lineNumber += 1
    return line
  }

  private mutating func fill() {
    if start > 0 {
      buffer.removeFirst(start)
      start = 0
    }
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
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
