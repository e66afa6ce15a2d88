import NetFilterDiagnostics
import NetFilterSema

/// A compiled test on one event.
public typealias Predicate<E> = @Sendable (E) -> Bool

/// Why a checked filter cannot be planned.
public struct PlanError: Error, Sendable, CustomStringConvertible {
  /// What is not supported.
  public let message: String

  public var description: String { message }
}

/// A filter compiled once into closures for one event type.
///
/// Constant lists are sets, CIDR lists are prefix tables, patterns and regular expressions are
/// compiled, and every field is resolved to a ``FieldKey``: evaluating typical predicates allocates
/// nothing. A program is immutable and may be shared between threads.
public struct Program<E: Event>: Sendable {
  /// The fields the program reads, in ``FieldKey/id`` order.
  public let fields: [FieldBinding]
  /// The keys of ``fields``, as the program passes them to ``Event/value(of:)``.
  public let keys: [FieldKey]
  private let root: Predicate<E>

  /// Compiles a checked expression.
  public init(_ expression: CheckedExpr) {
    var planner = Planner<E>()
    root = planner.plan(expression)
    keys = planner.keys
    fields = planner.keys.map(\.binding)
  }

  /// Compiles a checked filter; sequences are not evaluated yet.
  public init(_ filter: CheckedFilter) throws(PlanError) {
    guard case .expression(let expression) = filter else {
      throw PlanError(message: "sequence rules are checked but not evaluated yet; use a plain expression")
    }
    self.init(expression)
  }

  /// Whether `event` matches the filter.
  @inline(__always)
  public func matches(_ event: E) -> Bool { root(event) }
}
