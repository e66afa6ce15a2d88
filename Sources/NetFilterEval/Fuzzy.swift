import Foundation

/// The `fuzzy` family: every character of the pattern appears in the text, in order.
/// `fuzzynorm` compares with diacritics removed (`é` as `e`).
struct Fuzzy: Sendable {
  let pattern: [Unicode.Scalar]
  let caseInsensitive: Bool
  let normalize: Bool

  init(_ pattern: String, caseInsensitive: Bool, normalize: Bool) {
    self.caseInsensitive = caseInsensitive
    self.normalize = normalize
    self.pattern = Array(Fuzzy.prepare(pattern, caseInsensitive: caseInsensitive, normalize: normalize).unicodeScalars)
  }

  func matches(_ text: String) -> Bool {
    let subject = normalize ? Fuzzy.stripDiacritics(text) : text
    var next = 0
    for scalar in subject.unicodeScalars where next < pattern.count {
      if Glob.fold(scalar, caseInsensitive) == pattern[next] { next += 1 }
    }
    return next == pattern.count
  }

  private static func prepare(_ text: String, caseInsensitive: Bool, normalize: Bool) -> String {
    let base = normalize ? stripDiacritics(text) : text
    return caseInsensitive ? String(String.UnicodeScalarView(base.unicodeScalars.map { Glob.fold($0, true) })) : base
  }

  /// `text` in canonical decomposition without combining marks.
  static func stripDiacritics(_ text: String) -> String {
    if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
    let decomposed = text.decomposedStringWithCanonicalMapping.unicodeScalars.filter {
      $0.properties.generalCategory != .nonspacingMark
    }
    return String(String.UnicodeScalarView(decomposed))
  }
}
