import NetFilterDiagnostics
import NetFilterRegex

extension Checker {
  /// PCRE2's complaint about `pattern`, if it does not compile.
  func regexError(_ pattern: String) -> (message: String, note: [Note])? {
    guard let error = NetFilterRegex.Regex.validate(pattern) else { return nil }
    return (error.message, [Note("PCRE2 stopped at offset \(error.offset) of the pattern")])
  }
}
