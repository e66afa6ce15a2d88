import NetFilterDiagnostics
import NetFilterSyntax

extension Checker {
  /// Types an expression in a value position. Literals get their natural type here; comparisons
  /// coerce them to the field they meet instead (see `coerce`).
  mutating func operand(_ expr: Expr) -> Operand? {
    switch expr.kind {
    case .field(let reference):
      return resolveField(reference, range: expr.range).map { .field($0) }
    case .boundVariable(let name, let path):
      return boundField(name, path, range: expr.range)
    case .call(let name, let arguments):
      return call(name, arguments, range: expr.range)
    case .literal(let literal):
      return naturalValue(literal, range: expr.range).map { .value($0) }
    case .list(let items):
      let values = items.compactMap { item -> ListItem? in
        guard case .literal(let literal) = item.kind else {
          report(.listItemNotLiteral, item.range)
          return nil
        }
        return naturalValue(literal, range: item.range).map { .value($0) }
      }
      return values.count == items.count ? .list(values) : nil
    case .missing:
      return nil
    default:
      report(.conditionNotValue, expr.range)
      return nil
    }
  }

  /// The value of a literal on its own, before it meets a field.
  mutating func naturalValue(_ literal: Literal, range: SourceRange) -> Value? {
    switch literal {
    case .string(let string): return .string(string.value)
    case .bareWord(let word): return .string(word)
    case .integer(let value): return .uint(value)
    case .decimal(let value): return .double(value)
    case .bool(let value): return .bool(value)
    case .ip(let value): return .ip(value)
    case .cidr(let value): return .cidr(value)
    case .duration:
      report(.unexpectedDuration, range)
      return nil
    }
  }

  /// `$alias.field.path` inside a sequence step.
  mutating func boundField(_ name: String, _ path: String?, range: SourceRange) -> Operand? {
    guard aliases.contains(name) else {
      report(.boundVariableUnknown(name), range)
      return nil
    }
    guard let path else {
      report(
        .unknownField("$\(name)"),
        range,
        notes: [Note("name a field of the step's event, such as $\(name).ps.pid")]
      )
      return nil
    }
    let offset = name.utf8.count + 2
    let fieldRange = SourceRange(range.lowerBound + offset, range.upperBound)
    guard let binding = resolveField(FieldReference(name: path), range: fieldRange) else { return nil }
    return .boundField(alias: name, binding)
  }

  // MARK: Calls

  /// Checks a call against the function table.
  mutating func call(_ name: String, _ arguments: [Expr], range: SourceRange) -> Operand? {
    guard let function = FunctionDescriptor.Name(rawValue: name), let descriptor = FunctionTable.all[function] else {
      let suggestion = closestWord(to: name, in: FunctionDescriptor.Name.allCases.map(\.rawValue))
      let nameRange = SourceRange(range.lowerBound, range.lowerBound + name.utf8.count)
      report(
        .unknownFunction(name),
        nameRange,
        notes: suggestionNotes(suggestion),
        fixIts: suggestionFixIts(suggestion, nameRange)
      )
      return nil
    }
    guard checkArity(descriptor, arguments.count, range: range) else { return nil }
    var operands: [Operand] = []
    for (index, argument) in arguments.enumerated() {
      let kind = index < descriptor.parameters.count ? descriptor.parameters[index] : descriptor.variadic ?? .scalar
      guard let operand = callArgument(argument, kind: kind, descriptor, index: index + 1) else { return nil }
      operands.append(operand)
    }
    return .call(function, operands)
  }

  private mutating func checkArity(_ descriptor: FunctionDescriptor, _ count: Int, range: SourceRange) -> Bool {
    let name = descriptor.name.rawValue
    let oddCount = descriptor.name != .replace || count % 2 == 1
    if count >= descriptor.required, count <= descriptor.maximum, oddCount { return true }
    let expected: String
    if descriptor.name == .replace {
      expected = "an odd number (3, 5, …) of"
    } else if descriptor.variadic != nil {
      expected = "\(descriptor.required) to \(descriptor.maximum)"
    } else if descriptor.required == descriptor.maximum {
      expected = "\(descriptor.required)"
    } else {
      expected = "\(descriptor.required) or \(descriptor.maximum)"
    }
    report(.wrongArgumentCount(function: name, expected: expected, found: count), range)
    return false
  }

  private mutating func callArgument(
    _ argument: Expr,
    kind: ParameterKind,
    _ descriptor: FunctionDescriptor,
    index: Int
  )
    -> Operand?
  {
    let function = descriptor.name.rawValue
    func mismatch(_ found: String) -> Operand? {
      report(
        .badFunctionArgument(function: function, index: index, expected: kind.description, found: found),
        argument.range
      )
      return nil
    }
    switch (kind, argument.kind) {
    case (.stringLiteral, .literal(.string(let string))):
      return stringOption(string.value, descriptor, argument.range)
    case (.stringLiteral, _):
      return mismatch(describeLiteral(argument) ?? "an expression")
    case (.cidr, .literal(.cidr(let cidr))):
      return .value(.cidr(cidr.unmappedV4 ?? cidr))
    case (.cidr, .literal(.string(let string))):
      guard let cidr = CIDR(string.value) else {
        report(.invalidCIDR(string.value), argument.range)
        return nil
      }
      return .value(.cidr(cidr.unmappedV4 ?? cidr))
    case (.cidr, _):
      return mismatch(describeLiteral(argument) ?? "an expression")
    case (.ip, .literal(.string(let string))):
      guard let ip = IPAddress(string.value) else { return mismatch("string \(Printer.quote(string))") }
      return .value(.ip(ip))
    case (.bool, .literal(.bool(let value))):
      return .value(.bool(value))
    case (.bool, _):
      return mismatch(describeLiteral(argument) ?? "an expression")
    default:
      guard let operand = operand(argument) else { return nil }
      return accepts(kind, operand.type) ? operand : mismatch(describeOperand(operand, argument))
    }
  }

  private mutating func stringOption(_ value: String, _ descriptor: FunctionDescriptor, _ range: SourceRange)
    -> Operand?
  {
    if descriptor.name == .regex, let error = regexError(value) {
      report(.invalidRegex(pattern: value, message: error.message), range, notes: error.note)
      return nil
    }
    if let options = descriptor.options, !options.contains(value) {
      report(.badFunctionOption(function: descriptor.name.rawValue, value: value, allowed: options), range)
      return nil
    }
    return .value(.string(value))
  }

  private func accepts(_ kind: ParameterKind, _ type: ExprType) -> Bool {
    if type.value == .error { return true }
    switch kind {
    case .string: return !type.isMulti && type.value == .string
    case .stringOrList: return type.value == .string
    case .ip: return !type.isMulti && type.value == .ip
    case .integer: return !type.isMulti && type.value.isInteger
    case .scalar: return !type.isMulti && type.value != .list
    case .stringLiteral, .cidr, .bool: return false
    }
  }

  /// A phrase for messages: "'net.dport' (uint16)", "string 'a'".
  func describeOperand(_ operand: Operand, _ expr: Expr) -> String {
    if let literal = describeLiteral(expr) { return literal }
    if let name = operand.messageName { return name }
    if case .value(let value) = operand { return "\(value.valueType) \(value)" }
    return "a list"
  }
}
