// libFuzzer entry point over lexer + parser + checker (`Environment.check`).
//
// Oracle: `check` must never crash, whatever the bytes; and when a filter is valid, its normalized
// text must itself be valid and normalize to itself (print ∘ parse is a fixed point).

import NetFilter

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheck(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
  let outcome = Environment().check(text)
  guard outcome.isValid else { return 0 }
  guard let normalized = outcome.normalized else {
    fatalError("a valid filter has no normalized text\n  input: \(String(reflecting: text))")
  }
  let again = Environment().check(normalized)
  guard again.isValid else {
    let messages = again.diagnostics.map { "  \($0)" }.joined(separator: "\n")
    fatalError(
      """
      the normalized text of a valid filter is not valid
        input:      \(String(reflecting: text))
        normalized: \(String(reflecting: normalized))
      \(messages)
      """
    )
  }
  guard again.normalized == normalized else {
    fatalError(
      """
      normalizing is not idempotent
        input:      \(String(reflecting: text))
        normalized: \(String(reflecting: normalized))
        twice:      \(String(reflecting: again.normalized ?? "<nil>"))
      """
    )
  }
  return 0
}
