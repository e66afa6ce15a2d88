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
  /// The name cache's counters, when the run looked names up.
  public var names: NameCacheCounters?

  /// Zero counts.
  public init() {}

  /// The counters as one JSON object (`--stats`).
  public var json: String {
    "{\"received\":\(received),\"matched\":\(matched),\"lost\":\(lost),\"malformed\":\(malformed)"
      + (names.map { ",\"names\":\($0.json)" } ?? "") + "}"
  }
}
