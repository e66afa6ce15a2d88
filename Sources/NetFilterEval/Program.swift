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
  /// What the fields the program reads cost the event source (from their accessors).
  public let needs: FieldNeeds
  private let root: Predicate<E>

  /// Compiles a checked expression; bare event names are tested with `schema`'s `evt.kinds` and
  /// `evt.name`.
  public init(_ expression: CheckedExpr, schema: Schema = .network) {
    var planner = Planner<E>(schema: schema)
    root = planner.plan(expression)
    keys = planner.keys
    needs = planner.needs
    fields = planner.keys.map(\.binding)
  }

  /// Compiles a checked filter; sequences are not evaluated yet.
  public init(_ filter: CheckedFilter, schema: Schema = .network) throws(PlanError) {
    guard case .expression(let expression) = filter else {
      throw PlanError(message: "sequence rules are checked but not evaluated yet; use a plain expression")
    }
    self.init(expression, schema: schema)
  }

  /// Whether `event` matches the filter.
  @inline(__always)
  public func matches(_ event: E) -> Bool { root(event) }
}
