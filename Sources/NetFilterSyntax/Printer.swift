/// Prints syntax trees back to source text.
///
/// ``Printer/print(_:)-(Expr)`` gives the canonical form: lowercase keywords, single-quoted strings,
/// `!=` for negated equality, and only the parentheses precedence needs. Parsing the printed text
/// gives back the same tree (a property the tests check), so residues can be shown as real source.
public enum Printer {
  /// The canonical text of an expression.
  public static func print(_ expr: Expr) -> String {
    switch expr.kind {
    case .field(let field): fieldText(field)
    case .boundVariable(let name, let path): "$" + name + (path.map { "." + $0 } ?? "")
    case .literal(let literal): print(literal)
    case .list(let items): "(" + items.map(printItem).joined(separator: ", ") + ")"
    case .range(let low, let high): print(low) + ".." + print(high)
    case .call(let name, let arguments): name + "(" + arguments.map(printItem).joined(separator: ", ") + ")"
    case .not(let operand):
      // `not not a` needs no parentheses (they would double its nesting depth when parsed back).
      "not " + wrap(operand, if: precedence(operand) < 100 && precedence(operand) != Precedence.not)
    case .logical(let op, let operands):
      operands.map { wrap($0, if: precedence($0) <= op.precedence) }.joined(separator: " \(op.rawValue) ")
    case .comparison(let op, let negated, let lhs, let rhs):
      wrap(lhs, if: precedence(lhs) < op.info.precedence) + " \(op.spelling(negated: negated)) "
        + wrap(rhs, if: precedence(rhs) <= op.info.precedence)
    case .tracee(let tracee):
      fieldText(tracee.field) + tracee.op.spelling(negated: tracee.negated)
        + tracee.values.map(print).joined(separator: ",")
    case .missing: "<missing>"
    }
  }

  /// The canonical text of a filter: an expression, or a sequence on one line.
  public static func print(_ filter: FilterSyntax) -> String {
    switch filter {
    case .expression(let expr): return print(expr)
    case .sequence(let sequence):
      var parts = ["sequence"]
      if let maxSpan = sequence.maxSpan { parts.append("maxspan \(maxSpan.text)") }
      if !sequence.by.isEmpty { parts.append("by " + sequence.by.map(print).joined(separator: ", ")) }
      for step in sequence.steps {
        var text = "|" + print(step.expression) + "|"
        if !step.by.isEmpty { text += " by " + step.by.map(print).joined(separator: ", ") }
        if let alias = step.alias { text += " as \(alias)" }
        parts.append(text)
      }
      return parts.joined(separator: " ")
    }
  }

  /// The canonical text of a literal.
  public static func print(_ literal: Literal) -> String {
    switch literal {
    case .string(let string): quote(string)
    case .integer(let value): String(value)
    case .decimal(let value): decimalText(value)
    case .bool(let value): value ? "true" : "false"
    case .ip(let value): value.description
    case .cidr(let value): value.description
    case .duration(let value): value.text
    case .bareWord(let word): word
    }
  }

  /// A single-quoted string literal, escaping quotes, backslashes, control characters and the
  /// wildcards that were written escaped.
  public static func quote(_ string: StringLiteral) -> String {
    var out = "'"
    let escaped = Set(string.escapedWildcards)
    for (index, scalar) in string.value.unicodeScalars.enumerated() {
      switch scalar {
      case "'": out += "\\'"
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      case "*" where escaped.contains(index), "?" where escaped.contains(index):
        out += "\\" + String(scalar)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "'"
  }

  /// A list item or call argument. One that ends with a Tracee comparison is parenthesized: its
  /// values are comma-separated too (`f((x.data.y=1), 2)`).
  private static func printItem(_ expr: Expr) -> String {
    endsWithTracee(expr) ? "(" + print(expr) + ")" : print(expr)
  }

  private static func endsWithTracee(_ expr: Expr) -> Bool {
    switch expr.kind {
    case .tracee: true
    case .logical(_, let operands): operands.last.map(endsWithTracee) ?? false
    default: false
    }
  }

  /// A decimal in plain notation: `String(1e-05)` is `1e-05`, which is not a literal.
  static func decimalText(_ value: Double) -> String {
    let text = String(value)
    guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), let exponent = Int(text[text.index(after: e)...])
    else { return text }
    let mantissa = text[..<e]
    let point = mantissa.firstIndex(of: ".") ?? mantissa.endIndex
    var digits = String(mantissa[..<point]) + String(mantissa[point...].dropFirst())
    var pointPosition = mantissa.distance(from: mantissa.startIndex, to: point) + exponent
    if pointPosition <= 0 {
      digits = String(repeating: "0", count: 1 - pointPosition) + digits
      pointPosition = 1
    } else if pointPosition >= digits.count {
      digits += String(repeating: "0", count: pointPosition - digits.count + 1)
    }
    let integer = digits.prefix(pointPosition)
    var fraction = String(digits.dropFirst(pointPosition))
    while fraction.count > 1, fraction.hasSuffix("0") { fraction.removeLast() }
    return integer + "." + fraction
  }

  static func fieldText(_ field: FieldReference) -> String {
    guard let argument = field.argument else { return field.name }
    let plain =
      !argument.isEmpty
      && argument.utf8.allSatisfy { byte in
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
          || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
      }
    let first = argument.utf8.first ?? 0
    let startsWell =
      (first >= 0x30 && first <= 0x39) || (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A)
      || first == UInt8(ascii: "_")
    let allDigits = argument.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    let keyword = Keyword(rawValue: argument.lowercased()) != nil
    let asIs = plain && startsWell && !keyword && (allDigits || !(first >= 0x30 && first <= 0x39))
    return field.name + "[" + (asIs ? argument : quote(StringLiteral(argument))) + "]"
  }

  /// How tightly a node binds when printed: atoms 100, then the operator table.
  static func precedence(_ expr: Expr) -> Int {
    switch expr.kind {
    case .logical(let op, _): op.precedence
    case .not: Precedence.not
    case .comparison(let op, _, _, _): op.info.precedence
    case .tracee(let tracee): tracee.op.info.precedence
    case .range: 0
    default: 100
    }
  }

  private static func wrap(_ expr: Expr, if needed: Bool) -> String {
    needed ? "(" + print(expr) + ")" : print(expr)
  }
}
