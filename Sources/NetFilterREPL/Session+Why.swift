import NetFilter

extension Session {
  /// `:why K`: each top-level operand of the last filter (split at its outermost `and` or `or`)
  /// with whether it holds for event K; `missing` when it is false because a field it reads is
  /// missing from the event.
  func why(_ index: Int) -> Reply {
    guard let sample else { return .error("no sample loaded: :load FILE (or start with --pcap/--input)") }
    guard let last else { return .error(":why explains the last filter: evaluate one first") }
    guard index <= sample.events.count else {
      return .error("event \(index) is out of range: the sample has \(sample.events.count) events")
    }
    guard case .expression(let root) = last.filter.syntax else {
      return .error(":why explains plain expressions, not sequences")
    }
    let operands: [Expr]
    var connective = ""
    if case .logical(let op, let items) = root.kind {
      operands = items
      connective = "\(op)"
    } else {
      operands = [root]
    }
    let matched = last.matches.contains(index - 1)
    var lines = ["event \(index) \(matched ? "matches" : "does not match"): \(last.filter.canonicalSource)"]
    if !connective.isEmpty { lines.append("operands of the top-level '\(connective)':") }
    for operand in operands {
      let text = Printer.print(operand)
      lines.append(verdict(text, on: index - 1, in: sample))
    }
    return .text(lines.joined(separator: "\n"))
  }

  private func verdict(_ text: String, on index: Int, in sample: Sample) -> String {
    guard let filter = try? environment.compile(text), case .expression(let expression) = filter.checked else {
      return "  ?        \(text)"
    }
    if sample.matches(expression, event: index, schema: environment.schema) { return "  true     \(text)" }
    let absent = fieldNames(in: text).filter { name in
      guard let field = environment.schema.field(named: name) else { return false }
      return sample.events[index].lookup(FieldBinding(field)) == .missing
    }
    if absent.isEmpty { return "  false    \(text)" }
    return "  missing  \(text)    (the event has no \(absent.joined(separator: ", ")))"
  }

  /// The schema fields a filter text names.
  private func fieldNames(in text: String) -> [String] {
    var names: [String] = []
    for token in ExpressionContext.tokens(text) {
      if case .identifier(let name) = token.kind, environment.schema.field(named: name) != nil, !names.contains(name) {
        names.append(name)
      }
    }
    return names
  }
}
