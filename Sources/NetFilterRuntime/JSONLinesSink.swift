import Dispatch
import NetFilterSema

/// Writes each matching event as one line of Tracee-shaped JSON.
///
/// With `background`, lines are rendered on a serial queue, in order, in batches at most a few
/// batches ahead, while the caller's thread reads and filters: decoding DNS or HTTP and writing
/// the JSON cost more than filtering, and the caller only copies each event's bytes. A batch holds
/// events of one type in their own storage (no boxing per event); a source writes one type.
public final class JSONLinesSink: EventSink, @unchecked Sendable {
  private let output: ByteOutput
  private let hostName: String
  private let schema: Schema
  private let queue: DispatchQueue?
  private let slots = DispatchSemaphore(value: 4)
  private var batch: (any PendingLines)?
  static let batchSize = 512

  /// A sink writing to `output`; `hostName` fills Tracee's `hostName` member.
  public init(output: ByteOutput, hostName: String, schema: Schema = .network, background: Bool = false) {
    self.output = output
    self.hostName = hostName
    self.schema = schema
    queue = background ? DispatchQueue(label: "netfilter.json-lines") : nil
  }

  public func write<E: OutputEvent>(_ event: E) throws(OutputError) {
    guard queue != nil else { return try output.append(line: event.jsonLine(hostName: hostName, schema: schema)) }
    if let pending = batch as? Pending<E> {
      pending.events.append(event.detached())
      if pending.events.count == Self.batchSize { try send() }
    } else {
      if batch != nil { try send() }
      let pending = Pending<E>()
      pending.events.append(event.detached())
      batch = pending
    }
  }

  /// Hands the batch to the queue (waiting while a few are still being written).
  private func send() throws(OutputError) {
    try output.throwIfFailed()
    guard let queue, let pending = batch else { return }
    batch = nil
    slots.wait()
    queue.async { [output, hostName, schema, slots] in
      pending.write(to: output, hostName: hostName, schema: schema)
      slots.signal()
    }
  }

  public func flush() throws(OutputError) {
    if queue == nil { try output.flush() }
  }

  public func finish() throws(OutputError) {
    try send()
    queue?.sync {}
    try output.flush()
  }
}

/// A batch of events waiting to be written as JSON lines.
private protocol PendingLines: AnyObject, Sendable {
  func write(to output: ByteOutput, hostName: String, schema: Schema)
}

/// Events of one type, owned by the batch until the queue writes them.
private final class Pending<E: OutputEvent>: PendingLines, @unchecked Sendable {
  var events: [E] = []

  init() { events.reserveCapacity(JSONLinesSink.batchSize) }

  func write(to output: ByteOutput, hostName: String, schema: Schema) {
    for event in events { try? output.append(line: event.jsonLine(hostName: hostName, schema: schema)) }
  }
}
