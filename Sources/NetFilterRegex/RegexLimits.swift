/// Bounds on how much work one match may do, so that a pathological pattern such as `(a+)+$`
/// gives up instead of running for ever.
///
/// A match that reaches a limit counts as *no match*; ``Regex/limitHits`` records how often that
/// happened.
public struct RegexLimits: Sendable, Hashable {
  /// PCRE2's match limit: the most times its internal `match()` may be called (the interpreter) or
  /// the most backtracking steps (JIT) in one call to ``Regex/matches(_:)-(String)``.
  public var matchLimit: UInt32
  /// PCRE2's depth limit: the deepest backtracking nesting the interpreter may reach. The JIT
  /// ignores it; its own stack size bounds it instead.
  public var depthLimit: UInt32

  /// Creates limits; the defaults are those of ``default``.
  public init(matchLimit: UInt32 = 100_000, depthLimit: UInt32 = 10_000) {
    self.matchLimit = matchLimit
    self.depthLimit = depthLimit
  }

  /// A match limit of 100 000 and a depth limit of 10 000: ample for realistic filters, and small
  /// enough that a catastrophic pattern costs at most a few milliseconds per event.
  public static let `default` = RegexLimits()
}
