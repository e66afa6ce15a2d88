import NetFilterDiagnostics
import NetFilterLowering
import NetFilterSema
import NetFilterSyntax

/// What the kernel plan adds so that DNS replies reach the name cache: nothing unless the run looks
/// names up (its filter reads `net.sip.names`/`net.dip.names`, or `--names` asks for them). Which
/// names an event has is decided in user space; the kernel only lets the replies through.
public enum NameKernelFeed {
  /// The packets that may be DNS replies, as the kernel can tell them: every arriving UDP datagram
  /// (DNS is recognised on any port by its content, which the plan cannot read) and TCP from the
  /// DNS ports.
  static let source = "(net_packet_udp and net.direction = 'ingress') or (net_packet_tcp and net.sport in (53, 5353))"

  /// The expressions to lower beside the filters of a pipeline whose filter or rules read names
  /// (`readsNames`): one when names are looked up, else none.
  public static func expressions(readsNames: Bool, options: NameOptions, schema: Schema) -> [CheckedExpr] {
    guard options.isActive(for: readsNames), let feed = replies(schema) else { return [] }
    return [feed]
  }

  /// The lines `check --explain` adds for a filter that reads names; nil for one that does not.
  public static func explanation(for filter: CheckedFilter, schema: Schema) -> String? {
    guard filter.readsNames, let feed = replies(schema) else { return nil }
    let clauses = KernelPlan.lower([feed]).clauses.map { "    " + $0.constraints.joined(separator: " and ") }
    return
      ([
        "names: net.sip.names and net.dip.names are decided in user space, from the DNS replies the run sees",
        "  (a bounded cache on the events' clock); the kernel also lets the replies through to it:",
      ]
      + clauses).joined(separator: "\n") + "\n"
  }

  private static func replies(_ schema: Schema) -> CheckedExpr? {
    guard let syntax = Parser.parse(SourceText(source, name: "<names>")).syntax,
      case .expression(let expression)? = Checker.check(syntax, schema: schema).filter
    else { return nil }
    return expression
  }
}

extension Pipeline {
  /// Whether the filter, or an enabled rule of the rule set, reads `net.sip.names` or `net.dip.names`.
  public var readsNames: Bool {
    ruleSet.map { $0.contains { $0.enabled && $0.condition.readsNames } } ?? filter.readsNames
  }
}

extension CheckedFilter {
  /// Whether the filter reads `net.sip.names` or `net.dip.names` anywhere.
  public var readsNames: Bool {
    switch self {
    case .expression(let expression): expression.readsNames
    case .sequence(let sequence): sequence.steps.contains { $0.condition.readsNames }
    }
  }
}

extension CheckedExpr {
  var readsNames: Bool {
    switch self {
    case .constant, .event: false
    case .and(let parts), .or(let parts): parts.contains(where: \.readsNames)
    case .not(let inner): inner.readsNames
    case .comparison(let comparison): comparison.lhs.readsNames || comparison.rhs.readsNames
    case .truth(let operand): operand.readsNames
    }
  }
}

extension Operand {
  var readsNames: Bool {
    switch self {
    case .field(let binding), .boundField(_, let binding):
      binding.descriptor.name == "net.sip.names" || binding.descriptor.name == "net.dip.names"
    case .value, .list: false
    case .call(_, let arguments): arguments.contains(where: \.readsNames)
    }
  }
}
