import NetFilterSema
import NetFilterSyntax

/// A compiled test of one string.
typealias TextTest = @Sendable (String) -> Bool

/// String matching without allocation on the common (ASCII) path.
package enum Text {
  /// The test for a substring, glob or fuzzy operator against one literal.
  static func test(_ op: ComparisonOperator, _ literal: StringLiteral) -> TextTest {
    let folded = op.info.caseInsensitive
    let needle = folded ? literal.value.lowercased() : literal.value
    let bytes = Array(needle.utf8)
    switch op {
    case .contains, .icontains: return { contains($0, bytes, folded: folded) }
    case .startswith, .istartswith: return { hasPrefix($0, bytes, folded: folded) }
    case .endswith, .iendswith: return { hasSuffix($0, bytes, folded: folded) }
    case .matches, .imatches:
      let glob = Glob(literal, caseInsensitive: folded)
      return { glob.matches($0) }
    case .fuzzy, .ifuzzy, .fuzzynorm, .ifuzzynorm:
      let fuzzy = Fuzzy(needle, caseInsensitive: folded, normalize: op == .fuzzynorm || op == .ifuzzynorm)
      return { fuzzy.matches($0) }
    case .equal, .iequal, .less, .lessEqual, .greater, .greaterEqual, .in, .iin, .intersects, .iintersects:
      // Not text tests: the matcher plans these families itself. Whole-string equality is the
      // only reading that is true to the operator's name.
      preconditionFailure("Text.test called for '\(op.rawValue)', which is not a text operator")
    }
  }

  /// `text` compared with an already-lowercased string, ignoring case.
  package static func equalsIgnoringCase(_ text: String, _ lowered: String) -> Bool {
    let a = text.utf8.span
    let b = lowered.utf8.span
    if a.count == b.count {
      var ascii = true
      for i in 0..<a.count {
        if a[i] >= 0x80 || b[i] >= 0x80 {
          ascii = false
          break
        }
        if lowerASCII(a[i]) != b[i] { return false }
      }
      if ascii { return true }
    } else if isASCII(text) && isASCII(lowered) {
      return false
    }
    return text.lowercased() == lowered
  }

  /// `text` lowercased, without allocating when it has no uppercase ASCII and no non-ASCII bytes.
  static func lowercasedIfNeeded(_ text: String) -> String {
    let plain = text.utf8.allSatisfy { $0 < 0x80 && !($0 >= 0x41 && $0 <= 0x5A) }
    return plain ? text : text.lowercased()
  }

  @inline(__always)
  static func lowerASCII(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

  private static func isASCII(_ text: String) -> Bool { text.utf8.allSatisfy { $0 < 0x80 } }

  static func contains(_ text: String, _ needle: [UInt8], folded: Bool) -> Bool {
    if needle.isEmpty { return true }
    if folded && !isASCII(text) { return contains(text.lowercased(), needle, folded: false) }
    let haystack = text.utf8.span
    guard haystack.count >= needle.count else { return false }
    let first = needle[0]
    var start = 0
    while start <= haystack.count - needle.count {
      if (folded ? lowerASCII(haystack[start]) : haystack[start]) == first {
        var offset = 1
        while offset < needle.count,
          (folded ? lowerASCII(haystack[start + offset]) : haystack[start + offset]) == needle[offset]
        {
          offset += 1
        }
        if offset == needle.count { return true }
      }
      start += 1
    }
    return false
  }

  static func hasPrefix(_ text: String, _ needle: [UInt8], folded: Bool) -> Bool {
    if folded && !isASCII(text) { return hasPrefix(text.lowercased(), needle, folded: false) }
    var iterator = text.utf8.makeIterator()
    for expected in needle {
      guard let byte = iterator.next() else { return false }
      if (folded ? lowerASCII(byte) : byte) != expected { return false }
    }
    return true
  }

  static func hasSuffix(_ text: String, _ needle: [UInt8], folded: Bool) -> Bool {
    if folded && !isASCII(text) { return hasSuffix(text.lowercased(), needle, folded: false) }
    let utf8 = text.utf8
    guard utf8.count >= needle.count else { return false }
    var index = utf8.index(utf8.endIndex, offsetBy: -needle.count)
    for expected in needle {
      let byte = utf8[index]
      if (folded ? lowerASCII(byte) : byte) != expected { return false }
      index = utf8.index(after: index)
    }
    return true
  }

}
