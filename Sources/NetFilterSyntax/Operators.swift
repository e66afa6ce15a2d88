/// The comparison and matching operators: the one table that says how each is spelled, how
/// tightly it binds and what family of semantics it has. Adding an operator adds a case and a row.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
  case equal = "="
  case iequal = "~="
  case less = "<"
  case lessEqual = "<="
  case greater = ">"
  case greaterEqual = ">="
  case `in`, iin, contains, icontains, startswith, istartswith, endswith, iendswith
  case matches, imatches, fuzzy, ifuzzy, fuzzynorm, ifuzzynorm, intersects, iintersects

  /// What kind of test an operator performs; the checker's type rules are keyed by family.
  public enum Family: Sendable, Hashable {
    /// `=`, `~=`: equality.
    case equality
    /// `<`, `<=`, `>`, `>=`: numeric order.
    case ordering
    /// `in`, `iin`: membership in a list.
    case membership
    /// `contains`, `startswith`, `endswith` and their `i` forms: substring tests.
    case substring
    /// `matches`, `imatches`: whole-string globs.
    case glob
    /// The `fuzzy` family: subsequence tests.
    case fuzzy
    /// `intersects`, `iintersects`: all right-hand items present.
    case intersects
  }

  /// One row of the operator table.
  public struct Info: Sendable {
    /// The operator family.
    public let family: Family
    /// Whether string comparison ignores case.
    public let caseInsensitive: Bool
    /// Binding power: comparisons bind at 4, the word operators at 5 (Fibratus's table).
    public let precedence: Int
  }

  /// The operator table.
  public var info: Info {
    switch self {
    case .equal: Info(family: .equality, caseInsensitive: false, precedence: 4)
    case .iequal: Info(family: .equality, caseInsensitive: true, precedence: 4)
    case .less, .lessEqual, .greater, .greaterEqual: Info(family: .ordering, caseInsensitive: false, precedence: 4)
    case .in: Info(family: .membership, caseInsensitive: false, precedence: 5)
    case .iin: Info(family: .membership, caseInsensitive: true, precedence: 5)
    case .contains, .startswith, .endswith: Info(family: .substring, caseInsensitive: false, precedence: 5)
    case .icontains, .istartswith, .iendswith: Info(family: .substring, caseInsensitive: true, precedence: 5)
    case .matches: Info(family: .glob, caseInsensitive: false, precedence: 5)
    case .imatches: Info(family: .glob, caseInsensitive: true, precedence: 5)
    case .fuzzy, .fuzzynorm: Info(family: .fuzzy, caseInsensitive: false, precedence: 5)
    case .ifuzzy, .ifuzzynorm: Info(family: .fuzzy, caseInsensitive: true, precedence: 5)
    case .intersects: Info(family: .intersects, caseInsensitive: false, precedence: 5)
    case .iintersects: Info(family: .intersects, caseInsensitive: true, precedence: 5)
    }
  }

  /// How the printer spells the operator, and its negated spelling.
  public func spelling(negated: Bool) -> String {
    switch (self, negated) {
    case (.equal, true): "!="
    case (_, true): "not \(rawValue)"
    default: rawValue
    }
  }

  /// The operator a token stands for, and whether the token itself negates (`!=`, `<>`).
  static func from(_ kind: Token.Kind) -> (ComparisonOperator, negated: Bool)? {
    switch kind {
    case .punctuation(.equal), .punctuation(.equalEqual): (.equal, false)
    case .punctuation(.bangEqual), .punctuation(.lessGreater): (.equal, true)
    case .punctuation(.tildeEqual): (.iequal, false)
    case .punctuation(.less): (.less, false)
    case .punctuation(.lessEqual): (.lessEqual, false)
    case .punctuation(.greater): (.greater, false)
    case .punctuation(.greaterEqual): (.greaterEqual, false)
    case .keyword(let keyword): ComparisonOperator(rawValue: keyword.rawValue).map { ($0, false) }
    default: nil
    }
  }
}

/// The logical connectives.
public enum LogicalOperator: String, Sendable, Hashable {
  case and, or

  /// `or` binds at 1, `and` at 2.
  public var precedence: Int { self == .or ? 1 : 2 }

  static func from(_ kind: Token.Kind) -> LogicalOperator? {
    switch kind {
    case .keyword(.and), .punctuation(.ampAmp): .and
    case .keyword(.or), .punctuation(.pipePipe): .or
    default: nil
    }
  }
}

/// Binding powers used by the Pratt parser, lowest first. `Grammar/precedence.md` mirrors this.
public enum Precedence {
  /// `or`, `||`.
  public static let or = 1
  /// `and`, `&&`.
  public static let and = 2
  /// Prefix `not`, `!`: binds looser than comparisons, so `not a = 1` is `not (a = 1)`.
  public static let not = 3
  /// `= != <> ~= < <= > >=`.
  public static let comparison = 4
  /// `in`, `contains`, `matches` and the other word operators.
  public static let membership = 5
}
