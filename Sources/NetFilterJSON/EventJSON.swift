import NetFilterSema

/// Writes JSON-lines events back out in Tracee's flat shape (``TraceeHeader`` then `args`).
public enum EventJSON {
  /// The flat-map fields the header is made of; every other member becomes an argument.
  static let headerFields: Set<String> = [
    "evt.time.ns", "ps.pid", "evt.tid", "ps.name", "evt.host", "ps.cgroup.id", "ps.container.id", "evt.name",
  ]

  /// One JSON line for `event`, as UTF-8 text. Tracee events are written as read; flat maps
  /// become Tracee's shape with every other field as an argument, typed by `schema`.
  public static func line(for event: JSONEvent, schema: Schema = .network) -> [UInt8] {
    var writer = JSONTextWriter(capacity: 512)
    guard event.shape == .flat, case .object(let members) = event.json else {
      writer.value(event.json)
      return writer.finish()
    }
    let json = event.json
    func member(_ field: String, _ fallback: TraceeHeader.Value) -> TraceeHeader.Value {
      json[field].map { .json($0) } ?? fallback
    }
    // A flat map's `eventId` stays 0, as it always was: its `evt.name` is the map's own word.
    let header = TraceeHeader(
      timestamp: member("evt.time.ns", .number(0)),
      processID: member("ps.pid", .number(0)),
      threadID: member("evt.tid", .number(0)),
      processName: member("ps.name", .string("")),
      hostName: member("evt.host", .string("")),
      cgroupID: member("ps.cgroup.id", .number(0)),
      containerID: member("ps.container.id", .string("")),
      eventName: member("evt.name", .string("")),
      eventID: "0",
      argumentCount: nil
    )
    header.open(&writer)
    for member in members where !headerFields.contains(member.key) {
      // A value that is not of its field's type is not labelled with that type.
      let field = schema.field(named: member.key)
      let typed = field.map { field in
        if case .array(let items) = member.value, field.exprType.isMulti {
          return items.allSatisfy { JSONEvent.scalar($0, field.type) != nil }
        }
        return JSONEvent.scalar(member.value, field.type) != nil
      }
      writer.argument(member.key, typed == true ? field?.exprType.description ?? "unknown" : "unknown") {
        $0.value(member.value)
      }
    }
    header.close(&writer)
    return writer.finish()
  }
}
