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

  /// The next line without its newline (and without a trailing `\r`), or `nil` at the end.
  mutating func next() -> String? {
    while true {
      if let newline = buffer[start...].firstIndex(of: 0x0A) {
        var end = newline
        if end > start, buffer[end - 1] == 0x0D { end -= 1 }
        let line = String(decoding: buffer[start..<end], as: UTF8.self)
        start = newline + 1
        lineNumber += 1
        return line
      }
      if finished {
        guard start < buffer.count else { return nil }
        let line = String(decoding: buffer[start...], as: UTF8.self)
        start = buffer.count
        lineNumber += 1
        return line
      }
      fill()
    }
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
