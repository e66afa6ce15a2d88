import NetFilterEval
import NetFilterSema
import NetFilterSyntax

/// An event read from one JSON line, in either shape netfilter accepts:
///
/// - a flat field map: `{"evt.name":"Send","ps.name":"curl","net.dport":443,"net.dip.names":["a."]}`;
/// - a Tracee event: `{"eventName":"net_packet_dns","processName":"dig","args":[{"name":"src",…}]}`,
///   where `eventName` is `evt.name`, `processName` is `ps.name`, `processId` is `ps.pid`, packet
///   arguments give `net.sip`/`net.dip`/`net.sport`/`net.dport`, and `EVENT.data.ARG…` reads the
///   argument tree.
///
/// Only the fields a program reads are extracted, once, when the event is decoded.
public struct JSONEvent: Event, Sendable {
  /// Which shape the line had.
  public enum Shape: Sendable { case flat, tracee }

  /// The parsed line.
  public let json: JSONValue
  /// Its shape.
  public let shape: Shape
  private let values: [FieldValue]

  /// Decodes `line` and extracts the fields of `keys` (a program's ``Program/keys``).
  public init(line: String, keys: [FieldKey]) throws(JSONError) {
    try self.init(bytes: Array(line.utf8), keys: keys)
  }

  /// Decodes a line read as bytes: one that is not UTF-8 is an error at its first bad byte.
  public init(bytes: [UInt8], keys: [FieldKey]) throws(JSONError) {
    let json = try JSONParser.parse(bytes: bytes)
    guard case .object = json else { throw JSONError(message: "an event must be a JSON object", offset: 0) }
    self.init(json: json, keys: keys)
  }

  /// Extracts the fields of `keys` from an already parsed object.
  public init(json: JSONValue, keys: [FieldKey]) {
    self.json = json
    shape = json["eventName"] != nil && json["args"] != nil ? .tracee : .flat
    let shape = self.shape
    values = keys.map { JSONEvent.extract($0.binding, from: json, shape: shape) }
  }

  /// The first member of a flat field map whose value does not have its field's type (a port that
  /// is not a number from 0 to 65535, an address that is not one, `null`), as a message: such a
  /// field would read as missing. `nil` when every known field is well typed.
  public func typeProblem(in schema: Schema) -> String? {
    guard shape == .flat, case .object(let members) = json else { return nil }
    for (key, value) in members {
      guard let field = schema.field(named: key) else { continue }
      // Checked where they lie: no array of leaves is made per member.
      if case .array(let items) = value, field.exprType.isMulti {
        if let bad = items.first(where: { JSONEvent.scalar($0, field.type) == nil }) {
          return Self.typeMessage(key, field, bad)
        }
      } else if JSONEvent.scalar(value, field.type) == nil {
        return Self.typeMessage(key, field, value)
      }
    }
    return nil
  }

  private static func typeMessage(_ key: String, _ field: FieldDescriptor, _ value: JSONValue) -> String {
    var writer = JSONTextWriter(capacity: 64)
    writer.value(value)
    return
      "'\(key)' must be \(field.type.description), not \(String(decoding: writer.finish().prefix(64), as: UTF8.self))"
  }

  public func value(of key: FieldKey) -> FieldValue {
    key.id < values.count ? values[key.id] : .missing
  }

  /// Any field's value, looked up now (for output of fields the filter does not read).
  public func lookup(_ binding: FieldBinding) -> FieldValue {
    JSONEvent.extract(binding, from: json, shape: shape)
  }

  /// The value of `binding` from the values found at its path in an argument tree (what a
  /// ``JSONPathCollector`` collected): how other event types read Tracee argument paths.
  public static func value(of binding: FieldBinding, found: [JSONValue]) -> FieldValue {
    convert(TraceeShape.select(found, binding), to: binding.descriptor.type, multi: binding.type.isMulti)
  }

  static func extract(_ binding: FieldBinding, from json: JSONValue, shape: Shape) -> FieldValue {
    let raw: [JSONValue]
    switch shape {
    case .flat: raw = FlatShape.values(of: binding, in: json)
    case .tracee: raw = TraceeShape.values(of: binding, in: json)
    }
    return convert(raw, to: binding.descriptor.type, multi: binding.type.isMulti)
  }

  /// JSON leaves as a field value of the schema type; leaves of the wrong type are skipped.
  static func convert(_ leaves: [JSONValue], to type: ValueType, multi: Bool) -> FieldValue {
    let converted = leaves.compactMap { scalar($0, type) }
    if converted.isEmpty { return .missing }
    if !multi && converted.count == 1 { return converted[0] }
    switch type {
    case .ip: return .ips(converted.compactMap { if case .ip(let v) = $0 { v } else { nil } })
    case .uint8, .uint16, .uint32, .uint64:
      return .uints(converted.compactMap { if case .uint(let v) = $0 { v } else { nil } })
    default: return .strings(converted.map(\.textForm))
    }
  }

  static func scalar(_ leaf: JSONValue, _ type: ValueType) -> FieldValue? {
    switch (type, leaf) {
    case (.ip, .string(let text)): return IPAddress(text).map { .ip($0) }
    case (.uint8, .number(let n)), (.uint16, .number(let n)), (.uint32, .number(let n)), (.uint64, .number(let n)):
      return unsigned(n, max: type.maximum ?? UInt64.max)
    case (.uint8, .string(let n)), (.uint16, .string(let n)), (.uint32, .string(let n)), (.uint64, .string(let n)):
      return unsigned(n, max: type.maximum ?? UInt64.max)
    case (.uint8, .bool(let b)): return .uint(b ? 1 : 0)
    case (.int, .number(let n)), (.int, .string(let n)):
      if let value = Int64(n) { return .int(value) }
      return Double(n).map { .int(Int64(clamping: Int($0))) }
    case (.double, .number(let n)): return Double(n).map { .double($0) }
    case (.bool, .bool(let b)): return .bool(b)
    case (.bool, .number(let n)): return n == "1" ? .bool(true) : n == "0" ? .bool(false) : nil
    case (.string, .string(let s)): return .string(s)
    case (.string, .number(let n)): return .string(n)
    case (.string, .bool(let b)): return .string(b ? "true" : "false")
    default: return nil
    }
  }

  private static func unsigned(_ text: String, max: UInt64) -> FieldValue? {
    guard let value = UInt64(text), value <= max else { return nil }
    return .uint(value)
  }
}
