import NetFilterSema

/// Many expressions compiled for one event type against one key space: the conditions of a rule
/// set, or the steps of sequences. Fields are resolved once for all of them, so an event that
/// extracts ``keys`` when it is built (JSON lines) serves every expression.
///
/// Operands that name an earlier sequence step (`$e1.ps.name`) read ``bound``: the caller fills
/// its ``BoundValues/values`` before testing an expression that has such operands
/// (``boundSlots(of:)``). A set with bound operands is therefore used by one thread at a time.
public struct ProgramSet<E: Event>: Sendable {
  /// The fields the expressions read, in ``FieldKey/id`` order.
  public let keys: [FieldKey]
  /// What the fields the expressions read cost the event source.
  public let needs: FieldNeeds
  /// The values `$alias.field` operands read.
  public let bound: BoundValues
  private let predicates: [Predicate<E>]
  private let slots: [[Int]]
  /// Readers of the fields given as `reading`, in order.
  public let fieldReaders: [@Sendable (E) -> FieldValue]

  /// Compiles `expressions`, and readers of `fields` (``read(_:_:)``, for indexes over them); bare
  /// event names are tested with `schema`'s `evt.kinds` and `evt.name`.
  public init(_ expressions: [CheckedExpr], reading fields: [FieldBinding] = [], schema: Schema = .network) {
    let bound = BoundValues()
    var planner = Planner<E>(schema: schema, bound: bound)
    fieldReaders = fields.map { planner.field($0) }
    var predicates: [Predicate<E>] = []
    var slots: [[Int]] = []
    predicates.reserveCapacity(expressions.count)
    for expression in expressions {
      let before = bound.slots.count
      predicates.append(planner.plan(expression))
      slots.append(bound.slots(usedBy: expression, firstNew: before))
    }
    self.predicates = predicates
    self.slots = slots
    self.bound = bound
    keys = planner.keys
    needs = planner.needs
  }

  /// How many expressions the set holds.
  public var count: Int { predicates.count }

  /// Whether `event` matches expression `index`.
  @inline(__always)
  public func matches(_ index: Int, _ event: E) -> Bool { predicates[index](event) }

  /// The value of the `index`th field of `reading` in `event`.
  @inline(__always)
  public func read(_ index: Int, _ event: E) -> FieldValue { fieldReaders[index](event) }

  /// The ``BoundValues`` slots expression `index` reads.
  public func boundSlots(of index: Int) -> [Int] { slots[index] }
}

/// The values of `$alias.field` operands while one sequence instance is tested: slot `i` holds
/// the value of ``slots``[i] in the event that filled the aliased step.
public final class BoundValues: @unchecked Sendable {
  /// Each slot's alias and field, in the order the planner met them.
  public private(set) var slots: [(alias: String, field: FieldBinding)] = []
  /// Each slot's current value (``FieldValue/missing`` until the caller sets it).
  public var values: [FieldValue] = []

  /// The slot of `$alias.binding`, registering it on first use.
  func slot(alias: String, _ binding: FieldBinding) -> Int {
    if let index = slots.firstIndex(where: { $0.alias == alias && $0.field == binding }) { return index }
    slots.append((alias, binding))
    values.append(.missing)
    return slots.count - 1
  }

  /// The slots `expression` reads: those its planning registered, plus earlier ones it names too.
  func slots(usedBy expression: CheckedExpr, firstNew: Int) -> [Int] {
    let named = expression.boundFields
    return slots.indices.filter { index in
      index >= firstNew || named.contains { $0.alias == slots[index].alias && $0.field == slots[index].field }
    }
  }
}

extension CheckedExpr {
  /// Every `$alias.field` operand in the expression (sequence steps).
  public var boundFields: [(alias: String, field: FieldBinding)] {
    switch self {
    case .constant, .event: return []
    case .and(let parts), .or(let parts): return parts.flatMap(\.boundFields)
    case .not(let inner): return inner.boundFields
    case .comparison(let comparison): return comparison.lhs.boundFields + comparison.rhs.boundFields
    case .truth(let operand): return operand.boundFields
    }
  }
}

extension Operand {
  /// Every `$alias.field` in the operand.
  public var boundFields: [(alias: String, field: FieldBinding)] {
    switch self {
    case .boundField(let alias, let field): return [(alias, field)]
    case .call(_, let arguments): return arguments.flatMap(\.boundFields)
    case .field, .value, .list: return []
    }
  }
}
