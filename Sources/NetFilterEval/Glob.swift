import NetFilterSyntax

/// A whole-string glob: `*` matches any run of characters (including none), `?` exactly one;
/// `\*` and `\?` in the source are literal. Matching allocates nothing.
struct Glob: Sendable {
  enum Token: Sendable, Equatable {
    case scalar(Unicode.Scalar)
    case one
    case star
  }

  let tokens: [Token]
  let caseInsensitive: Bool
  /// Patterns of the shapes `text`, `text*`, `*text` and `*text*` are matched as bytes.
  private let shortcut: (kind: Shortcut, bytes: [UInt8])?

  enum Shortcut: Sendable { case exact, prefix, suffix, contains }

  init(_ literal: StringLiteral, caseInsensitive: Bool) {
    self.caseInsensitive = caseInsensitive
    let escaped = Set(literal.escapedWildcards)
    var tokens: [Token] = []
    for (offset, scalar) in literal.value.unicodeScalars.enumerated() {
      if escaped.contains(offset) {
        tokens.append(.scalar(Glob.fold(scalar, caseInsensitive)))
      } else if scalar == "*" {
        if tokens.last != .star { tokens.append(.star) }
      } else if scalar == "?" {
        tokens.append(.one)
      } else {
        tokens.append(.scalar(Glob.fold(scalar, caseInsensitive)))
      }
    }
    self.tokens = tokens
    shortcut = Glob.shortcut(tokens)
  }

  private static func shortcut(_ tokens: [Token]) -> (kind: Shortcut, bytes: [UInt8])? {
    let leading = tokens.first == .star
    let trailing = tokens.count > 1 && tokens.last == .star
    let middle = tokens.dropFirst(leading ? 1 : 0).dropLast(trailing ? 1 : 0)
    var text = String.UnicodeScalarView()
    for token in middle {
      guard case .scalar(let scalar) = token else { return nil }
      text.append(scalar)
    }
    let bytes = Array(String(text).utf8)
    switch (leading, trailing) {
    case (false, false): return (.exact, bytes)
    case (false, true): return (.prefix, bytes)
    case (true, false): return (.suffix, bytes)
    case (true, true): return (.contains, bytes)
    }
  }

  func matches(_ text: String) -> Bool {
    if let shortcut {
      switch shortcut.kind {
      case .exact:
        return caseInsensitive
          ? Text.equalsIgnoringCase(text, String(decoding: shortcut.bytes, as: UTF8.self))
          : text.utf8.elementsEqual(shortcut.bytes)
      case .prefix: return Text.hasPrefix(text, shortcut.bytes, folded: caseInsensitive)
      case .suffix: return Text.hasSuffix(text, shortcut.bytes, folded: caseInsensitive)
      case .contains: return Text.contains(text, shortcut.bytes, folded: caseInsensitive)
      }
    }
    return backtrack(text.unicodeScalars)
  }

  /// The classic single-star backtracking match: linear in practice, quadratic at worst.
  private func backtrack(_ scalars: String.UnicodeScalarView) -> Bool {
    var pattern = 0
    var index = scalars.startIndex
    var starPattern = -1
    var starIndex = scalars.startIndex
    while index != scalars.endIndex {
      if pattern < tokens.count, accepts(tokens[pattern], scalars[index]) {
        pattern += 1
        index = scalars.index(after: index)
      } else if pattern < tokens.count, tokens[pattern] == .star {
        starPattern = pattern
        starIndex = index
        pattern += 1
      } else if starPattern >= 0 {
        pattern = starPattern + 1
        starIndex = scalars.index(after: starIndex)
        index = starIndex
      } else {
        return false
      }
    }
    while pattern < tokens.count, tokens[pattern] == .star { pattern += 1 }
    return pattern == tokens.count
  }

  @inline(__always)
  private func accepts(_ token: Token, _ scalar: Unicode.Scalar) -> Bool {
    switch token {
    case .one: true
    case .star: false
    case .scalar(let expected): expected == Glob.fold(scalar, caseInsensitive)
    }
  }

  /// The lowercase form of a scalar when folding (ASCII by arithmetic, others by Unicode).
  @inline(__always)
  static func fold(_ scalar: Unicode.Scalar, _ caseInsensitive: Bool) -> Unicode.Scalar {
    guard caseInsensitive else { return scalar }
    if scalar.value < 0x80 {
      return scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(scalar.value | 0x20)! : scalar
    }
    return scalar.properties.lowercaseMapping.unicodeScalars.first ?? scalar
  }
}
