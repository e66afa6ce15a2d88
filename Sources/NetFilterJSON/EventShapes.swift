import NetFilterEval
import NetFilterSema

/// Field lookup in a flat field map: keys are field names (`"net.dport"`, `"ps.envs[PATH]"`).
enum FlatShape {
  static func values(of binding: FieldBinding, in json: JSONValue) -> [JSONValue] {
    let name = binding.descriptor.name
    guard let argument = binding.argument else {
      // An event is always of the kind it is named: without "evt.kinds", its kinds are "evt.name".
      if name == "evt.kinds", json[name] == nil { return leaves(json["evt.name"]) }
      return leaves(json[name] ?? json[aliasOf(name)])
    }
    if let exact = json["\(name)[\(argument)]"] { return leaves(exact) }
    guard let base = json[name] ?? json[aliasOf(name)] else { return [] }
    return ArgumentLookup.select(argument, of: name, in: base)
  }

  /// `EVENT.data.ARG` written as `EVENT.args.ARG`.
  private static func aliasOf(_ name: String) -> String {
    let parts = name.split(separator: ".", maxSplits: 2)
    guard parts.count == 3, parts[1] == "data" else { return name }
    return "\(parts[0]).args.\(parts[2])"
  }
}

/// Field lookup in a Tracee event: the header fields, the `net.*` view of packet arguments, and
/// `EVENT.data.ARG.member…` paths through the argument tree.
enum TraceeShape {
  static func values(of binding: FieldBinding, in json: JSONValue) -> [JSONValue] {
    let name = binding.descriptor.name
    if let header = headerField(name, json) { return header }
    if let network = networkField(name, json) { return network }
    let parts = name.split(separator: ".", maxSplits: 2).map(String.init)
    guard parts.count == 3, parts[1] == "data", case .string(parts[0])? = json["eventName"] else { return [] }
    var path = parts[2].split(separator: ".").map(String.init)
    guard let value = argument(path.removeFirst(), json) else { return [] }
    return select(walk(value, path), binding)
  }

  /// The values a field reads from the values found at its path: their leaves, or with an
  /// argument (`headers[Host]`) the member it selects.
  static func select(_ found: [JSONValue], _ binding: FieldBinding) -> [JSONValue] {
    guard let selector = binding.argument else {
      if binding.descriptor.argument != nil { return found.flatMap(ArgumentLookup.entries) }
      return found.flatMap(leaves)
    }
    return found.flatMap { ArgumentLookup.select(selector, of: binding.descriptor.name, in: $0) }
  }

  private static func headerField(_ name: String, _ json: JSONValue) -> [JSONValue]? {
    let key: String? =
      switch name {
      case "evt.name", "evt.kinds": "eventName"
      case "ps.name": "processName"
      case "ps.pid", "evt.pid": "processId"
      case "ps.tid", "evt.tid": "threadId"
      case "ps.ppid": "parentProcessId"
      case "ps.uid": "userId"
      case "evt.host": "hostName"
      case "ps.cgroup.id": "cgroupId"
      case "ps.container.id": "containerId"
      case "evt.time.ns": "timestamp"
      case "evt.cpu": "processorId"
      default: nil
      }
    if let key {
      guard let value = json[key], value != .string("") else { return [] }
      return [value]
    }
    switch name {
    case "ps.exe":
      // Tracee writes "" when it does not know the path, as for the header members above.
      guard let path = json["executable"]?["path"], path != .string("") else { return [] }
      return [path]
    case "evt.category":
      guard case .string(let event) = json["eventName"], event.hasPrefix("net_") else { return [] }
      return [.string("net")]
    default: return nil
    }
  }

  /// `net.sip`, `net.dip`, `net.sport`, `net.dport`, `net.l4.proto` and `net.direction` from a
  /// packet event's arguments (or its `metadata`).
  private static func networkField(_ name: String, _ json: JSONValue) -> [JSONValue]? {
    let metadata = argument("metadata", json)
    func pick(_ argumentName: String, _ metadataName: String) -> [JSONValue] {
      if let value = argument(argumentName, json) { return [value] }
      return metadata?[metadataName].map { [$0] } ?? []
    }
    switch name {
    case "net.sip": return pick("src", "src_ip")
    case "net.dip": return pick("dst", "dst_ip")
    case "net.sport": return pick("src_port", "src_port")
    case "net.dport": return pick("dst_port", "dst_port")
    case "net.direction":
      guard case .number(let code)? = metadata?["direction"] else { return [] }
      return code == "1" ? [.string("ingress")] : code == "2" ? [.string("egress")] : []
    case "net.l4.proto":
      guard case .string(let event) = json["eventName"] else { return [] }
      let byEvent = [
        "net_packet_tcp": "TCP", "net_packet_udp": "UDP", "net_packet_icmp": "ICMP", "net_packet_icmpv6": "ICMPv6",
      ]
      if let proto = byEvent[event] { return [.string(proto)] }
      if case .number(let number)? = metadata?["protocol"] {
        return number == "6" ? [.string("TCP")] : number == "17" ? [.string("UDP")] : []
      }
      return []
    default: return nil
    }
  }

  /// The value of the argument called `name`.
  static func argument(_ name: String, _ json: JSONValue) -> JSONValue? {
    guard case .array(let args)? = json["args"] else { return nil }
    return args.first { $0["name"] == .string(name) }?["value"]
  }

  /// Follows member names through objects; arrays on the way contribute every element.
  private static func walk(_ value: JSONValue, _ path: [String]) -> [JSONValue] {
    guard let first = path.first else { return [value] }
    switch value {
    case .array(let items): return items.flatMap { walk($0, path) }
    case .object: return value[first].map { walk($0, Array(path.dropFirst())) } ?? []
    default: return []
    }
  }
}

/// What a field argument selects: an environment variable, an ancestor, a header, a parameter.
enum ArgumentLookup {
  /// Every member of a map as `Name: value` (one string per value).
  static func entries(_ map: JSONValue) -> [JSONValue] {
    guard case .object(let members) = map else { return leaves(map) }
    return members.flatMap { member in
      leaves(member.value).map { JSONValue.string("\(member.key): \(Printable.text($0))") }
    }
  }

  static func select(_ argument: String, of name: String, in base: JSONValue) -> [JSONValue] {
    switch (name, base) {
    case ("ps.ancestor", .array(let items)):
      guard let index = Int(argument), index < items.count else { return [] }
      return [items[index]]
    case ("ps.envs", _):
      // The variable named exactly so, else the first one whose name starts so (Fibratus).
      let entries = leaves(base).compactMap { leaf -> (name: Substring, value: String)? in
        guard case .string(let entry) = leaf else { return nil }
        let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        return (parts[0], parts.count > 1 ? String(parts[1]) : "")
      }
      let match = entries.first { $0.name == argument } ?? entries.first { $0.name.hasPrefix(argument) }
      return match.map { [.string($0.value)] } ?? []
    case (_, .object):
      return leaves(base.member(ignoringCase: argument))
    default:
      return []
    }
  }
}

/// Scalars of a value, with arrays flattened; objects and nulls contribute nothing.
func leaves(_ value: JSONValue?) -> [JSONValue] {
  switch value {
  case .array(let items)?: items.flatMap { leaves($0) }
  case .object?, .null?, nil: []
  case let scalar?: [scalar]
  }
}

/// Text of a JSON scalar as it would be compared.
enum Printable {
  static func text(_ value: JSONValue) -> String {
    switch value {
    case .string(let text): text
    case .number(let text): text
    case .bool(let flag): flag ? "true" : "false"
    default: value.serialized
    }
  }
}
