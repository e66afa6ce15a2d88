import NetFilterEval

/// What a pipeline does with each event of type `E`: test one filter and write the event, or run
/// a rule set and write its findings.
enum Matcher<E: OutputEvent> {
  /// A filter; `prepare` makes a matching event ready to be written (a live event gets its process).
  case filter(Program<E>, prepare: ((E) -> E)?)
  case rules(RuleMatcher<E>)

  /// What the fields read cost the source.
  var needs: FieldNeeds {
    switch self {
    case .filter(let program, _): program.needs
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
    case .filter(let program, _): program.keys
    case .rules(let matcher): matcher.programs.keys
    }
  }

  /// Tests `event`, writing it (a filter) or the findings it completes (rules); whether it matched
  /// the filter or any rule's condition or step.
  @inline(__always)
  func handle(_ event: E, _ sink: EventSink, _ counters: inout PipelineCounters) throws(OutputError) -> Bool {
    switch self {
    case .filter(let program, let prepare):
      guard program.matches(event) else { return false }
      counters.matched += 1
      try sink.write(prepare.map { $0(event) } ?? event)
      return true
    case .rules(let matcher):
      guard try matcher.handle(event, sink) else { return false }
      counters.matched += 1
      counters.findings = matcher.engine.totalFindings
      return true
    }
  }

  /// The same matcher, showing the events it writes or keeps through `prepare` first.
  func preparing(_ prepare: @escaping (E) -> E) -> Matcher<E> {
    switch self {
    case .filter(let program, _): return .filter(program, prepare: prepare)
    case .rules(var matcher):
      matcher.prepare = prepare
      return .rules(matcher)
    }
  }
}
