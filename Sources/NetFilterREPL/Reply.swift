/// What the session answers to one input.
public struct Reply: Error, Sendable, Equatable {
  /// Results, for standard output.
  public var output = ""
  /// Diagnostics and errors, for standard error.
  public var errors = ""
  /// Whether the input had an error (batch mode then exits 1).
  public var failed = false
  /// The input with the one fix-it of its one error applied, to pre-fill the next prompt.
  public var correction: String?
  /// Whether the user asked to leave.
  public var quit = false

  /// An empty reply.
  public init() {}

  /// A reply of one error line (`error: MESSAGE`).
  static func error(_ message: String) -> Reply {
    var reply = Reply()
    reply.errors = "error: \(message)\n"
    reply.failed = true
    return reply
  }

  /// A reply of output text.
  static func text(_ text: String) -> Reply {
    var reply = Reply()
    reply.output = text.isEmpty || text.hasSuffix("\n") ? text : text + "\n"
    return reply
  }
}

/// How the line being typed checks, for the status shown beside it while typing.
public enum LineStatus: Sendable, Equatable {
  /// Nothing typed.
  case empty
  /// A command line (not checked while typing).
  case command
  /// Not finished: an open parenthesis or quote, a trailing operator, a word that is the start of a
  /// field name.
  case incomplete
  /// A valid filter.
  case valid
  /// A valid filter, and how many events of the sample it matches.
  case matching(Int, of: Int)
  /// An error; the diagnostic's id.
  case invalid(String)

  /// The status as the right prompt shows it; ASCII unless `unicode`.
  public func text(unicode: Bool) -> String {
    switch self {
    case .empty, .command: ""
    case .incomplete: unicode ? "… incomplete" : "... incomplete"
    case .valid: unicode ? "✓" : "ok"
    case .matching(let matched, let total): (unicode ? "✓ " : "ok ") + "\(matched)/\(total)"
    case .invalid(let id): (unicode ? "✗ " : "x ") + id
    }
  }
}
