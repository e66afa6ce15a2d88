import Foundation
import NetFilter
import NetFilterPackets
import Synchronization

/// A bounded set of events held in memory, loaded once through a ``Pipeline`` and evaluated many
/// times: the data a REPL session tests its filters on.
public struct Sample: Sendable {
  /// The events, in the order the source gave them.
  public private(set) var events: [any OutputEvent]
  /// Where they came from, as the user named it (`loopback.pcap`, `live`).
  public let origin: String
  /// Events read from the source (including malformed ones).
  public let received: Int
  /// Damaged input that was reported and, for JSON lines, skipped.
  public let malformed: Int
  /// Whether the source had more events than the sample keeps.
  public let truncated: Bool
  /// The problems the source reported, one line each.
  public let problems: [String]

  /// The default bound on the events kept.
  public static let defaultLimit = 100_000

  /// An always-true filter that reads a payload field, so that every packet is loaded with its
  /// DNS or HTTP message decoded (the filters tested later may read it).
  static let loadFilter = "dns.name = '' or dns.name != ''"

  /// Loads at most `limit` events from `source`.
  public static func load(
    _ source: EventSource,
    origin: String,
    limit: Int = defaultLimit,
    schema: Schema = .network,
    stop: StopToken = StopToken()
  ) throws(RuntimeError) -> Sample {
    let filter: Filter
    do { filter = try Environment(schema: schema).compile(loadFilter) } catch {
      throw RuntimeError(.failure, "internal load filter does not compile: \(error)")
    }
    var pipeline = Pipeline(filter: filter.checked, source: source, schema: schema)
    pipeline.limit = limit + 1
    let problems = Mutex<[String]>([])
    pipeline.report = { line in problems.withLock { if $0.count < 20 { $0.append(line) } } }
    let sink = SampleSink()
    var counters = PipelineCounters()
    try pipeline.run(into: sink, stop: stop, counters: &counters)
    let truncated = sink.events.count > limit
    return Sample(
      events: Array(sink.events.prefix(limit)),
      origin: origin,
      received: counters.received - (truncated ? 1 : 0),
      malformed: counters.malformed,
      truncated: truncated,
      problems: problems.withLock { $0 }
    )
  }

  /// A sample of events already in memory (tests, embedders).
  public init(events: [any OutputEvent], origin: String) {
    self.init(events: events, origin: origin, received: events.count, malformed: 0, truncated: false, problems: [])
  }

  init(
    events: [any OutputEvent],
    origin: String,
    received: Int,
    malformed: Int,
    truncated: Bool,
    problems: [String]
  ) {
    self.events = events
    self.origin = origin
    self.received = received
    self.malformed = malformed
    self.truncated = truncated
    self.problems = problems
  }

  /// How many events of each name the sample holds, most frequent first.
  public var kinds: [(name: String, count: Int)] {
    let binding = FieldBinding(Schema.network.field(named: "evt.name")!)
    var counts: [String: Int] = [:]
    for event in events {
      for case .string(let name) in ValueCache.elements(of: event.lookup(binding)) { counts[name, default: 0] += 1 }
    }
    return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) }
  }

  /// The indices of the events `expression` matches.
  public func matching(_ expression: CheckedExpr, schema: Schema = .network) -> [Int] {
    matching(expression, schema: schema, interrupted: { false }).indices
  }

  /// The indices of the events `expression` matches, asking `interrupted` before each block of
  /// ``interruptBlock`` events; `evaluated` is how many events were tested before it said yes.
  public func matching(
    _ expression: CheckedExpr,
    schema: Schema = .network,
    interrupted: () -> Bool
  ) -> (indices: [Int], evaluated: Int) {
    var programs = ProgramCache(expression: expression, schema: schema)
    var indices: [Int] = []
    for index in events.indices {
      if index % Self.interruptBlock == 0, interrupted() { return (indices, index) }
      if programs.matches(events[index]) { indices.append(index) }
    }
    return (indices, events.count)
  }

  /// How many events are tested between two checks for an interrupt.
  public static let interruptBlock = 4096

  /// Whether `expression` matches event `index`.
  public func matches(_ expression: CheckedExpr, event index: Int, schema: Schema = .network) -> Bool {
    var programs = ProgramCache(expression: expression, schema: schema)
    return programs.matches(events[index])
  }

  /// Detects what `path` holds from its first bytes: pcap or pcapng, else JSON lines.
  public static func source(forFile path: String) throws(RuntimeError) -> EventSource {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw RuntimeError(.configuration, "Cannot read '\(path)'.")
    }
    defer { try? handle.close() }
    let head = [UInt8]((try? handle.read(upToCount: 64)) ?? Data())
    let magic = head.prefix(4)
    let captures: [[UInt8]] = [
      [0xD4, 0xC3, 0xB2, 0xA1], [0xA1, 0xB2, 0xC3, 0xD4], [0x4D, 0x3C, 0xB2, 0xA1], [0xA1, 0xB2, 0x3C, 0x4D],
      [0x34, 0xCD, 0xB2, 0xA1], [0xA1, 0xB2, 0xCD, 0x34], [0x0A, 0x0D, 0x0D, 0x0A],
    ]
    if captures.contains(where: { $0.elementsEqual(magic) }) { return .pcap(path: path) }
    if let first = head.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }), first == UInt8(ascii: "{") {
      return .jsonLines(path: path)
    }
    if head.isEmpty { throw RuntimeError(.configuration, "'\(path)' is empty.") }
    throw RuntimeError(.configuration, "'\(path)' is neither a pcap, a pcapng nor a JSON-lines file.")
  }
}

/// Keeps copies of the events a load pipeline writes.
final class SampleSink: EventSink {
  var events: [any OutputEvent] = []

  func write<E: OutputEvent>(_ event: E) throws(OutputError) {
    if let packet = event as? PacketEvent {
      events.append(packet.detached().decodingApplication())
    } else {
      events.append(event.detached())
    }
  }

  func flush() throws(OutputError) {}
  func finish() throws(OutputError) {}
}

/// One compiled program per event type met, for evaluating one expression over a mixed sample.
struct ProgramCache {
  let expression: CheckedExpr
  let schema: Schema
  private var programs: [ObjectIdentifier: Any] = [:]

  init(expression: CheckedExpr, schema: Schema) {
    self.expression = expression
    self.schema = schema
  }

  mutating func program<E: Event>(for type: E.Type) -> Program<E> {
    if let cached = programs[ObjectIdentifier(type)] as? Program<E> { return cached }
    let program = Program<E>(expression, schema: schema)
    programs[ObjectIdentifier(type)] = program
    return program
  }

  mutating func matches<E: OutputEvent>(_ event: E) -> Bool {
    // JSON events keep only the fields their load program read: extract this program's again.
    if let json = event as? JSONEvent {
      let program = program(for: JSONEvent.self)
      return program.matches(JSONEvent(json: json.json, keys: program.keys))
    }
    return program(for: E.self).matches(event)
  }
}
