import Synchronization

/// What one output did with the alerts given to it, updated by its threads and read by anyone
/// (the `/metrics` endpoint, the closing report). Every alert offered ends in exactly one of
/// sent, failed, dropped or unsent.
public final class OutputStatistics: Sendable {
  private let sentCount = Atomic<Int>(0)
  private let retriedCount = Atomic<Int>(0)
  private let failedCount = Atomic<Int>(0)
  private let droppedCount = Atomic<Int>(0)
  private let unsentCount = Atomic<Int>(0)

  /// Zero counts.
  public init() {}

  /// Alerts the receiver accepted.
  public var sent: Int { sentCount.load(ordering: .relaxed) }
  /// Attempts repeated after a retryable failure, counted per alert.
  public var retried: Int { retriedCount.load(ordering: .relaxed) }
  /// Alerts refused for good (400, 401, 403, 413, an OTLP rejection) or out of attempts.
  public var failed: Int { failedCount.load(ordering: .relaxed) }
  /// Alerts refused because the queue was full.
  public var dropped: Int { droppedCount.load(ordering: .relaxed) }
  /// Alerts still queued or in flight when the shutdown deadline passed.
  public var unsent: Int { unsentCount.load(ordering: .relaxed) }

  /// One alert dropped (the capture thread's path when a queue is full: one atomic add).
  func addDropped() { droppedCount.add(1, ordering: .relaxed) }

  func add(sent: Int = 0, retried: Int = 0, failed: Int = 0, dropped: Int = 0, unsent: Int = 0) {
    if sent != 0 { sentCount.add(sent, ordering: .relaxed) }
    if retried != 0 { retriedCount.add(retried, ordering: .relaxed) }
    if failed != 0 { failedCount.add(failed, ordering: .relaxed) }
    if dropped != 0 { droppedCount.add(dropped, ordering: .relaxed) }
    if unsent != 0 { unsentCount.add(unsent, ordering: .relaxed) }
  }
}
