/// One line of REPL input: a filter expression, or a `:command` with its argument text.
public enum Command: Sendable, Equatable {
  /// A filter to check and evaluate on the sample.
  case expression(String)
  /// `:load FILE`: a pcap, pcapng or JSON-lines file as the sample.
  case load(String)
  /// `:live [SECONDS]`: fill the sample from live capture.
  case live(seconds: Double)
  /// `:explain [EXPR]`: the kernel plan of the expression (or of the last one).
  case explain(String?)
  /// `:ast [EXPR]`: the typed tree.
  case ast(String?)
  /// `:fields [GLOB]`: fields with type, kernel visibility and description.
  case fields(String?)
  /// `:d FIELD`: one field in detail.
  case describe(String)
  /// `:events [GLOB]`: event names and their fields.
  case events(String?)
  /// `:values FIELD [N]`: the most frequent values of a field in the sample.
  case values(String, count: Int)
  /// `:event K`: every field of sample event K (1-based).
  case event(Int)
  /// `:why K`: which top-level operands of the last filter hold for event K.
  case why(Int)
  /// `:limit N`: rows shown per result.
  case limit(Int)
  /// `:more`: the next rows of the last result.
  case more
  /// `:output table|json`.
  case output(OutputStyle)
  /// `:timing on|off`.
  case timing(Bool)
  /// `:let NAME = EXPR` or `:let NAME = (A, B)`: a session macro.
  case define(name: String, body: String)
  /// `:macros FILE`: load a macro file.
  case macros(String)
  /// `:save FILE`: write the session's macros as YAML.
  case save(String)
  /// `:status`: the session's settings, sample and macros.
  case status
  /// `:rules PATH`: try a rule set on the sample.
  case rules(String)
  /// `:edit`: edit the last expression in `$EDITOR`.
  case edit
  /// `:help [TOPIC]`.
  case help(String?)
  /// `:quit`.
  case quit
}

/// How results are printed.
public enum OutputStyle: String, Sendable, CaseIterable {
  /// A table with a header (the default).
  case table
  /// One Tracee-shaped JSON object per line, as `netfilter run --output json` prints.
  case json
}

/// Why a command line could not be parsed; the message is one line.
public struct CommandError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What is wrong, e.g. `unknown command ':lod'; did you mean ':load'?`.
  public var message: String

  /// Creates an error.
  public init(_ message: String) { self.message = message }

  public var description: String { message }
}

/// Parses command lines. `:` starts a command; `\` (psql) and `.` (sqlite) are accepted too when
/// followed by a command name.
public enum CommandParser {
  /// Every command name, with its argument synopsis and one-line help.
  public static let commands: [(name: String, synopsis: String, summary: String)] = [
    ("load", "FILE", "load a pcap, pcapng or JSON-lines file as the sample"),
    ("live", "[SECONDS]", "fill the sample from live capture (root; 5 seconds by default)"),
    ("explain", "[EXPR]", "what the kernel tests and what user space decides (as check --explain)"),
    ("ast", "[EXPR]", "the typed tree (as check --ast)"),
    ("fields", "[GLOB]", "fields: name, type, whether the kernel sees it, description"),
    ("d", "FIELD", "describe one field: type, values, argument, kernel key"),
    ("events", "[GLOB]", "event names and their fields"),
    ("values", "FIELD [N]", "the N most frequent values of FIELD in the sample (10 by default)"),
    ("event", "K", "every field of event K of the sample"),
    ("why", "K", "which top-level operands of the last filter hold for event K"),
    ("limit", "N", "rows shown per result (10 by default)"),
    ("more", "", "the next rows of the last result"),
    ("output", "table|json", "how rows are printed"),
    ("timing", "on|off", "show evaluation time"),
    ("let", "NAME = EXPR", "define a session macro (or a list: NAME = (A, B))"),
    ("macros", "FILE", "load macros and lists from a YAML file"),
    ("save", "FILE", "write the session's macros to a YAML file that check --macros accepts"),
    ("status", "", "the sample, the settings and the session's macros"),
    ("rules", "PATH", "try a rule set on the sample"),
    ("edit", "", "edit the last expression in $EDITOR, then evaluate it"),
    ("help", "[COMMAND|OPERATOR]", "help on a command or an operator"),
    ("quit", "", "leave (Ctrl-D too)"),
  ]

  /// Parses one complete input (an expression may span lines).
  public static func parse(_ input: String) throws(CommandError) -> Command {
    let text = input.trimmingWhitespace
    guard let (name, argument) = split(text) else { return .expression(text) }
    return try command(name.lowercased(), argument)
  }

  /// Whether `text` is a command rather than an expression.
  public static func isCommand(_ text: String) -> Bool { split(text.trimmingWhitespace) != nil }

  /// The command name and argument of a command line.
  static func split(_ text: String) -> (name: String, argument: String)? {
    guard let first = text.first, ":\\.".contains(first) else { return nil }
    let rest = text.dropFirst()
    let name = rest.prefix { $0.isLetter }
    if first != ":" && (name.isEmpty || !commands.contains { $0.name == name.lowercased() } && name != "q") {
      return nil
    }
    return (String(name), String(rest.dropFirst(name.count)).trimmingWhitespace)
  }

