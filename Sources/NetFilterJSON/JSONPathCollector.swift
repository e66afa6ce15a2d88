import NetFilterSyntax

/// A writer that keeps only what lies at one path of an argument list: given Tracee's arguments
/// (`{"name":…,"type":…,"value":…}` objects) written token by token, it collects the values at
/// `argument`'s value, then `path` through its members (arrays on the way contribute every
/// element). Reading one deep field of a packet so builds no tree but the small subtrees it finds.
public struct JSONPathCollector: JSONValueWriter {
  private enum Frame {
    /// An argument object: `value` comes at level 0 when its name is the one wanted.
    case argument
    /// An object or array on the path, at `level` components matched (nil: off the path).
    case object(level: Int?)
    case array(level: Int?)
  }

  private let argument: String
  private let path: [String]
  /// The values found, in the order written.
  public private(set) var found: [JSONValue] = []
  private var frames: [Frame] = []
  private var pending: Int?
  private var argumentName: String?
  private var expectingName = false
  private var capture: JSONTreeWriter?
  private var captureDepth = 0

  /// A collector of `argument`'s value at `path` (member names).
  public init(argument: String, path: [String]) {
    self.argument = argument
    self.path = path
  }

  /// The match level of the value about to be written, consuming a pending key.
  private mutating func nextLevel() -> Int? {
    if case .array(let level)? = frames.last { return level }
    defer { pending = nil }
    return pending
  }

  private mutating func begin(array: Bool) {
    if capture != nil {
      captureDepth += 1
      if array { capture!.beginArray() } else { capture!.beginObject() }
      return
    }
    if frames.isEmpty, !array {
      frames.append(.argument)
      argumentName = nil
      return
    }
    let level = nextLevel()
    if level == path.count {
      capture = JSONTreeWriter()
      captureDepth = 1
      if array { capture!.beginArray() } else { capture!.beginObject() }
      return
    }
    frames.append(array ? .array(level: level) : .object(level: level))
  }

  private mutating func end(array: Bool) {
    guard var writer = capture else {
      _ = frames.popLast()
      return
    }
    if array { writer.endArray() } else { writer.endObject() }
    captureDepth -= 1
    if captureDepth == 0 {
      found.append(writer.result)
      capture = nil
    } else {
      capture = writer
    }
  }

  public mutating func scalar(_ value: JSONValue) {
    if capture != nil {
      capture!.scalar(value)
      return
    }
    if expectingName {
      expectingName = false
      if case .string(let name) = value { argumentName = name }
      return
    }
    if nextLevel() == path.count { found.append(value) }
  }

  public mutating func beginObject() { begin(array: false) }
  public mutating func endObject() { end(array: false) }
  public mutating func beginArray() { begin(array: true) }
  public mutating func endArray() { end(array: true) }
  public mutating func key(_ name: StaticString) { dynamicKey(name.description) }

  public mutating func dynamicKey(_ name: String) {
    if capture != nil { return capture!.dynamicKey(name) }
    switch frames.last {
    case .argument?:
      expectingName = name == "name"
      pending = name == "value" && argumentName == argument ? 0 : nil
    case .object(let level?)? where level < path.count && path[level] == name:
      pending = level + 1
    default:
      pending = nil
    }
  }

}
