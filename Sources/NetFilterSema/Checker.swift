import NetFilterDiagnostics
import NetFilterSyntax

/// The result of checking: a typed filter when there were no errors, and every diagnostic.
public struct CheckResult: Sendable {
  /// The typed filter; `nil` if any error was reported.
  public var filter: CheckedFilter?
  /// Errors and warnings, in the order found.
  public var diagnostics: [Diagnostic]
}

/// Resolves names an expression may use besides fields: macros, for now.
public protocol NameResolver: Sendable {
  /// The expression a macro named `name` stands for, already parsed, or `nil` if there is none.
  func expression(named name: String) -> Expr?
  /// The items of a list macro named `name`, or `nil` if there is none.
  func list(named name: String) -> Expr?
}

/// Binds a parsed filter to a ``Schema`` and checks every operator, literal and call against the
/// operator-by-type rules. An operand that already has an error gets the type `error`, which is
/// accepted everywhere, so one mistake is reported once.
///
/// Macros are expanded as they are met, and the ``Limits`` hold for the expanded tree: it may nest
/// at most `maxNestingDepth` conditions deep and have at most `maxInputLength` conditions and list
/// items, and a list macro at most `maxListItems` items. Crossing a limit is reported once
/// (`limits.*`) and stops the check, so neither a long chain of macros nor one that names another
/// many times can exhaust the stack or the memory.
public struct Checker {
  let schema: Schema
  let resolver: (any NameResolver)?
  let limits: Limits
  var diagnostics: [Diagnostic] = []
  /// Sequence aliases declared by the steps checked so far.
  var aliases: Set<String> = []
  /// Macro names being expanded, to catch cycles.
  var expanding: [String] = []
  /// How many conditions deep the check is, counting the levels of expanded macros.
  var depth = 0
  /// Conditions and list-macro items checked so far: the size of the expanded tree.
  var size = 0
  /// Set once a limit is crossed: everything after is skipped quietly.
  var aborted = false

  /// Creates a checker.
  public init(schema: Schema, resolver: (any NameResolver)? = nil, limits: Limits = .default) {
    self.schema = schema
    self.resolver = resolver
    self.limits = limits
  }

  /// Checks a parsed filter.
  public static func check(
    _ syntax: FilterSyntax,
    schema: Schema,
    resolver: (any NameResolver)? = nil,
    limits: Limits = .default
  ) -> CheckResult {
    var checker = Checker(schema: schema, resolver: resolver, limits: limits)
    let filter: CheckedFilter
    switch syntax {
    case .expression(let expr):
      let checked = checker.condition(expr)
      if case .constant(let value) = checked, !checker.diagnostics.containsErrors {
        checker.report(.alwaysConstant(value), expr.range)
      }
      filter = .expression(checked)
    case .sequence(let sequence):
      filter = .sequence(checker.checkSequence(sequence))
    }
    let failed = checker.diagnostics.containsErrors
    return CheckResult(filter: failed ? nil : filter, diagnostics: checker.diagnostics)
  }

  mutating func report(_ message: SemaMessage, _ range: SourceRange, notes: [Note] = [], fixIts: [FixIt] = []) {
    diagnostics.append(message.diagnostic(at: range, notes: notes, fixIts: fixIts), limit: limits.maxDiagnostics)
  }

  /// Reports a crossed limit and stops the check.
  mutating func abort(_ message: SyntaxMessage, _ range: SourceRange) {
    diagnostics.append(message.diagnostic(at: range), limit: limits.maxDiagnostics)
    aborted = true
  }

  /// Counts `nodes` more nodes of the expanded tree; `false` (after reporting) past the limit.
  mutating func grow(by nodes: Int, at range: SourceRange) -> Bool {
    guard !aborted else { return false }
    size += nodes
    guard size <= limits.maxInputLength else {
      abort(.expansionTooLarge(limit: limits.maxInputLength), range)
      return false
    }
    return true
  }

  // MARK: Conditions

  /// Checks an expression in a boolean position.
  mutating func condition(_ expr: Expr) -> CheckedExpr {
    guard grow(by: 1, at: expr.range) else { return .constant(false) }
    guard depth < limits.maxNestingDepth else {
      abort(.nestingTooDeep(limit: limits.maxNestingDepth), expr.range)
      return .constant(false)
    }
    depth += 1
    defer { depth -= 1 }
    switch expr.kind {
    case .logical(.and, let operands): return .and(operands.map { condition($0) })
    case .logical(.or, let operands): return .or(operands.map { condition($0) })
    case .not(let operand):
      if let message = nonCondition(operand) {
        report(.notRequiresCondition(found: message), operand.range)
        return .constant(false)
      }
      return .not(condition(operand))
    case .comparison(let op, let negated, let lhs, let rhs):
      return comparison(op, negated: negated, lhs, rhs, range: expr.range)
    case .tracee(let tracee):
      return traceeComparison(tracee, range: expr.range)
    case .literal(.bool(let value)):
      return .constant(value)
    case .missing:
      return .constant(false)
    case .field(let reference):
      return fieldCondition(reference, range: expr.range)
    default:
      if let message = nonCondition(expr) {
        report(.conditionExpected(found: message), expr.range)
        return .constant(false)
      }
      guard let operand = operand(expr) else { return .constant(false) }
      return .truth(operand)
    }
  }

