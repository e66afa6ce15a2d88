import NetFilterEval
import NetFilterHost
import NetFilterLowering
import NetFilterSema

/// Where a pipeline's events come from.
public enum EventSource: Sendable {
  /// Packets from a pcap or pcapng file; `write` saves the matching packets to a file of the same
  /// format (a pcapng with one interface per link type).
  case pcap(path: String, write: String? = nil)
  /// JSON-lines events from a file (`-` for standard input); `strict` stops at a malformed line
  /// instead of reporting and skipping it.
  case jsonLines(path: String, strict: Bool = false)
  /// Packets and socket events captured live with eBPF (root).
  case live(LiveOptions = LiveOptions())

  /// The name findings and outputs give the source: `pcap`, `json` or `live`.
  public var name: String {
    switch self {
    case .pcap: "pcap"
    case .jsonLines: "json"
    case .live: "live"
    }
  }
}

/// How a live capture runs.
public struct LiveOptions: Sendable {
  /// Whether the kernel tests what it can of the filter before copying an event (the offload).
  public var offload: Bool
  /// Stop after this many seconds.
  public var duration: Double?

  /// Options; by default with the offload and no time limit.
  public init(offload: Bool = true, duration: Double? = nil) {
    self.offload = offload
    self.duration = duration
  }
}

/// A compiled filter run over an event source into a sink: the whole of `netfilter run`, as a
/// library.
///
/// ```swift
/// let filter = try Environment().compile("net.dport = 53")
/// let pipeline = Pipeline(filter: filter.checked, source: .pcap(path: "dns.pcap"))
/// let output = ByteOutput { bytes in print(String(decoding: bytes, as: UTF8.self), terminator: "") }
/// let counters = try pipeline.run(into: JSONLinesSink(output: output, hostName: "h"))
/// ```
public struct Pipeline: Sendable {
  /// The filter.
  public var filter: CheckedFilter
  /// Where events come from.
  public var source: EventSource
  /// The schema the filter was checked against (it types JSON input and names table columns).
  public var schema: Schema
  /// The event kinds emitted (`--events`).
  public var selection: EventSelection = .all
  /// Stop after this many matching events.
  public var limit: Int?
  /// The host name events carry in Tracee's `hostName`.
  public var hostName: String = HostName.current
  /// Told of problems that do not stop the run (a malformed line, a damaged capture record),
  /// one line each, as `FILE:LINE:COLUMN: error: …`.
  public var report: @Sendable (String) -> Void = { _ in }
  /// Told of progress through a file: packets read and bytes captured so far.
  public var progress: (@Sendable (_ packets: Int, _ bytes: Int) -> Void)?
  /// Where the counters are published for other threads (the `/metrics` endpoint) while running:
  /// per JSON line, per 4,096 packets, after each wait for live events, and at the end.
  public var board: CounterBoard?
  /// How addresses are named (`net.sip.names`, `net.dip.names`) on live and replayed events.
  public var names = NameOptions()

  /// With rules: the rule set run instead of ``filter`` (which is then the OR of their conditions);
  /// the pipeline writes findings. A `sequence` filter runs as a rule set of one rule.
  public var rules: [Rule]?
  /// Bounds on sequence state.
  public var ruleLimits = RuleLimits()
  /// For a capture file or JSON lines: count what ``kernelPlan`` would let through, had these
  /// events met the kernel (``KernelModel``; the `kernel` object of `--stats`). Costs a plan
  /// evaluation per event.
  public var modelsKernel = false

  /// A pipeline of `filter` over `source`.
  public init(filter: CheckedFilter, source: EventSource, schema: Schema = .network) {
    self.filter = filter
    self.source = source
    self.schema = schema
  }

  /// A pipeline running `rules` over `source`, writing a ``Finding`` for each time a rule fires.
  public init(rules: [Rule], source: EventSource, schema: Schema = .network) {
    self.init(filter: .expression(.or(rules.flatMap(\.steps))), source: source, schema: schema)
    self.rules = rules
  }

  /// Runs until the source ends, ``limit`` matches, the capture's duration, or `stop`; returns
  /// the counters.
  public func run(into sink: EventSink, stop: StopToken = StopToken()) throws(RuntimeError) -> PipelineCounters {
    var counters = PipelineCounters()
    try run(into: sink, stop: stop, counters: &counters)
    return counters
  }

