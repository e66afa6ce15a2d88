import NetFilterDiagnostics

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why a text file could not be read: the system's reason (`No such file or directory`, `Is a
/// directory`), or that it is larger than the limit.
struct ReadFileError: Error {
  let reason: String
}

/// The contents of a file ('-' reads standard input), at most `limit` bytes: a filter or header
/// file is small, and `/dev/zero` must not fill memory.
func readFileBytes(_ path: String, limit: Int = 1 << 20) throws(ReadFileError) -> [UInt8] {
  let descriptor = path == "-" ? 0 : open(path, O_RDONLY)
  guard descriptor >= 0 else { throw ReadFileError(reason: String(cString: strerror(errno))) }
  defer { if descriptor != 0 { close(descriptor) } }
  var bytes: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 65_536)
  while true {
    let count = read(descriptor, &buffer, buffer.count)
    if count < 0 && errno == EINTR { continue }
    if count < 0 { throw ReadFileError(reason: String(cString: strerror(errno))) }
    if count == 0 { break }
    bytes += buffer[0..<count]
    if bytes.count > limit { throw ReadFileError(reason: "larger than \(limit / 1024) KiB") }
  }
  return bytes
}

/// The contents of a file as UTF-8 text; a byte that is not UTF-8 is an error that says where.
func readTextFile(_ path: String, limit: Int = 1 << 20) throws(ReadFileError) -> String {
  let bytes = try readFileBytes(path, limit: limit)
  do { return try String(validatingUTF8Bytes: bytes) } catch { throw ReadFileError(reason: error.description) }
}
