import NetFilterSema

/// Writes events in Tracee's flat JSON shape: `timestamp, processId, threadId, processName,
/// hostName, cgroupId, containerId, eventId, eventName, args:[{name,type,value}]`.
public enum EventJSON {
  /// The header members and the flat-map fields they come from.
  static let header: [(key: String, field: String)] = [
    ("timestamp", "evt.time.ns"), ("processId", "ps.pid"), ("threadId", "evt.tid"), ("processName", "ps.name"),
    ("hostName", "evt.host"), ("cgroupId", "ps.cgroup.id"), ("containerId", "ps.container.id"),
  ]

  /// One JSON line for `event`. Tracee events are written as read; flat maps become Tracee's shape
  /// with every other field as an argument.
  public static func line(for event: JSONEvent) -> String {
    if event.shape == .tracee { return event.json.serialized }
    guard case .object(let members) = event.json else { return event.json.serialized }
    var header: [(key: String, value: JSONValue)] = []
    var used: Set<String> = ["evt.name"]
    for (key, field) in Self.header {
      if let value = event.json[field] {
        header.append((key, value))
        used.insert(field)
      } else {
        header.append(
          (key, key == "processName" || key == "hostName" || key == "containerId" ? .string("") : .number("0"))
        )
      }
    }
    header.append(("eventId", .string("0")))
    header.append(("eventName", event.json["evt.name"] ?? .string("")))
    let args = members.filter { !used.contains($0.key) }.map { member -> JSONValue in
      let type = Schema.network.field(named: member.key)?.exprType.description ?? "unknown"
      return .object([("name", .string(member.key)), ("type", .string(type)), ("value", member.value)])
    }
    header.append(("args", .array(args)))
    return JSONValue.object(header).serialized
  }
}
