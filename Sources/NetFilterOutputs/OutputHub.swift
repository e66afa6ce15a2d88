import NetFilterHTTP

/// Every network output of a run. ``send(_:)`` hands an alert to each output's queue without
/// waiting; ``finish(timeout:)`` drains them within a deadline and says what could not be sent.
/// Findings from a rule engine reach the outputs through ``send(_:)`` too.
public final class OutputHub: Sendable {
  /// The outputs, in the order given.
  public let outputs: [NetworkOutput]

  /// Starts one output per configuration (each with its delivery thread); `report` is told of
  /// delivery failures, at most one line per output per 30 seconds.
  public init(_ configurations: [OutputConfiguration], hostName: String, report: @escaping @Sendable (String) -> Void) {
    outputs = configurations.map { NetworkOutput($0, hostName: hostName, report: report) }
  }

  /// Whether any output has room for another alert (when none has, building it is skipped).
  public var hasRoom: Bool {
    for output in outputs where output.queue.hasRoom { return true }
    return false
  }

  /// Queues `alert` on every output; a full queue counts it as dropped.
  public func send(_ alert: Alert) {
    for output in outputs { output.offer(alert) }
  }

  /// Counts one alert dropped by every output (its queues were all full, so it was not built).
  public func countDropped() {
    for output in outputs { output.countDropped() }
  }

  /// Stops accepting alerts and waits until every output has delivered its queue or `timeout`
  /// seconds have passed; returns one line per output saying what became of its alerts.
  @discardableResult
  public func finish(timeout: Double) -> [String] {
    let deadline = HTTPClient.now() + Int64(max(0, timeout) * 1e9)
    for output in outputs { output.close(deadline: deadline) }
    return outputs.map { output in
      let counts = output.statistics
      return "netfilter: output \(output.label): \(counts.sent) sent, \(counts.retried) retried, "
        + "\(counts.failed) failed, \(counts.dropped) dropped, \(counts.unsent) unsent"
    }
  }
}
