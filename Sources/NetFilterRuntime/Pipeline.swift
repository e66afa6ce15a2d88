import NetFilterEval
import NetFilterHost
import NetFilterLowering
import NetFilterSema

/// Where a pipeline's events come from.
public enum EventSource: Sendable {
  /// Packets from a pcap or pcapng file; `write` saves the matching packets to a pcap file.
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

  /// A pipeline of `filter` over `source`.
  public init(filter: CheckedFilter, source: EventSource, schema: Schema = .network) {
    self.filter = filter
    self.source = source
    self.schema = schema
  }

  /// Runs until the source ends, ``limit`` matches, the capture's duration, or `stop`; returns
  /// the counters.
  public func run(into sink: EventSink, stop: StopToken = StopToken()) throws(RuntimeError) -> PipelineCounters {
    var counters = PipelineCounters()
    try run(into: sink, stop: stop, counters: &counters)
    return counters
  }

  /// Runs as ``run(into:stop:)``, counting into `counters` (which hold what was counted even
  /// when the run throws).
  public func run(into sink: EventSink, stop: StopToken, counters: inout PipelineCounters) throws(RuntimeError) {
    do {
      switch source {
      case .pcap(let path, let write):
        try PcapReplay(pipeline: self, path: path, write: write).run(sink, stop, &counters)
      case .jsonLines(let path, let strict):
        try JSONLinesInput(pipeline: self, path: path, strict: strict).run(sink, stop, &counters)
      case .live(let options):
        try LiveRun(pipeline: self, options: options).run(sink, stop, &counters)
      }
    } catch {
      board?.publish(counters)
      try? sink.finish()
      throw error
    }
    board?.publish(counters)
    do { try sink.finish() } catch { throw RuntimeError(.failure, error.message) }
  }

  /// The filter planned for events of type `E`.
  func program<E: Event>(for type: E.Type = E.self) throws(RuntimeError) -> Program<E> {
    do { return try Program<E>(filter, schema: schema) } catch { throw RuntimeError(.failure, error.message) }
  }

  /// Whether another match may be emitted.
  func wantsMore(_ counters: PipelineCounters) -> Bool { limit.map { counters.matched < $0 } ?? true }

  /// What the kernel tests before copying an event: the filter's plan, and with a selection the
  /// selected kinds too.
  public var kernelPlan: KernelPlan {
    guard !selection.isAll else { return KernelPlan.lower([filter.kernelExpression]) }
    return KernelPlan.lower([.and([.or(selection.kinds.map { .event($0) }), filter.kernelExpression])])
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
}
