import NetFilterDiagnostics
import NetFilterSyntax

extension Checker {
  /// Checks `lhs op rhs`.
  mutating func comparison(
    _ op: ComparisonOperator,
    negated: Bool,
    _ lhsExpr: Expr,
    _ rhsExpr: Expr,
    range: SourceRange
  ) -> CheckedExpr {
    var (op, lhsExpr, rhsExpr) = (op, lhsExpr, rhsExpr)
    if isConstant(lhsExpr), !isConstant(rhsExpr) {
      guard let swapped = Self.swapped(op) else {
        report(.constantComparison, lhsExpr.range, notes: [Note("put the field on the left of '\(op.rawValue)'")])
        return .constant(false)
      }
      (op, lhsExpr, rhsExpr) = (swapped, rhsExpr, lhsExpr)
    }
    if isConstant(lhsExpr) {
      report(.constantComparison, range)
      return .constant(false)
    }
    if Self.isCondition(lhsExpr) {
      return conditionComparison(op, negated: negated, lhsExpr, rhsExpr)
    }
    guard let lhs = operand(lhsExpr) else { return .constant(false) }
    let context = CoercionContext(op: op, negated: negated, lhs: lhs, lhsExpr: lhsExpr)
    guard let (finalOp, rhs) = rightOperand(rhsExpr, context) else { return .constant(false) }
    return .comparison(Comparison(op: finalOp, negated: negated, lhs: lhs, rhs: rhs, range: range))
  }

  /// Whether `expr` is a condition rather than a value.
  static func isCondition(_ expr: Expr) -> Bool {
    switch expr.kind {
    case .comparison, .logical, .not, .tracee: true
    default: false
    }
  }

  /// `x contains 'a' = true`, which Fibratus parses as `(x contains 'a') = true`: a condition
  /// compared with a boolean is the condition or its negation.
  private mutating func conditionComparison(_ op: ComparisonOperator, negated: Bool, _ lhsExpr: Expr, _ rhsExpr: Expr)
    -> CheckedExpr
  {
    let checked = condition(lhsExpr)
    guard op == .equal, case .literal(.bool(let value)) = rhsExpr.kind else {
      let rhs = describeLiteral(rhsExpr) ?? "'\(rhsExpr.text)'"
      report(
        .cannotCompare(op: op.spelling(negated: negated), lhs: "a condition", rhs: rhs),
        rhsExpr.range,
        notes: [Note("a condition can only be compared with true or false")]
      )
      return .constant(false)
    }
    return value != negated ? checked : .not(checked)
  }

  /// The operator with its sides exchanged, for `80 = net.dport`; `nil` if it has no mirror.
  static func swapped(_ op: ComparisonOperator) -> ComparisonOperator? {
    switch op {
    case .equal, .iequal: op
    case .less: .greater
    case .lessEqual: .greaterEqual
    case .greater: .less
    case .greaterEqual: .lessEqual
    default: nil
    }
  }

  func isConstant(_ expr: Expr) -> Bool {
    switch expr.kind {
    case .literal, .list, .range: true
    default: false
    }
  }

  /// Checks the right side against the left side's type, per the operator family.
  mutating func rightOperand(_ rhsExpr: Expr, _ context: CoercionContext) -> (ComparisonOperator, Operand)? {
    let op = context.op
    let lhsType = context.lhs.type
    guard checkLeftSide(context) else { return nil }
    switch rhsExpr.kind {
    case .list(let items):
      guard op.info.family != .equality, op.info.family != .ordering else {
        report(
          .cannotCompare(op: context.spelling, lhs: context.lhsText, rhs: "a list"),
          rhsExpr.range,
          notes: [Note("use 'in' to test membership in a list")]
        )
        return nil
      }
      let checked = items.compactMap { coerce($0, context, inList: true) }
      return checked.count == items.count ? (op, .list(checked)) : nil
    case .literal(.cidr(let cidr)) where op == .equal && lhsType.value == .ip:
      return (.in, .list([.value(.cidr(cidr.unmappedV4 ?? cidr))]))
    case .literal, .range:
      if op.info.family == .membership || op.info.family == .intersects {
        report(.listExpected(op: context.spelling, found: describeLiteral(rhsExpr) ?? "a value"), rhsExpr.range)
        return nil
      }
      guard let item = coerce(rhsExpr, context, inList: false), case .value(let value) = item else { return nil }
      return (op, .value(value))
    case .field(let reference) where reference.argument == nil:
      if let list = resolver?.list(named: reference.name) {
        return expandList(reference.name, list, context, at: rhsExpr.range)
      }
      fallthrough
    default:
      guard let rhs = operand(rhsExpr) else { return nil }
      return compatible(context, rhs, rhsExpr) ? (op, rhs) : nil
    }
  }

  /// Whether the left side's type suits the operator family.
  private mutating func checkLeftSide(_ context: CoercionContext) -> Bool {
    let type = context.lhs.type
    if type.value == .error { return true }
    let ok: Bool
    switch context.op.info.family {
    case .equality: ok = context.op == .equal || type.value == .string
    case .ordering: ok = type.value.isNumeric
    case .membership: ok = context.op == .in || type.value == .string
    case .substring, .glob, .fuzzy:
      ok = type.value == .string || (type.value == .ip && context.op.info.family != .fuzzy)
    case .intersects: ok = type.isMulti && type.value == .string
    }
    if !ok {
      if context.op.info.family == .intersects, !type.isMulti {
        report(.multiValuedRequired(op: context.spelling, field: context.lhsExpr.text), context.lhsExpr.range)
      } else {
        report(.cannotCompare(op: context.spelling, lhs: context.lhsText, rhs: "anything"), context.lhsExpr.range)
      }
    }
    return ok
  }

