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

/// A field as a compiled program asks for it: resolved once, when the program is compiled.
public struct FieldKey: Sendable, Hashable {
  /// The field's position in ``Program/fields``; dense, starting at 0.
  public let id: Int
  /// What the event type's ``Event/resolve(_:)`` returned for the field, if anything.
  public let resolved: Int?
  /// The schema field and its argument.
  public let binding: FieldBinding

  /// Creates a key.
  public init(id: Int, resolved: Int?, binding: FieldBinding) {
    self.id = id
    self.resolved = resolved
    self.binding = binding
  }
}

/// Something a filter can be evaluated on: a packet, a socket event, a JSON line, or a tool's own type.
///
/// Field names are resolved when a program is compiled, never per event: ``resolve(_:)`` may map a
/// field to the event type's own number (a `switch` per event then costs a jump), and
/// ``value(of:)`` receives that number in ``FieldKey/resolved``.
public protocol Event {
  /// This event type's own number for `field`, or `nil` to rely on ``FieldKey/id``.
  static func resolve(_ field: FieldBinding) -> Int?

  /// The value of a field in this event, or ``FieldValue/missing``.
  func value(of key: FieldKey) -> FieldValue
}

extension Event {
  /// By default fields are found by ``FieldKey/id`` or by name.
  public static func resolve(_ field: FieldBinding) -> Int? { nil }
}
