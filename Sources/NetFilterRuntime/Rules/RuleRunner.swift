import NetFilterEval
import NetFilterHost
import NetFilterSema

/// A rule set run over events an embedder produces itself (its own ``OutputEvent`` type), one at
/// a time, with the same indexes, sequence state and findings as ``Pipeline/init(rules:source:schema:)``.
///
/// ```swift
/// let runner = RuleRunner<MyEvent>(rules: library.rules, hostName: "web-1")
/// for event in events { _ = try runner.handle(event, into: sink) }
/// print(runner.counters.findings)
/// ```
///
/// A runner is used by one thread at a time.
public final class RuleRunner<E: OutputEvent> {
  private let engine: RuleEngine
  private let matcher: RuleMatcher<E>

  /// A runner of the enabled `rules`; findings name `source` and `hostName`.
  public init(
    rules: [Rule],
    limits: RuleLimits = RuleLimits(),
    source: String = "json",
    hostName: String = HostName.current,
    schema: Schema = .network
  ) {
    engine = RuleEngine(rules: rules, limits: limits, source: source, hostName: hostName, schema: schema)
    matcher = RuleMatcher(engine: engine)
  }

  /// Tests `event` against every rule and writes the findings it completes to `sink`; whether it
  /// matched a rule's condition or a sequence step.
  public func handle(_ event: E, into sink: EventSink) throws(OutputError) -> Bool {
    try matcher.handle(event, sink)
  }

  /// Findings per rule and sequence state so far.
  public var counters: RuleCounters { engine.counters }

  /// The fields the rules read, for event types that extract them when they are built (as
  /// `JSONEvent(line:keys:)` does).
  public var keys: [FieldKey] { matcher.programs.keys }
}
