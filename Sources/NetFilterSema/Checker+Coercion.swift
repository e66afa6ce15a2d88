import NetFilterDiagnostics
import NetFilterSyntax

extension Checker {
  /// Types a literal (or range) on the right of a comparison by the left side it meets:
  /// `net.dip = '8.8.8.8'` is an address, `net.dport = 'http'` is an error.
  mutating func coerce(_ expr: Expr, _ context: CoercionContext, inList: Bool) -> ListItem? {
    switch expr.kind {
    case .range(let low, let high):
      return coerceRange(low, high, expr.range, context, inList: inList)
    case .literal(let literal):
      guard let value = coerceLiteral(literal, expr, context, inList: inList) else { return nil }
      return .value(value)
    default:
      report(.listItemNotLiteral, expr.range)
      return nil
    }
  }

  private mutating func coerceRange(
    _ low: Expr,
    _ high: Expr,
    _ range: SourceRange,
    _ context: CoercionContext,
    inList: Bool
  )
    -> ListItem?
  {
    let target = context.lhs.type.value
    guard inList, context.op == .in, target.isInteger || target == .ip else {
      report(
        .cannotCompare(op: context.spelling, lhs: context.lhsText, rhs: "a range"),
        range,
        notes: [Note("ranges are for integer and address fields inside 'in (…)'")]
      )
      return nil
    }
    guard case .value(let lowValue)? = coerce(low, context, inList: false),
      case .value(let highValue)? = coerce(high, context, inList: false)
    else { return nil }
    switch (lowValue, highValue) {
    case (.uint(let a), .uint(let b)) where a > b: break
    case (.ip(let a), .ip(let b)):
      // IPv4-mapped ends stand for IPv4 addresses when both ends are then IPv4.
      let (low, high) = (a.unmappedV4 ?? a, b.unmappedV4 ?? b)
      if low.family == high.family, low <= high { return .range(.ip(low), .ip(high)) }
      if low.family != high.family, a.family == b.family, a <= b { return .range(lowValue, highValue) }
      report(.invalidRange("\(lowValue)..\(highValue)", mixedFamilies: low.family != high.family), range)
      return nil
    default: return .range(lowValue, highValue)
    }
    report(.invalidRange("\(lowValue)..\(highValue)"), range)
    return nil
  }

  private mutating func coerceLiteral(_ literal: Literal, _ expr: Expr, _ context: CoercionContext, inList: Bool)
    -> Value?
  {
    let target = context.lhs.type.value
    let family = context.op.info.family
    if target == .error { return naturalValue(literal, range: expr.range) }
    if [.substring, .glob, .fuzzy, .intersects].contains(family) || context.op == .iin {
      return textual(literal, expr, context)
    }
    switch target {
    case .ip: return address(literal, expr, context, inList: inList)
    case .uint8, .uint16, .uint32, .uint64, .int: return integer(literal, expr, context, target)
    case .double:
      switch literal {
      case .integer(let value): return .double(Double(value))
      case .decimal(let value): return .double(value)
      default: return mismatch(expr, context)
      }
    case .string:
      switch literal {
      case .string(let string): return allowed(string.value, expr, context)
      case .bareWord(let word): return allowed(word, expr, context)
      // An unquoted address meeting an enumeration (`evt.name = 8.8.8.8`) is checked like a string.
      case .ip(let ip): return allowed(ip.description, expr, context)
      default: return mismatch(expr, context)
      }
    case .bool:
      switch literal {
      case .bool(let value): return .bool(value)
      case .bareWord("true"), .bareWord("1"): return .bool(true)
      case .bareWord("false"), .bareWord("0"): return .bool(false)
      default: return mismatch(expr, context)
      }
    default:
      return mismatch(expr, context)
    }
  }