  private static func command(_ name: String, _ argument: String) throws(CommandError) -> Command {
    let optional = argument.isEmpty ? nil : argument
    switch name {
    case "load": return .load(try required(argument, "load", "FILE"))
    case "live": return .live(seconds: try seconds(argument))
    case "explain": return .explain(optional)
    case "ast": return .ast(optional)
    case "fields": return .fields(optional)
    case "d": return .describe(try required(argument, "d", "FIELD"))
    case "events": return .events(optional)
    case "values": return try values(argument)
    case "event": return .event(try positive(argument, "event", "K"))
    case "why": return .why(try positive(argument, "why", "K"))
    case "limit": return .limit(try positive(argument, "limit", "N"))
    case "more": return try noArgument(.more, argument, "more")
    case "output": return .output(try choice(argument, "output"))
    case "timing": return .timing(try onOff(argument))
    case "let": return try define(argument)
    case "macros": return .macros(try required(argument, "macros", "FILE"))
    case "save": return .save(try required(argument, "save", "FILE"))
    case "status": return try noArgument(.status, argument, "status")
    case "rules": return .rules(try required(argument, "rules", "PATH"))
    case "edit": return try noArgument(.edit, argument, "edit")
    case "help", "h", "?": return .help(optional)
    case "quit", "q", "exit": return .quit
    default: throw unknown(name)
    }
  }

  private static func unknown(_ name: String) -> CommandError {
    if name.isEmpty { return CommandError("expected a command name after ':' (:help lists them)") }
    let names = commands.map(\.name)
    let best = names.min { editDistance($0, name) < editDistance($1, name) }
    if let best, editDistance(best, name) <= 2 {
      return CommandError("unknown command ':\(name)'; did you mean ':\(best)'?")
    }
    return CommandError("unknown command ':\(name)' (:help lists the commands)")
  }

  private static func required(_ argument: String, _ name: String, _ what: String) throws(CommandError) -> String {
    guard !argument.isEmpty else { throw CommandError(":\(name) needs \(what)") }
    return argument
  }

  private static func noArgument(_ command: Command, _ argument: String, _ name: String) throws(CommandError)
    -> Command
  {
    guard argument.isEmpty else { throw CommandError(":\(name) takes no argument") }
    return command
  }

  private static func positive(_ argument: String, _ name: String, _ what: String) throws(CommandError) -> Int {
    guard let value = Int(argument), value > 0 else {
      throw CommandError(":\(name) needs \(what), a positive number\(argument.isEmpty ? "" : " (not '\(argument)')")")
    }
    return value
  }

  private static func seconds(_ argument: String) throws(CommandError) -> Double {
    if argument.isEmpty { return 5 }
    guard let value = Double(argument), value > 0, value <= 3600 else {
      throw CommandError(":live needs SECONDS between 0 and 3600 (not '\(argument)')")
    }
    return value
  }

  private static func values(_ argument: String) throws(CommandError) -> Command {
    let words = argument.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    guard let field = words.first else { throw CommandError(":values needs FIELD") }
    guard words.count <= 2 else { throw CommandError(":values takes FIELD and an optional count") }
    let count = words.count == 2 ? Int(words[1]) : 10
    guard let count, count > 0 else { throw CommandError(":values: the count must be a positive number") }
    return .values(field, count: count)
  }

  private static func choice(_ argument: String, _ name: String) throws(CommandError) -> OutputStyle {
    guard let style = OutputStyle(rawValue: argument.lowercased()) else {
      throw CommandError(":output takes table or json\(argument.isEmpty ? "" : " (not '\(argument)')")")
    }
    return style
  }

  private static func onOff(_ argument: String) throws(CommandError) -> Bool {
    switch argument.lowercased() {
    case "on": return true
    case "off": return false
    default: throw CommandError(":timing takes on or off")
    }
  }

  private static func define(_ argument: String) throws(CommandError) -> Command {
    guard let equal = argument.firstIndex(of: "=") else { throw CommandError(":let needs NAME = EXPR") }
    let name = argument[..<equal].trimmingWhitespace
    let body = argument[argument.index(after: equal)...].trimmingWhitespace
    guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
    else { throw CommandError(":let: a macro name is letters, digits, '_' and '-' (not '\(name)')") }
    guard !body.isEmpty else { throw CommandError(":let \(name) needs an expression or a list after '='") }
    return .define(name: name, body: body)
  }

  /// The Levenshtein distance, for did-you-mean on command names (which are short).
  static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.prefix(32))
    let b = Array(b.prefix(32))
    var row = Array(0...b.count)
    for i in 1...max(1, a.count) where !a.isEmpty {
      var previous = row[0]
      row[0] = i
      for j in stride(from: 1, through: b.count, by: 1) {
        let saved = row[j]
        row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
        previous = saved
      }
    }
    return a.isEmpty ? b.count : row[b.count]
  }
}

extension StringProtocol {
  /// The text without leading and trailing spaces, tabs and line breaks.
  var trimmingWhitespace: String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
    guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
    let end = lastIndex(where: { !isSpace($0) })!
    return String(self[start...end])
  }
}
