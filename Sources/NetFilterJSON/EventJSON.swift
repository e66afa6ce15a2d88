import NetFilterSema

/// Writes JSON-lines events back out in Tracee's flat shape (``TraceeHeader`` then `args`).
public enum EventJSON {
  /// The header members and the flat-map fields they come from.
  static let header: [(key: String, field: String)] = [
    ("timestamp", "evt.time.ns"), ("processId", "ps.pid"), ("threadId", "evt.tid"), ("processName", "ps.name"),
    ("hostName", "evt.host"), ("cgroupId", "ps.cgroup.id"), ("containerId", "ps.container.id"),
  ]

  /// One JSON line for `event`, as UTF-8 text. Tracee events are written as read; flat maps
  /// become Tracee's shape with every other field as an argument, typed by `schema`.
  public static func line(for event: JSONEvent, schema: Schema = .network) -> [UInt8] {
    var writer = JSONTextWriter(capacity: 512)
    guard event.shape == .flat, case .object(let members) = event.json else {
      writer.value(event.json)
      return writer.finish()
    }
    var header = TraceeHeader(timestamp: 0, eventName: "", hostName: "")
    let json = event.json
    func member(_ field: String, _ fallback: TraceeHeader.Value) -> TraceeHeader.Value {
      json[field].map { .json($0) } ?? fallback
    }
    header.timestamp = member("evt.time.ns", .number(0))
    header.processID = member("ps.pid", .number(0))
    header.threadID = member("evt.tid", .number(0))
    header.processName = member("ps.name", .string(""))
    header.hostName = member("evt.host", .string(""))
    header.cgroupID = member("ps.cgroup.id", .number(0))
    header.containerID = member("ps.container.id", .string(""))
    header.eventName = member("evt.name", .string(""))
    header.eventID = "0"
    header.open(&writer)
    let used = Set(Self.header.map(\.field) + ["evt.name"])
    for member in members where !used.contains(member.key) {
      writer.beginObject()
      writer.member("name", member.key)
      writer.member("type", schema.field(named: member.key)?.exprType.description ?? "unknown")
      writer.key("value")
      writer.value(member.value)
      writer.endObject()
    }
    header.close(&writer)
    return writer.finish()
  }
}
