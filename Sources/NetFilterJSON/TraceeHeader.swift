import NetFilterSyntax

/// The members every event has in Tracee's flat JSON shape, before its `args`: `timestamp,
/// processId, threadId, processName, hostName, cgroupId, containerId, eventId, eventName` (and
/// `argsNum` where the writer knows it). Packet, socket and JSON-lines events, and findings, all
/// write their events through this one header.
public struct TraceeHeader: Sendable {
  /// One member's value.
  public enum Value: Sendable {
    case number(UInt64)
    case string(String)
    /// A value as read from a JSON line, written back unchanged.
    case json(JSONValue)
  }

  public var timestamp: Value
  public var processID: Value
  public var threadID: Value
  public var processName: Value
  public var hostName: Value
  public var cgroupID: Value
  public var containerID: Value
  public var eventName: Value
  /// The `eventId` member: ``EventNames/id(of:)`` of the event's name unless given.
  public var eventID: String
  /// The number of arguments, when the writer knows it (`argsNum` is then written).
  public var argumentCount: Int?

  /// A header for the event `name` (its `eventId` is ``EventNames/id(of:)`` unless given); the
  /// process members are zero or empty unless given.
  public init(
    timestamp: UInt64,
    eventName name: String,
    eventID: Int? = nil,
    hostName: String,
    process: TraceeProcess = TraceeProcess(),
    argumentCount: Int? = nil
  ) {
    self.init(
      timestamp: .number(timestamp),
      processID: .number(process.pid),
      threadID: .number(process.tid),
      processName: .string(process.name),
      hostName: .string(hostName),
      cgroupID: .number(process.cgroupID),
      containerID: .string(process.containerID),
      eventName: .string(name),
      eventID: String(eventID ?? EventNames.id(of: name)),
      argumentCount: argumentCount
    )
  }

  /// A header of the given members (for events read from JSON, whose values are written back as read).
  public init(
    timestamp: Value,
    processID: Value,
    threadID: Value,
    processName: Value,
    hostName: Value,
    cgroupID: Value,
    containerID: Value,
    eventName: Value,
    eventID: String,
    argumentCount: Int?
  ) {
    self.timestamp = timestamp
    self.processID = processID
    self.threadID = threadID
    self.processName = processName
    self.hostName = hostName
    self.cgroupID = cgroupID
    self.containerID = containerID
    self.eventName = eventName
    self.eventID = eventID
    self.argumentCount = argumentCount
  }

  /// Writes `{` and the header members, then `"args":[`: the caller writes the arguments and
  /// closes with ``close(_:)``.
  public func open<W: JSONTokenWriter>(_ writer: inout W) {
    writer.beginObject()
    writer.key("timestamp")
    write(timestamp, &writer)
    writer.key("processId")
    write(processID, &writer)
    writer.key("threadId")
    write(threadID, &writer)
    writer.key("processName")
    write(processName, &writer)
    writer.key("hostName")
    write(hostName, &writer)
    writer.key("cgroupId")
    write(cgroupID, &writer)
    writer.key("containerId")
    write(containerID, &writer)
    writer.member("eventId", eventID)
    writer.key("eventName")
    write(eventName, &writer)
    if let argumentCount { writer.member("argsNum", number: argumentCount) }
    writer.key("args")
    writer.beginArray()
  }

  /// Closes what ``open(_:)`` opened.
  public func close<W: JSONTokenWriter>(_ writer: inout W) {
    writer.endArray()
    writer.endObject()
  }

  private func write<W: JSONTokenWriter>(_ value: Value, _ writer: inout W) {
    switch value {
    case .number(let number): writer.number(number)
    case .string(let text): writer.string(text)
    case .json(let json): writer.value(json)
    }
  }
}

/// The process members of an event in Tracee's JSON shape (all zero or empty for packets read from
/// a file).
public struct TraceeProcess: Sendable {
  public var pid: UInt64 = 0
  public var tid: UInt64 = 0
  public var name = ""
  public var cgroupID: UInt64 = 0
  public var containerID = ""

  /// A process; every member defaults to zero or empty.
  public init(pid: UInt64 = 0, tid: UInt64 = 0, name: String = "", cgroupID: UInt64 = 0, containerID: String = "") {
    self.pid = pid
    self.tid = tid
    self.name = name
    self.cgroupID = cgroupID
    self.containerID = containerID
  }
}

extension JSONTokenWriter {
  /// Writes a parsed value as it was read (numbers keep their text).
  public mutating func value(_ json: JSONValue) {
    switch json {
    case .null: null()
    case .bool(let flag): bool(flag)
    case .number(let text): rawNumber(text)
    case .string(let text): string(text)
    case .array(let items):
      beginArray()
      for item in items { value(item) }
      endArray()
    case .object(let members):
      beginObject()
      for member in members {
        dynamicKey(member.key)
        value(member.value)
      }
      endObject()
    }
  }
}
