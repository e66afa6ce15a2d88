import NetFilterEval
import NetFilterRuntime
import NetFilterSema

/// Turns a filter's matching events into ``Alert``s: the rule is the filter's name, the output
/// fields are the ones the filter reads plus the event's name, process and addresses.
public struct AlertBuilder: Sendable {
  /// The rule name alerts carry.
  public var rule: String
  /// The priority alerts carry.
  public var priority: AlertPriority
  /// The source alerts carry (`pcap`, `json`, `live`).
  public var source: String
  /// The host alerts carry.
  public var hostname: String
  /// Tags alerts carry.
  public var tags: [String]
  private let filter: CheckedFilter
  private let schema: Schema
  /// Field names always shown, when the event has them.
  static let standardFields = ["evt.name", "ps.pid", "ps.name", "net.sip", "net.sport", "net.dip", "net.dport"]

  /// A builder for matches of `filter`.
  public init(
    filter: CheckedFilter,
    schema: Schema,
    rule: String,
    priority: AlertPriority = .notice,
    source: String,
    hostname: String,
    tags: [String] = []
  ) {
    self.filter = filter
    self.schema = schema
    self.rule = rule
    self.priority = priority
    self.source = source
    self.hostname = hostname
    self.tags = tags
  }

  /// What is read of events of type `E`, resolved once: each field's name and accessor (or its
  /// binding, for fields the event looks up itself, as JSON lines do), and the time field.
  public final class Fields<E: Event>: Sendable {
    /// The fields shown: the standard ones, then those the filter reads.
    public let bindings: [FieldBinding]
    let names: [String]
    let readers: [FieldReader<E>]
    let time: FieldReader<E>?

    init(bindings: [FieldBinding], time: FieldBinding?) {
      self.bindings = bindings
      names = bindings.map(\.description)
      readers = bindings.map(FieldReader.init)
      self.time = time.map(FieldReader.init)
    }

    /// The value of field `index` of `event`.
    func value(_ index: Int, of event: E) -> FieldValue { readers[index].read(event) }

    /// The event's time, if it has one.
    func time(of event: E) -> FieldValue { time?.read(event) ?? .missing }
  }

  /// The fields shown for events of type `E`: the standard ones, then those the filter reads.
  public func fields<E: Event>(for type: E.Type) -> Fields<E> {
    var bindings = Self.standardFields.compactMap { schema.field(named: $0).map { FieldBinding($0) } }
    let read = (try? Program<E>(filter, schema: schema))?.fields ?? []
    for binding in read where !bindings.contains(binding) && binding.descriptor.name != "evt.kinds" {
      bindings.append(binding)
    }
    return Fields(bindings: bindings, time: schema.field(named: "evt.time.ns").map { FieldBinding($0) })
  }

  /// The alert for one matching event, reading `fields` (from ``fields(for:)``). Only values are
  /// copied here, on the capture thread; the output line and the addresses' text are made by the
  /// delivery thread (``Alert/text``).
  public func alert<E: Event>(for event: E, fields: Fields<E>) -> Alert {
    var values: [(name: String, value: AlertValue)] = []
    values.reserveCapacity(fields.bindings.count)
    for index in fields.bindings.indices {
      guard let value = AlertValue(fields.value(index, of: event)) else { continue }
      values.append((fields.names[index], value))
    }
    var time = AlertClock.now()
    if case .int(let nanoseconds) = fields.time(of: event) { time = nanoseconds }
    return Alert(
      time: time,
      rule: rule,
      priority: priority,
      source: source,
      hostname: hostname,
      output: "",
      fields: values,
      tags: tags
    )
  }
}

extension AlertValue {
  /// A field's value with its JSON type, or `nil` when the event does not have the field.
  init?(_ value: FieldValue) {
    switch value {
    case .missing: return nil
    case .bool(let value): self = .bool(value)
    case .uint(let value): self = .uint(value)
    case .int(let value): self = .int(value)
    case .double(let value): self = .double(value)
    case .string(let value): self = .string(value)
    case .ip(let value): self = .address(value)
    case .strings(let values): self = .list(values.map { .string($0) })
    case .ips(let values): self = .list(values.map { .address($0) })
    case .uints(let values): self = .list(values.map { .uint($0) })
    }
  }

  /// The value as shown in an alert's one-line output.
  public var text: String {
    switch self {
    case .int(let value): String(value)
    case .uint(let value): String(value)
    case .double(let value): String(value)
    case .bool(let value): String(value)
    case .string(let value): value
    case .address(let value): value.description
    case .list(let values): "[" + values.map(\.text).joined(separator: ",") + "]"
    }
  }
}
