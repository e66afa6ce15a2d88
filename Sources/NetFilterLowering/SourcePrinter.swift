import NetFilterSema
import NetFilterSyntax

/// Prints a checked expression back as filter source, for residues and remarks.
///
/// The text checks to an equivalent expression: macros appear expanded, Tracee comparisons as the
/// event name AND the comparison (`net_packet_tcp and net_packet_tcp.data.dst_port = 80`), and
/// `net.dip = 10.0.0.0/8` as the membership test the checker made of it.
public enum SourcePrinter {
  /// The source text of `expr`.
  public static func print(_ expr: CheckedExpr) -> String { print(expr, context: 0) }

  /// `context` is the binding power of the enclosing operator: 1 `or`, 2 `and`, 3 `not`.
  private static func print(_ expr: CheckedExpr, context: Int) -> String {
    switch expr {
    case .constant(let value): return value ? "true" : "false"
    case .and(let operands):
      if operands.isEmpty { return "true" }
      let text = operands.map { print($0, context: 2) }.joined(separator: " and ")
      return context > 2 ? "(\(text))" : text
    case .or(let operands):
      if operands.isEmpty { return "false" }
      let text = operands.map { print($0, context: 1) }.joined(separator: " or ")
      return context > 1 ? "(\(text))" : text
    case .not(let operand): return "not " + print(operand, context: 3)
    case .event(let name): return name
    case .truth(let operand): return print(operand)
    case .comparison(let comparison):
      return print(comparison.lhs) + " " + comparison.op.spelling(negated: comparison.negated) + " "
        + print(comparison.rhs)
    }
  }

  /// The source text of an operand.
  public static func print(_ operand: Operand) -> String {
    switch operand {
    case .field(let binding): binding.description
    case .boundField(let alias, let binding): "$\(alias).\(binding)"
    case .value(let value): value.description
    case .list(let items): "(" + items.map(\.description).joined(separator: ", ") + ")"
    case .call(let name, let arguments): name.rawValue + "(" + arguments.map(print).joined(separator: ", ") + ")"
    }
  }
}
