#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An open capture file: the system calls that read and write it, and nothing else. This is one of
/// the places (with NetFilterBPF) where netfilter handles C pointers; the formats are parsed in safe
/// code over the bytes read here.
final class CaptureFile {
  private let descriptor: Int32

  /// Opens `path` for reading ("-" is standard input).
  init(reading path: String) throws(PcapError) {
    let descriptor = path == "-" ? dup(0) : open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw Self.failure("open", path) }
    self.descriptor = descriptor
  }

  /// Creates or truncates `path` for writing ("-" is standard output).
  init(writing path: String) throws(PcapError) {
    let descriptor = path == "-" ? dup(1) : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
    guard descriptor >= 0 else { throw Self.failure("open", path) }
    self.descriptor = descriptor
  }

  deinit { close(descriptor) }

  /// Reads into `bytes[from...]`, as much as fits; 0 at the end of the file.
  func read(into bytes: inout [UInt8], from: Int) throws(PcapError) -> Int {
    precondition(from >= 0 && from < bytes.count)
    while true {
      let count = bytes.withUnsafeMutableBytes { raw in
        systemRead(descriptor, raw.baseAddress! + from, raw.count - from)
      }
      if count >= 0 { return count }
      if errno != EINTR { throw Self.failure("read", nil) }
    }
  }

  /// Writes `bytes[..<count]` whole.
  func write(_ bytes: [UInt8], count: Int) throws(PcapError) {
    precondition(count >= 0 && count <= bytes.count)
    var written = 0
    while written < count {
      let result = bytes.withUnsafeBytes { raw in systemWrite(descriptor, raw.baseAddress! + written, count - written) }
      if result > 0 {
        written += result
      } else if result == 0 {
        throw PcapError(operation: "write", message: "the file accepts no more bytes")
      } else if errno != EINTR {
        throw Self.failure("write", nil)
      }
    }
  }

  /// The error of the system call that just failed, with `errno`'s reason.
  private static func failure(_ operation: String, _ path: String?) -> PcapError {
    let reason = String(cString: strerror(errno))
    return PcapError(operation: operation, message: path.map { "\($0): \(reason)" } ?? reason)
  }
}

/// read(2), named apart from ``CaptureFile/read(into:from:)``.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
  read(descriptor, buffer, count)
}

/// write(2), named apart from ``CaptureFile/write(_:count:)``.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(descriptor, buffer, count)
}
