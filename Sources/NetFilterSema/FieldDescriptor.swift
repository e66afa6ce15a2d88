/// Which piece of an event the kernel program can test before anything reaches user space.
public enum KernelKey: String, Sendable, Hashable, CaseIterable {
  case sourcePort, destinationPort, sourceAddress, destinationAddress, l4Protocol, direction
  case pid, tid, comm, cgroupID, eventKind
}

/// What a field accepts inside `[ ]`.
public struct ArgumentSpec: Sendable, Hashable {
  /// Whether the field must have an argument.
  public var required: Bool
  /// What the argument names, for messages: "environment variable name", "ancestor index".
  public var meaning: String
  /// Whether the argument must be a non-negative integer.
  public var numeric: Bool

  /// Creates a spec.
  public init(required: Bool, meaning: String, numeric: Bool = false) {
    self.required = required
    self.meaning = meaning
    self.numeric = numeric
  }
}

/// One field of the event schema.
public struct FieldDescriptor: Sendable, Hashable {
  /// The canonical dotted name (`net.dport`, `net_packet_tcp.data.proto_tcp.SYN`).
  public var name: String
  /// The type of each value.
  public var type: ValueType
  /// Whether the field has several values (`net.dip.names`, `dns.answers`, anything under an array).
  public var isMulti: Bool
  /// What the field accepts in `[ ]`, if anything.
  public var argument: ArgumentSpec?
  /// What the kernel program can test for this field, if anything.
  public var kernel: KernelKey?
  /// The only values the field takes, if it is an enumeration (`evt.name`, `net.l4.proto`).
  public var allowedValues: [String]?
  /// A one-line description.
  public var summary: String

  /// Creates a descriptor.
  public init(
    _ name: String,
    _ type: ValueType,
    multi: Bool = false,
    argument: ArgumentSpec? = nil,
    kernel: KernelKey? = nil,
    allowed: [String]? = nil,
    _ summary: String
  ) {
    self.name = name
    self.type = type
    self.isMulti = multi
    self.argument = argument
    self.kernel = kernel
    self.allowedValues = allowed
    self.summary = summary
  }

  /// The static type of a reference to the field.
  public var exprType: ExprType { ExprType(type, multi: isMulti) }
}