  /// Strings for the substring, glob, fuzzy and intersects operators.
  private mutating func textual(_ literal: Literal, _ expr: Expr, _ context: CoercionContext) -> Value? {
    let glob = context.op.info.family == .glob
    switch literal {
    case .string(let string): return glob ? .pattern(string) : allowed(string.value, expr, context)
    case .bareWord(let word): return glob ? .pattern(StringLiteral(word)) : .string(word)
    case .ip(let ip): return .string(ip.description)
    default: return mismatch(expr, context)
    }
  }

  private mutating func address(_ literal: Literal, _ expr: Expr, _ context: CoercionContext, inList: Bool) -> Value? {
    let membership = inList && context.op == .in
    switch literal {
    case .ip(let ip): return .ip(ip)
    case .cidr(let cidr) where membership: return .cidr(cidr.unmappedV4 ?? cidr)
    case .string, .bareWord:
      let text = Self.text(of: literal)
      if let ip = IPAddress(text) { return .ip(ip) }
      if membership, let cidr = CIDR(text) { return .cidr(cidr.unmappedV4 ?? cidr) }
      if membership, text.utf8.contains(UInt8(ascii: "/")) {
        report(.invalidCIDR(text), expr.range)
        return nil
      }
      let field = context.lhsExpr.text
      var notes = text.contains("/") && !membership ? [Note("to test a CIDR, write '\(field) in (\(text))'")] : []
      if IPAddress.hasLeadingZeroOctet(text) { notes.append(Lexer.leadingZeroNote) }
      report(.invalidIPAddress(text, field: field), expr.range, notes: notes)
      return nil
    default:
      return mismatch(expr, context)
    }
  }

  static func text(of literal: Literal) -> String {
    switch literal {
    case .string(let string): string.value
    case .bareWord(let word): word
    default: Printer.print(literal)
    }
  }

  private mutating func integer(_ literal: Literal, _ expr: Expr, _ context: CoercionContext, _ target: ValueType)
    -> Value?
  {
    let value: UInt64
    switch literal {
    case .integer(let number): value = number
    case .bareWord(let word) where UInt64(word) != nil: value = UInt64(word)!
    default: return mismatch(expr, context)
    }
    guard let maximum = target.maximum, value <= maximum else {
      report(.integerOutOfRange(value: String(value), type: target.rawValue), expr.range)
      return nil
    }
    return .uint(value)
  }

  /// Checks a string against an enumeration field's values.
  private mutating func allowed(_ text: String, _ expr: Expr, _ context: CoercionContext) -> Value? {
    guard case .field(let field) = context.lhs, let values = field.descriptor.allowedValues,
      [.equality, .membership].contains(context.op.info.family)
    else { return .string(text) }
    let folded = context.op.info.caseInsensitive
    if values.contains(where: { folded ? $0.lowercased() == text.lowercased() : $0 == text }) { return .string(text) }
    let suggestion = values.first { $0.lowercased() == text.lowercased() } ?? closestWord(to: text, in: values)
    var notes = suggestionNotes(suggestion)
    if suggestion == nil {
      notes.append(Note("'\(field.descriptor.name)' takes one of: \(values.prefix(12).joined(separator: ", "))"))
    }
    report(
      .invalidValue(value: text, field: field.descriptor.name),
      expr.range,
      notes: notes,
      fixIts: suggestion.map { [FixIt("replace with '\($0)'", replacing: expr.range, with: "'\($0)'")] } ?? []
    )
    return nil
  }

  private mutating func mismatch(_ expr: Expr, _ context: CoercionContext) -> Value? {
    var notes: [Note] = []
    if case .literal(.string(let string)) = expr.kind, context.lhs.type.value.isInteger {
      if UInt64(string.value) != nil {
        notes.append(Note("write the number without quotes"))
      } else if case .field(let field) = context.lhs, schema.fields[field.descriptor.name + ".name"] != nil {
        notes.append(Note("to compare the service name, use '\(field.descriptor.name).name'"))
      }
    }
    report(
      .cannotCompare(op: context.spelling, lhs: context.lhsText, rhs: describeLiteral(expr) ?? "this value"),
      expr.range,
      notes: notes
    )
    return nil
  }
}
