import Synchronization

/// What a pipeline counted.
public struct PipelineCounters: Sendable, Equatable {
  /// Events read from the source (packets, socket events, JSON lines).
  public var received = 0
  /// Events the filter selected (with `--events`, one per selected view).
  public var matched = 0
  /// Damaged input: malformed packets or lines, a damaged capture record.
  public var malformed = 0
  /// Records the kernel dropped because the ring buffer was full (live capture only).
  public var lost: UInt64 = 0

  /// Zero counts.
  public init() {}

  /// The counters as one JSON object (`--stats`).
  public var json: String {
    "{\"received\":\(received),\"matched\":\(matched),\"lost\":\(lost),\"malformed\":\(malformed)}"
  }
}

/// The latest ``PipelineCounters`` of a running pipeline, for readers on other threads: the
/// pipeline publishes a copy now and then (``Pipeline/board``), never per event on the packet path.
public final class CounterBoard: Sendable {
  private let current = Mutex(PipelineCounters())

  /// A board of zero counts.
  public init() {}

  /// Replaces the published counters.
  public func publish(_ counters: PipelineCounters) { current.withLock { $0 = counters } }

  /// The counters published last.
  public var snapshot: PipelineCounters { current.withLock { $0 } }
}
