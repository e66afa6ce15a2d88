import NetFilterSema

/// What reading a field costs the event source beyond the event itself; a program's needs are
/// the union of the needs of the fields it reads, so a source does that work only for programs
/// that need it.
public struct FieldNeeds: OptionSet, Sendable, Hashable {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }

  /// A process field the kernel reports (pid, comm, uid, …): /proc is needed only when the
  /// kernel did not know the event's process.
  public static let process = FieldNeeds(rawValue: 1 << 0)
  /// A process field only /proc has (exe, command line, cwd, user name, cgroup path, …).
  public static let processDetails = FieldNeeds(rawValue: 1 << 1)
  /// A field of a DNS payload: DNS messages must be decoded.
  public static let dns = FieldNeeds(rawValue: 1 << 2)
  /// A field of an HTTP payload: HTTP messages must be decoded.
  public static let http = FieldNeeds(rawValue: 1 << 4)
  /// Fields of either payload.
  public static let payload: FieldNeeds = [.dns, .http]
  /// Names of addresses (`net.sip.names`, `net.dip.names`).
  public static let names = FieldNeeds(rawValue: 1 << 3)
}

/// How a program reads one field from events of type `E`: a closure, resolved once per program.
public struct FieldAccessor<E>: Sendable {
  /// Reads the field.
  public let read: @Sendable (E) -> FieldValue
  /// What reading it costs the source.
  public let needs: FieldNeeds

  /// Creates an accessor.
  public init(needs: FieldNeeds = [], _ read: @escaping @Sendable (E) -> FieldValue) {
    self.read = read
    self.needs = needs
  }

  /// The same field read from a part of a larger event (a packet inside a live event).
  ///
  /// `part` hands the part to the reader it is given: `{ event, read in read(event.packet) }`.
  /// Written so, in the outer type's own code, the part is passed where it lies; a function that
  /// returned the part would copy it (a whole packet) on every field read.
  public func lifted<Outer>(_ part: @escaping Part<Outer>) -> FieldAccessor<Outer> {
    let read = self.read
    return FieldAccessor<Outer>(needs: needs) { part($0, read) }
  }

  /// Reads a field of a part of `Outer` with the reader it is given.
  public typealias Part<Outer> = @Sendable (Outer, (E) -> FieldValue) -> FieldValue
}

/// One field of events of type `E`, resolved once for the type: its accessor, or the event's own
/// lookup for a field without one (JSON lines). Code that reads a field of many events (output
/// columns, alerts, the kernel model, sequence keys) keeps a reader instead of calling
/// ``Event/lookup(_:)``, which finds the accessor again on every call.
public struct FieldReader<E: Event>: Sendable {
  /// The field read.
  public let binding: FieldBinding
  private let accessor: FieldAccessor<E>?

  /// A reader of `binding`.
  public init(_ binding: FieldBinding) {
    self.binding = binding
    accessor = E.accessor(for: binding)
  }

  /// The field's value in `event`.
  @inline(__always)
  public func read(_ event: E) -> FieldValue {
    if let accessor { return accessor.read(event) }
    return event.lookup(binding)
  }
}

/// The fields one family of events answers (the process, packet headers, a socket, …): a table
/// of field name → accessor, plus an optional resolver for fields that are not a fixed name
/// (arguments, deep paths). Providers compose: `process.lifted { $1($0.process) } + packet.lifted { $1($0.packet) }`
/// answers from the first that has the field, as Falco's per-family filter checks and cel-go's
/// hierarchical activations do.
public struct FieldProvider<E>: Sendable {
  private let rows: [String: FieldAccessor<E>]
  private let fallback: (@Sendable (FieldBinding) -> FieldAccessor<E>?)?

  /// A provider of fixed fields (`rows`, name → accessor, without arguments) and, optionally, a
  /// resolver for every other field.
  public init(
    _ rows: [(String, FieldAccessor<E>)],
    fallback: (@Sendable (FieldBinding) -> FieldAccessor<E>?)? = nil
  ) {
    self.init(rows: Dictionary(rows, uniquingKeysWith: { first, _ in first }), fallback: fallback)
  }

  /// The accessor of `field`, if this provider answers it.
  public func accessor(for field: FieldBinding) -> FieldAccessor<E>? {
    if field.argument == nil, let row = rows[field.descriptor.name] { return row }
    return fallback?(field)
  }

  /// This provider's fields read from a part of a larger event (see ``FieldAccessor/lifted(_:)``).
  public func lifted<Outer>(_ part: @escaping FieldAccessor<E>.Part<Outer>) -> FieldProvider<Outer> {
    var outer: (@Sendable (FieldBinding) -> FieldAccessor<Outer>?)?
    if let resolve = fallback {
      outer = { binding in resolve(binding)?.lifted(part) }
    }
    return FieldProvider<Outer>(rows: rows.mapValues { $0.lifted(part) }, fallback: outer)
  }

  /// A provider that answers from `first`, then from `second` (fixed fields before resolvers).
  public static func + (first: FieldProvider, second: FieldProvider) -> FieldProvider {
    FieldProvider(
      rows: first.rows.merging(second.rows) { mine, _ in mine },
      fallback: { first.fallback?($0) ?? second.fallback?($0) }
    )
  }

  private init(rows: [String: FieldAccessor<E>], fallback: (@Sendable (FieldBinding) -> FieldAccessor<E>?)?) {
    self.rows = rows
    self.fallback = fallback
  }
}
