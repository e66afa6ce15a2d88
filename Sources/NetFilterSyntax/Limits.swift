/// Bounds on untrusted filter text. Crossing one is a diagnostic, never a crash.
///
/// The length, nesting and list limits also hold for the tree the checker builds once macros are
/// expanded: nesting counts the levels of the expanded tree, each list macro is a list, and the
/// expanded tree may have no more conditions and list items than ``maxInputLength`` (a filter
/// within the length limit never has more nodes than bytes).
public struct Limits: Sendable, Hashable {
  /// The longest accepted input, in UTF-8 bytes; also the most conditions and list items the
  /// tree may have once macros are expanded.
  public var maxInputLength: Int
  /// How deeply parentheses, `not`, lists, calls and expanded macros may nest.
  public var maxNestingDepth: Int
  /// The most items one list literal (or list macro) may have.
  public var maxListItems: Int
  /// The most arguments one function call may have.
  public var maxArguments: Int
  /// The most diagnostics one check reports; past it, one `limits.tooManyDiagnostics` note says
  /// that checking stopped.
  public var maxDiagnostics: Int

  /// Creates limits.
  public init(
    maxInputLength: Int,
    maxNestingDepth: Int,
    maxListItems: Int,
    maxArguments: Int,
    maxDiagnostics: Int = 100
  ) {
    self.maxInputLength = maxInputLength
    self.maxNestingDepth = maxNestingDepth
    self.maxListItems = maxListItems
    self.maxArguments = maxArguments
    self.maxDiagnostics = maxDiagnostics
  }

  /// 100,000 bytes, 256 levels, 16,384 list items, 32 call arguments and 100 diagnostics.
  public static let `default` = Limits(
    maxInputLength: 100_000,
    maxNestingDepth: 256,
    maxListItems: 16_384,
    maxArguments: 32,
    maxDiagnostics: 100
  )
}
