import NetFilterSyntax

/// The event schema: every field a filter may name, with its type, as data.
///
/// The default schema, ``Schema/network``, holds the Fibratus-style socket fields (`evt.*`, `ps.*`,
/// `net.*`, `dns.*`) and the argument trees of Tracee's twelve `net_packet_*` events, flattened to
/// dotted paths (`net_packet_dns.data.proto_dns.answers.IP`).
public struct Schema: Sendable {
  /// Fields by canonical name.
  public let fields: [String: FieldDescriptor]
  /// Paths that name a structure rather than a value, with their member names.
  public let structures: [String: [String]]
  /// Names of the events the schema knows (`Connect`, `net_packet_tcp`, …).
  public let eventNames: [String]
  /// Every field name, sorted, for suggestions and listings.
  public let fieldNames: [String]

  /// Creates a schema from fields, structures and event names.
  public init(fields: [FieldDescriptor], structures: [String: [String]], eventNames: [String]) {
    var byName: [String: FieldDescriptor] = [:]
    for field in fields { byName[field.name] = field }
    self.fields = byName
    self.structures = structures
    self.eventNames = eventNames
    self.fieldNames = byName.keys.sorted()
  }

  /// The field named `name`; Tracee's `EVENT.args.ARG` is the same as `EVENT.data.ARG`.
  public func field(named name: String) -> FieldDescriptor? {
    fields[Schema.canonicalName(name)]
  }

  /// `EVENT.args.…` rewritten to `EVENT.data.…`; other names unchanged.
  public static func canonicalName(_ name: String) -> String {
    let utf8 = name.utf8
    guard let dot = utf8.firstIndex(of: UInt8(ascii: ".")), utf8[utf8.index(after: dot)...].starts(with: "args.".utf8)
    else { return name }
    let parts = name.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count == 3, parts[1] == "args" else { return name }
    return "\(parts[0]).data.\(parts[2])"
  }

  /// The schema of network events on Linux.
  public static let network = Schema(
    fields: SocketFields.all + PacketFields.all,
    structures: PacketFields.structures,
    eventNames: EventNames.socket + EventNames.packet
  )
}
