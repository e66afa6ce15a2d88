import CPCRE2

/// The raw PCRE2 calls, kept in one place. Every pointer here stays inside this module.
///
/// `pcre2.h` spells its functions as macros (`pcre2_compile` → `pcre2_compile_8`) that Swift
/// cannot import, so the 8-bit names are called directly.
enum PCRE2 {
  /// Options used for every pattern: UTF-8 with Unicode properties for `\w`, `\d`, `[[:alpha:]]`
  /// and case folding, and no `\C`, which could split a UTF-8 character in two.
  static let baseOptions: UInt32 =
    UInt32(PCRE2_UTF) | UInt32(PCRE2_UCP) | UInt32(PCRE2_NEVER_BACKSLASH_C)

  /// Initial and maximum size of each JIT stack.
  static let jitStackStart = 32 * 1024
  static let jitStackMax = 512 * 1024

  /// Compiles a pattern; the caller owns the result and must pass it to `pcre2_code_free_8`.
  static func compile(_ pattern: String, options: UInt32) throws(RegexError) -> OpaquePointer {
    var errorCode: Int32 = 0
    var errorOffset = 0
    let code = withUTF8(pattern) { base, count in
      pcre2_compile_8(base, count, options, &errorCode, &errorOffset, nil)
    }
    guard let code else { throw RegexError(pcre2Code: errorCode, offset: errorOffset) }
    return code
  }

  /// PCRE2's text for an error code, or a generic text if it has none.
  static func errorMessage(_ code: Int32) -> String {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buffer in
      guard let base = buffer.baseAddress else { return "error \(code)" }
      let length = pcre2_get_error_message_8(code, base, buffer.count)
      guard length > 0 else { return "unknown PCRE2 error \(code)" }
      return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<Int(length)]), as: UTF8.self)
    }
  }

  /// True for the results of `pcre2_match_8` that mean "gave up because of a limit".
  static func isLimitError(_ result: Int32) -> Bool {
    switch result {
    case PCRE2_ERROR_MATCHLIMIT, PCRE2_ERROR_DEPTHLIMIT, PCRE2_ERROR_HEAPLIMIT,
      PCRE2_ERROR_JIT_STACKLIMIT:
      true
    default:
      false
    }
  }

  /// Calls `body` with a non-null pointer to the string's UTF-8 bytes and their count, without
  /// copying when the string is stored contiguously (native Swift strings always are).
  ///
  /// An empty string still gets a valid pointer: PCRE2 10.42 rejects a null subject or pattern even
  /// with length zero.
  static func withUTF8<R>(_ string: String, _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
    if let result = string.utf8.withContiguousStorageIfAvailable({ withBase($0, body) }) {
      return result
    }
    var copy = string
    return copy.withUTF8 { withBase($0, body) }
  }

  /// Calls `body` with the buffer's base and count, substituting a valid pointer when it is empty.
  static func withBase<R>(
    _ buffer: UnsafeBufferPointer<UInt8>,
    _ body: (UnsafePointer<UInt8>, Int) -> R
  ) -> R {
    if let base = buffer.baseAddress { return body(base, buffer.count) }
    return withUnsafePointer(to: UInt8(0)) { body($0, 0) }
  }
}
