internal import CLibbpf
internal import CNetFilterBPF

#if canImport(Glibc)
  import Glibc
#endif

/// A failed libbpf or `bpf()` call: what was being done, the error number, and (for a load
/// failure) the tail of libbpf's log, which carries the verifier's reason.
public struct BPFError: Error, Sendable, CustomStringConvertible {
  /// What failed, e.g. `"load the BPF object"`.
  public let operation: String
  /// The positive error number (`EPERM`, `EINVAL`, or a libbpf code above 4000).
  public let code: Int32
  /// libbpf's warnings collected during the call (the verifier log on a load failure), or "".
  public let log: String

  /// Creates an error.
  public init(operation: String, code: Int32, log: String = "") {
    self.operation = operation
    self.code = code
    self.log = log
  }

  /// The error number's text, from `libbpf_strerror`.
  public var message: String {
    var buffer = [CChar](repeating: 0, count: 256)
    _ = libbpf_strerror(-abs(code), &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// "cannot OPERATION: MESSAGE (errno N)", then libbpf's log if any.
  public var description: String {
    let base = "cannot \(operation): \(message) (errno \(code))"
    return log.isEmpty ? base : base + "\n" + log
  }
}

/// Runs a libbpf call that returns 0 or a negative error number.
@discardableResult
func libbpfCall(_ operation: String, _ body: () -> Int32) throws(BPFError) -> Int32 {
  let result = body()
  guard result >= 0 else { throw BPFError(operation: operation, code: -result, log: takeLibbpfLog()) }
  return result
}

/// libbpf's collected warnings, cleared.
func takeLibbpfLog() -> String {
  let text = String(cString: nf_log_text())
  nf_log_clear()
  return text
}
