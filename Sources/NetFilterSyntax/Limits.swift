/// Bounds on untrusted filter text. Crossing one is a diagnostic, never a crash.
public struct Limits: Sendable, Hashable {
  /// The longest accepted input, in UTF-8 bytes.
  public var maxInputLength: Int
  /// How deeply parentheses, `not`, lists and calls may nest.
  public var maxNestingDepth: Int
  /// The most items one list literal may have.
  public var maxListItems: Int
  /// The most arguments one function call may have.
  public var maxArguments: Int

  /// Creates limits.
  public init(maxInputLength: Int, maxNestingDepth: Int, maxListItems: Int, maxArguments: Int) {
    self.maxInputLength = maxInputLength
    self.maxNestingDepth = maxNestingDepth
    self.maxListItems = maxListItems
    self.maxArguments = maxArguments
  }

  /// 100,000 bytes, 256 levels, 16,384 list items and 32 call arguments.
  public static let `default` = Limits(
    maxInputLength: 100_000,
    maxNestingDepth: 256,
    maxListItems: 16_384,
    maxArguments: 32
  )
}