  /// The rules run: ``rules``, or a `sequence` filter as a rule named "sequence".
  var ruleSet: [Rule]? {
    if let rules { return rules }
    guard case .sequence = filter else { return nil }
    return [Rule(id: "sequence", name: "sequence", condition: filter)]
  }

  /// Runs as ``run(into:stop:)``, counting into `counters` (which hold what was counted even
  /// when the run throws).
  public func run(into sink: EventSink, stop: StopToken, counters: inout PipelineCounters) throws(RuntimeError) {
    let engine = ruleSet.map {
      RuleEngine(rules: $0, limits: ruleLimits, source: source.name, hostName: hostName, schema: schema)
    }
    let regexLimitHits = RegexStatistics.limitHits
    defer { counters.regexLimited = RegexStatistics.limitHits - regexLimitHits }
    defer { engine?.collect(into: &counters) }
    do {
      switch source {
      case .pcap(let path, let write):
        try PcapReplay(pipeline: self, path: path, write: write).run(sink, engine, stop, &counters)
      case .jsonLines(let path, let strict):
        try JSONLinesInput(pipeline: self, path: path, strict: strict).run(sink, engine, stop, &counters)
      case .live(let options):
        try LiveRun(pipeline: self, options: options).run(sink, engine, stop, &counters)
      }
    } catch {
      publish(counters, engine)
      try? sink.finish()
      throw error
    }
    publish(counters, engine)
    do { try sink.finish() } catch { throw RuntimeError(.failure, error.message) }
  }

  /// Publishes `counters` on ``board`` (if any) with what `engine` and the name cache have counted
  /// so far.
  func publish(_ counters: PipelineCounters, _ engine: RuleEngine?, names: NameCacheCounters? = nil) {
    guard let board else { return }
    var published = counters
    engine?.collect(into: &published)
    if let names { published.names = names }
    board.publish(published)
  }

  /// The filter, or the rule set of `engine`, compiled for events of type `E`.
  func matcher<E: OutputEvent>(_ engine: RuleEngine?, for type: E.Type = E.self) throws(RuntimeError) -> Matcher<E> {
    if let engine { return .rules(RuleMatcher(engine: engine)) }
    do { return .filter(try Program<E>(filter, schema: schema), prepare: nil) } catch {
      throw RuntimeError(.failure, error.message)
    }
  }

  /// Whether another match (with rules, another finding) may be emitted.
  func wantsMore(_ counters: PipelineCounters) -> Bool {
    guard let limit else { return true }
    return (rules != nil || filter.isSequence ? counters.findings : counters.matched) < limit
  }

  /// What the kernel tests before copying an event: the filter's plan (with rules, each rule is
  /// one filter of the plan), and with a selection the selected kinds too.
  public var kernelPlan: KernelPlan {
    let filters = ruleSet.map { $0.filter(\.enabled).map(\.condition.kernelExpression) } ?? [filter.kernelExpression]
    let feed = NameKernelFeed.expressions(readsNames: readsNames, options: names, schema: schema)  // DNS replies
    let many = ruleSet != nil
    guard !selection.isAll else { return KernelPlan.lower(filters + feed, mergingAcrossFilters: many) }
    let kinds = CheckedExpr.or(selection.kinds.map { .event($0) })
    return KernelPlan.lower(filters.map { .and([kinds, $0]) } + feed, mergingAcrossFilters: many)
  }
}

extension CheckedFilter {
  /// The expression the kernel plan is lowered from: the filter itself, or for a `sequence` rule any
  /// of its steps (an event can only advance a sequence by matching a step).
  public var kernelExpression: CheckedExpr {
    switch self {
    case .expression(let expression): expression
    case .sequence(let sequence): .or(sequence.steps.map(\.condition))
    }
  }

  /// Whether the filter is a `sequence`.
  public var isSequence: Bool {
    if case .sequence = self { true } else { false }
  }
}

extension RuleEngine {
  /// Stores the findings so far, per rule, and the sequence counters in `counters`.
  func collect(into counters: inout PipelineCounters) {
    counters.findings = totalFindings
    let counts = zip(rules, self.counters.findings).map { Finding.Count(rule: $0.name, count: $1) }
    counters.rules = RuleStatistics(findings: counts, counters: self.counters)
  }
}
