import NetFilterJSON

/// The DNS names of an event's two addresses (`net.sip.names`, `net.dip.names`), as a run's name
/// cache gave them. An event without them (nil) was not looked up: its filter and output do not
/// read names.
public struct AddressNames: Sendable, Hashable {
  /// The names of the source address (a socket event's local end).
  public var source: [String]
  /// The names of the destination address (a socket event's remote end).
  public var destination: [String]

  /// Names of both ends.
  public init(source: [String] = [], destination: [String] = []) {
    self.source = source
    self.destination = destination
  }

  /// How many Tracee arguments ``write(source:destination:to:)`` writes: one per end that has names.
  public var argumentCount: Int { (source.isEmpty ? 0 : 1) + (destination.isEmpty ? 0 : 1) }

  /// Writes the ends that have names as Tracee arguments of type `[]string` named `source` and
  /// `destination`.
  public func write<S: JSONTokenWriter>(source sourceKey: String, destination destinationKey: String, to sink: inout S)
  {
    for (key, names) in [(sourceKey, source), (destinationKey, destination)] where !names.isEmpty {
      sink.argument(key, "[]string") { writer in
        writer.beginArray()
        for name in names { writer.string(name) }
        writer.endArray()
      }
    }
  }
}
