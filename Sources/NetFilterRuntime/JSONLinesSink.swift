import Dispatch
import NetFilterSema

/// Writes each matching event as one line of Tracee-shaped JSON.
///
/// With `background`, lines are rendered on a serial queue, in order, in batches at most a few
/// batches ahead, while the caller's thread reads and filters: decoding DNS or HTTP and writing
/// the JSON cost more than filtering, and the caller only copies each event's bytes.
public final class JSONLinesSink: EventSink, @unchecked Sendable {
  private let output: ByteOutput
  private let hostName: String
  private let schema: Schema
  private let queue: DispatchQueue?
  private let slots = DispatchSemaphore(value: 4)
  private var batch: [any OutputEvent] = []
  private static let batchSize = 512

  /// A sink writing to `output`; `hostName` fills Tracee's `hostName` member.
  public init(output: ByteOutput, hostName: String, schema: Schema = .network, background: Bool = false) {
    self.output = output
    self.hostName = hostName
    self.schema = schema
    queue = background ? DispatchQueue(label: "netfilter.json-lines") : nil
    if background { batch.reserveCapacity(Self.batchSize) }
  }

  public func write<E: OutputEvent>(_ event: E) throws(OutputError) {
    guard queue != nil else { return try output.append(line: event.jsonLine(hostName: hostName, schema: schema)) }
    batch.append(event.detached())
    if batch.count == Self.batchSize { try send() }
  }

  private func send() throws(OutputError) {
    try output.flush(ifFailed: ())
    guard let queue else { return }
    let events = batch
    batch = []
    batch.reserveCapacity(Self.batchSize)
    slots.wait()
    queue.async { [output, hostName, schema, slots] in
      for event in events { try? output.append(line: event.jsonLine(hostName: hostName, schema: schema)) }
      slots.signal()
    }
  }

  public func flush() throws(OutputError) {
    if queue == nil { try output.flush() }
  }

  public func finish() throws(OutputError) {
    if !batch.isEmpty { try send() }
    queue?.sync {}
    try output.flush()
  }
}

extension ByteOutput {
  /// Throws the error an earlier write met, if any (cheap: for checking between batches).
  func flush(ifFailed: Void) throws(OutputError) {
    if let failure = currentFailure { throw failure }
  }
}
