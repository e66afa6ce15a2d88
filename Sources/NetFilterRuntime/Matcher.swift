import NetFilterEval

/// What a pipeline does with each event of type `E`: test one filter and write the event, or run
/// a rule set and write its findings.
enum Matcher<E: OutputEvent> {
  case filter(Program<E>)
  case rules(RuleMatcher<E>)

  /// What the fields read cost the source.
  var needs: FieldNeeds {
    switch self {
    case .filter(let program): program.needs
    case .rules(let matcher): matcher.needs
    }
  }

  /// The rule set's state, when the matcher runs rules (shared by every event type's matcher).
  var engine: RuleEngine? {
    if case .rules(let matcher) = self { matcher.engine } else { nil }
  }

  /// The fields read, for sources that extract them when they build an event (JSON lines).
  var keys: [FieldKey] {
    switch self {
    case .filter(let program): program.keys
    case .rules(let matcher): matcher.programs.keys
    }
  }

  /// Tests `event`, writing it (a filter) or the findings it completes (rules); whether it matched
  /// the filter or any rule's condition or step.
  @inline(__always)
  func handle(_ event: E, _ sink: EventSink, _ counters: inout PipelineCounters) throws(OutputError) -> Bool {
    switch self {
    case .filter(let program):
      guard program.matches(event) else { return false }
      counters.matched += 1
      try sink.write(event)
      return true
    case .rules(let matcher):
      guard try matcher.handle(event, sink) else { return false }
      counters.matched += 1
      counters.findings = matcher.engine.totalFindings
      return true
    }
  }

  /// The same matcher, showing events through `prepare` first (rules only: a filter's source
  /// prepares the events it writes itself).
  func preparing(_ prepare: @escaping (E) -> E) -> Matcher<E> {
    guard case .rules(var matcher) = self else { return self }
    matcher.prepare = prepare
    return .rules(matcher)
  }
}
