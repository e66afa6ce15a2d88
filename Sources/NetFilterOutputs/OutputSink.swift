import NetFilterEval
import NetFilterRuntime
import NetFilterSema

/// An ``EventSink`` that writes each match (or a rule set's ``Finding``) to another sink (standard
/// output) and ships it as an ``Alert`` to the network outputs. The capture thread never waits for the network: when every
/// output's queue is full the alert is not even built, only counted as dropped.
public final class OutputSink: EventSink {
  private let inner: EventSink?
  private let hub: OutputHub
  private let builder: AlertBuilder
  private let flushTimeout: Double
  private let report: (String) -> Void
  /// The output fields of the event type seen last (a source writes one type).
  private var fields: AnyObject?

  /// A sink writing to `inner` too (if any); `flushTimeout` bounds the wait in ``finish()``, whose
  /// summary of each output goes to `report`.
  public init(
    forwarding inner: EventSink?,
    hub: OutputHub,
    builder: AlertBuilder,
    flushTimeout: Double,
    report: @escaping (String) -> Void
  ) {
    self.inner = inner
    self.hub = hub
    self.builder = builder
    self.flushTimeout = flushTimeout
    self.report = report
  }

  public func write<E: OutputEvent>(_ event: E) throws(OutputError) {
    try inner?.write(event)
    guard hub.hasRoom else { return hub.countDropped() }
    if E.self == Finding.self, let finding = event as? Finding { return hub.send(Alert(finding: finding)) }
    let resolved: AlertBuilder.Fields<E>
    if let cached = fields as? AlertBuilder.Fields<E> {
      resolved = cached
    } else {
      resolved = builder.fields(for: E.self)
      fields = resolved
    }
    hub.send(builder.alert(for: event, fields: resolved))
  }

  public func flush() throws(OutputError) { try inner?.flush() }

  public func finish() throws(OutputError) {
    defer { for line in hub.finish(timeout: flushTimeout) { report(line) } }
    try inner?.finish()
  }
}
