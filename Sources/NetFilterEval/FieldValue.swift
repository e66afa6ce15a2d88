import NetFilterSema
import NetFilterSyntax

/// The value of one field in one event, as an ``Event`` reports it.
///
/// Returning a stored string or array costs a reference-count increment, not an allocation, so
/// events can report values without allocating per evaluation.
public enum FieldValue: Sendable, Hashable {
  /// The event does not have the field: every predicate on it is false (its negation true).
  case missing
  case bool(Bool)
  case uint(UInt64)
  case int(Int64)
  case double(Double)
  case string(String)
  case ip(IPAddress)
  /// Several strings (`net.dip.names`, `dns.answers`, anything under a Tracee array).
  case strings([String])
  /// Several addresses (`net_packet_dns.data.proto_dns.answers.IP`).
  case ips([IPAddress])
  /// Several integers (`net_packet_dns.data.proto_dns.answers.TTL`).
  case uints([UInt64])
}

/// A field as a compiled program asks for it, when the event type has no accessor for it.
public struct FieldKey: Sendable, Hashable {
  /// The field's position in ``Program/fields``; dense, starting at 0.
  public let id: Int
  /// The schema field and its argument.
  public let binding: FieldBinding

  /// Creates a key.
  public init(id: Int, binding: FieldBinding) {
    self.id = id
    self.binding = binding
  }
}

/// Something a filter can be evaluated on: a packet, a socket event, a JSON line, or a tool's own type.
///
/// Field names are resolved when a program is compiled, never per event. An event type answers
/// fields in one of two ways:
/// - ``accessor(for:)`` returns a ``FieldAccessor``, a closure the program calls directly (build
///   them with a ``FieldProvider`` table);
/// - or the event extracts what the program's ``Program/keys`` name when it is built, and
///   ``value(of:)`` answers by ``FieldKey/id`` (JSON lines do this).
public protocol Event {
  /// How to read `field` from events of this type, or `nil` to be asked by ``value(of:)``.
  static func accessor(for field: FieldBinding) -> FieldAccessor<Self>?

  /// The value of a field that has no accessor, or ``FieldValue/missing``.
  func value(of key: FieldKey) -> FieldValue

  /// Any field's value, looked up now (for output columns a program does not read).
  func lookup(_ binding: FieldBinding) -> FieldValue
}

extension Event {
  /// By default a type has no accessors.
  public static func accessor(for field: FieldBinding) -> FieldAccessor<Self>? { nil }

  /// By default a field without an accessor is missing.
  public func value(of key: FieldKey) -> FieldValue { .missing }

  /// Any field's value, looked up now (for output of fields a program does not read).
  public func lookup(_ binding: FieldBinding) -> FieldValue {
    if let accessor = Self.accessor(for: binding) { return accessor.read(self) }
    return value(of: FieldKey(id: -1, binding: binding))
  }
}

extension FieldValue {
  /// The value as text for people: numbers in decimal, addresses in their canonical form, several
  /// values separated by commas, and the empty string when missing.
  public var text: String {
    switch self {
    case .string(let v): v
    case .uint(let v): String(v)
    case .int(let v): String(v)
    case .double(let v): String(v)
    case .bool(let v): v ? "true" : "false"
    case .ip(let v): v.description
    case .strings(let v): v.joined(separator: ",")
    case .ips(let v): v.map(\.description).joined(separator: ",")
    case .uints(let v): v.map(String.init).joined(separator: ",")
    case .missing: ""
    }
  }
}