  /// A bare name in a boolean position: an event name, an expression macro, or a boolean field.
  /// The name is looked up once; `nonCondition` repeats these lookups only for `not`'s operand.
  private mutating func fieldCondition(_ reference: FieldReference, range: SourceRange) -> CheckedExpr {
    if reference.argument == nil {
      if schema.eventNames.contains(reference.name) { return .event(reference.name) }
      if let macro = resolver?.expression(named: reference.name) {
        return expandMacro(reference.name, macro, at: range)
      }
      if resolver?.list(named: reference.name) != nil {
        report(
          .conditionExpected(found: "list macro '\(reference.name)'"),
          range,
          notes: [
            Note("use a list on the right of 'in' or another list operator, such as net.dport in \(reference.name)")
          ]
        )
        return .constant(false)
      }
    }
    guard let descriptor = schema.field(named: reference.name) else {
      _ = resolveField(reference, range: range)  // reports the unknown name
      return .constant(false)
    }
    guard descriptor.type == .bool else {
      let type = FieldBinding(descriptor, argument: reference.argument).type
      report(
        .conditionExpected(found: "'\(reference.text)' (\(type))"),
        range,
        notes: [Note("compare it with a value, such as \(reference.text) = …")]
      )
      return .constant(false)
    }
    guard let binding = bindField(descriptor, reference, range: range) else { return .constant(false) }
    return .truth(.field(binding))
  }

  /// Why `expr` cannot stand as a condition, or `nil` if it can (or its error is reported elsewhere).
  mutating func nonCondition(_ expr: Expr) -> String? {
    switch expr.kind {
    case .logical, .not, .comparison, .tracee, .missing, .literal(.bool): return nil
    case .field(let reference) where reference.argument == nil && schema.eventNames.contains(reference.name):
      return nil
    case .field(let reference) where reference.argument == nil && resolver?.expression(named: reference.name) != nil:
      return nil
    case .field(let reference) where reference.argument == nil && resolver?.list(named: reference.name) != nil:
      return "list macro '\(reference.name)'"
    case .field(let reference):
      guard let binding = resolveFieldQuietly(reference), binding.type.value != .bool else { return nil }
      return "'\(reference.text)' (\(binding.type))"
    case .call(let name, _):
      guard let function = FunctionDescriptor.Name(rawValue: name) else { return nil }
      let type = FunctionTable.returnType(function, [])
      return type.value == .bool ? nil : "'\(name)(…)' (\(type))"
    case .boundVariable: return nil
    default: return describeLiteral(expr)
    }
  }

  /// Expands an expression macro as a parenthesized subexpression, catching cycles.
  mutating func expandMacro(_ name: String, _ body: Expr, at range: SourceRange) -> CheckedExpr {
    if expanding.contains(name) {
      report(.macroCycle(name: name, cycle: (expanding + [name]).joined(separator: " -> ")), range)
      return .constant(false)
    }
    expanding.append(name)
    defer { expanding.removeLast() }
    let start = diagnostics.count
    let checked = condition(body)
    relocateDiagnostics(from: start, to: range, note: "in macro '\(name)'")
    return checked
  }

  /// Checks a list macro on the right of a list operator, like the list it stands for.
  mutating func expandList(_ name: String, _ list: Expr, _ context: CoercionContext, at range: SourceRange)
    -> (ComparisonOperator, Operand)?
  {
    let items = if case .list(let items) = list.kind { items.count } else { 1 }
    guard grow(by: items, at: range) else { return nil }
    guard items <= limits.maxListItems else {
      abort(.listTooLong(limit: limits.maxListItems), range)
      return nil
    }
    let start = diagnostics.count
    let result = rightOperand(list, context)
    relocateDiagnostics(from: start, to: range, note: "in list '\(name)'")
    return result
  }

  /// Points the diagnostics found since `start` (inside a macro, whose ranges are offsets into the
  /// macro's own text) at the macro's use in this filter; fix-its and note positions would edit the
  /// wrong text, so they go.
  private mutating func relocateDiagnostics(from start: Int, to range: SourceRange, note: String) {
    for index in start..<diagnostics.count {
      var notes = diagnostics[index].notes.map { Note($0.message) }
      // Past a few levels, keep the macro the filter names and the innermost ones.
      if notes.count >= Self.maxMacroNotes, notes.prefix(2).allSatisfy(\.message.isMacroNote) { notes.remove(at: 1) }
      diagnostics[index].notes = [Note(note)] + notes
      diagnostics[index].fixIts = []
      diagnostics[index].range = range
    }
  }

  /// The most "in macro" notes one diagnostic carries.
  static let maxMacroNotes = 8
}

extension String {
  /// Whether a note says which macro or list a diagnostic was found in.
  fileprivate var isMacroNote: Bool { hasPrefix("in macro '") || hasPrefix("in list '") }
}