  /// Field-to-field (or call) comparisons: the value types must agree.
  private mutating func compatible(_ context: CoercionContext, _ rhs: Operand, _ rhsExpr: Expr) -> Bool {
    let left = context.lhs.type
    let right = rhs.type
    if left.value == .error || right.value == .error { return true }
    let family = context.op.info.family
    let sameKind = left.value == right.value || (left.value.isNumeric && right.value.isNumeric)
    let textual = [.substring, .glob, .fuzzy].contains(family) && right.value == .string
    let membership = family == .membership && right.isMulti && sameKind
    if (family == .equality || family == .ordering) && sameKind && !right.isMulti { return true }
    if textual || membership || (family == .intersects && right.isMulti && sameKind) { return true }
    report(
      .cannotCompare(op: context.spelling, lhs: context.lhsText, rhs: describeOperand(rhs, rhsExpr)),
      rhsExpr.range
    )
    return false
  }

  // MARK: Tracee comparisons

  /// `EVENT.data.ARG=v1,v2`: OR over the values (`!=`: none of them); `*` at either end of a value
  /// makes it a glob.
  mutating func traceeComparison(_ tracee: TraceeComparison, range: SourceRange) -> CheckedExpr {
    guard let field = resolveField(tracee.field, range: tracee.fieldRange) else { return .constant(false) }
    let lhsExpr = Expr(.field(tracee.field), range: tracee.fieldRange)
    let context = CoercionContext(op: tracee.op, negated: tracee.negated, lhs: .field(field), lhsExpr: lhsExpr)
    var plain: [ListItem] = []
    var patterns: [CheckedExpr] = []
    for value in tracee.values {
      if case .literal(.bareWord(let word)) = value.kind, word.utf8.contains(UInt8(ascii: "*")) {
        guard let pattern = traceePattern(word, field, value.range, op: tracee.op) else { continue }
        let comparison = Comparison(
          op: .matches,
          negated: false,
          lhs: .field(field),
          rhs: .value(pattern),
          range: value.range
        )
        patterns.append(.comparison(comparison))
      } else if let item = coerce(value, context, inList: false) {
        plain.append(item)
      }
    }
    var alternatives: [CheckedExpr] = patterns
    if plain.count == 1, case .value(let value) = plain[0] {
      let rhs = Operand.value(value)
      alternatives.insert(
        .comparison(Comparison(op: tracee.op, negated: false, lhs: .field(field), rhs: rhs, range: range)),
        at: 0
      )
    } else if !plain.isEmpty {
      let members: [CheckedExpr] =
        tracee.op == .equal
        ? [.comparison(Comparison(op: .in, negated: false, lhs: .field(field), rhs: .list(plain), range: range))]
        : plain.map {
          .comparison(Comparison(op: tracee.op, negated: false, lhs: .field(field), rhs: .list([$0]), range: range))
        }
      alternatives.insert(contentsOf: members, at: 0)
    }
    let combined: CheckedExpr = alternatives.count == 1 ? alternatives[0] : .or(alternatives)
    // Tracee's form means "events named EVENT whose argument compares so": the event scope stays
    // outside the negation, so `net_packet_dns.data.src!=8.8.8.8` selects DNS packets only.
    let event = String(tracee.field.name.prefix { $0 != "." })
    return .and([.event(event), tracee.negated ? .not(combined) : combined])
  }

  private mutating func traceePattern(
    _ word: String,
    _ field: FieldBinding,
    _ range: SourceRange,
    op: ComparisonOperator
  )
    -> Value?
  {
    guard field.type.value == .string || field.type.value == .ip, op == .equal else {
      report(.wildcardOnNonString(field: field.descriptor.name), range)
      return nil
    }
    if word.allSatisfy({ $0 == "*" }) {
      report(
        .invalidValue(value: word, field: field.descriptor.name),
        range,
        notes: [Note("a wildcard needs some text beside it")]
      )
      return nil
    }
    return .pattern(StringLiteral(word))
  }
}

/// What a literal is being coerced for: the operator and the left side.
struct CoercionContext {
  var op: ComparisonOperator
  var negated: Bool
  var lhs: Operand
  var lhsExpr: Expr

  /// The operator as written in messages.
  var spelling: String { op.spelling(negated: negated) }

  /// The left side as named in messages: "'net.dport' (uint16)".
  var lhsText: String { lhs.messageName ?? "\(lhs.type)" }
}

extension Operand {
  /// A field, bound field or call as named in messages, "'net.dport' (uint16)"; `nil` for a
  /// value or a list.
  var messageName: String? {
    switch self {
    case .field(let field): "'\(field)' (\(field.type))"
    case .boundField(let alias, let field): "'$\(alias).\(field)' (\(field.type))"
    case .call(let name, _): "'\(name.rawValue)(…)' (\(type))"
    case .value, .list: nil
    }
  }
}

extension Expr {
  /// The expression printed back, for messages.
  var text: String { Printer.print(self) }
}
