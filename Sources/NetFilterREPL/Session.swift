import Foundation
import NetFilter
import NetFilterHost

/// A REPL session: the sample, the settings, the session's macros and the last result. Every
/// input goes through ``handle(_:)``, which returns what to print; nothing here touches a terminal,
/// so tests drive a session directly.
public final class Session {
  /// Settings a session starts with.
  public struct Options: Sendable {
    /// The most events a sample keeps.
    public var sampleLimit = Sample.defaultLimit
    /// Rows shown per result.
    public var rowLimit = 10
    /// How rows are printed.
    public var output = OutputStyle.table
    /// Whether evaluation time is shown.
    public var timing = false
    /// How diagnostics are rendered.
    public var formatter = DiagnosticFormatter()
    /// The editor `:edit` runs (`$EDITOR`).
    public var editor: String?
    /// The host name JSON rows carry.
    public var hostName = HostName.current
    /// Whether the user asked to interrupt (Ctrl-C on a terminal) since it was last asked; a
    /// live capture stops early when it says so.
    public var interrupted: (@Sendable () -> Bool)?

    /// Default options.
    public init() {}
  }

  /// The current settings.
  public internal(set) var options: Options
  /// The loaded events, if any.
  public internal(set) var sample: Sample?
  /// Macros and the schema filters are checked in.
  public internal(set) var environment: Environment
  var macros = SessionMacros()
  /// The last evaluated filter and its matches.
  var last: LastResult?
  let valueCache = ValueCache()
  /// Whether counting while typing is paused (a count took too long).
  var liveCountsPaused = false

  /// The last expression evaluated.
  struct LastResult {
    var filter: Filter
    var matches: [Int]
    var shown: Int
  }

  /// A session with `options` and, optionally, macros already loaded.
  public init(options: Options = Options(), macros library: MacroLibrary? = nil) {
    self.options = options
    environment = Environment(resolver: library)
    if let library { self.macros.files = library.sources }
  }

  /// Answers one complete input (a filter, possibly over several lines, or a command).
  public func handle(_ input: String) -> Reply {
    liveCountsPaused = false
    let text = input.trimmingWhitespace
    if text.isEmpty { return Reply() }
    do {
      switch try CommandParser.parse(text) {
      case .expression(let expression): return evaluate(expression)
      case let command: return run(command)
      }
    } catch {
      return .error(error.message)
    }
  }

  /// Whether `text` needs more lines: an open parenthesis or quote, or a trailing `and`, `or`,
  /// `not` or operator. A command continues only where its argument is such an expression.
  public func needsContinuation(_ text: String) -> Bool {
    if text.trimmingWhitespace.isEmpty { return false }
    if CommandParser.isCommand(text) {
      // Commands whose argument is an expression continue as the expression would.
      switch try? CommandParser.parse(text) {
      case .explain(let argument?), .ast(let argument?): return needsContinuation(argument)
      case .define(_, let body): return needsContinuation(body)
      default: return false
      }
    }
    let outcome = environment.check(text)
    let errors = outcome.diagnostics.filter { $0.severity == .error }
    return !errors.isEmpty && errors.contains { $0.isUnexpectedEnd || $0.id.description == "syntax.unterminatedString" }
  }

  /// How `text` checks, for feedback while typing.
  public func status(of text: String) -> LineStatus {
    let trimmed = text.trimmingWhitespace
    if trimmed.isEmpty { return .empty }
    if CommandParser.isCommand(trimmed) { return .command }
    if needsContinuation(trimmed) { return .incomplete }
    let outcome = environment.check(trimmed)
    if outcome.isValid { return .valid }
    guard let error = outcome.diagnostics.first(where: { $0.severity == .error }) else { return .valid }
    // A word that is still the start of a name, or a field still without its operator, is
    // unfinished, not wrong.
    if error.range.upperBound == trimmed.utf8.count {
      let word = outcome.source.slice(error.range)
      switch error.id.description {
      case "sema.unknownField" where environment.schema.fieldNames.contains { $0.hasPrefix(word) }: return .incomplete
      case "sema.conditionExpected" where environment.schema.field(named: word) != nil: return .incomplete
      default: break
      }
    }
    return .invalid(error.id.description)
  }

  /// As ``status(of:)``, and for a valid filter the number of sample events it matches, as long
  /// as counting stays quick: after a count that took longer than ``liveCountBudget`` there are
  /// no more counts while typing until the next input is entered.
  public func liveStatus(of text: String) -> LineStatus {
    let status = status(of: text)
    guard status == .valid, !liveCountsPaused, let sample,
      case .expression(let expression)? = try? environment.compile(text).checked
    else { return status }
    let start = ContinuousClock.now
    let matched = sample.matching(expression, schema: environment.schema).count
    if ContinuousClock.now - start > Self.liveCountBudget { liveCountsPaused = true }
    return .matching(matched, of: sample.events.count)
  }

  /// The longest a count while typing may take before counts pause.
  public static let liveCountBudget = Swift.Duration.milliseconds(20)

  /// A completer for this session's schema, macros and sample.
  public var completer: Completer {
    let cache = valueCache
    let sample = sample
    return Completer(environment: environment, macroNames: macros.names) { field in
      guard let sample else { return [] }
      return cache.values(of: field, in: sample)
    }
  }

  // MARK: Expressions

  /// Checks `text`; on success compiles it, else the reply carries the diagnostics as `check`
  /// renders them (and the correction when there is exactly one fix-it).
  func compile(_ text: String) -> Result<Filter, Reply> {
    let outcome = environment.check(text)
    let rendered = options.formatter.render(outcome.diagnostics, in: outcome.source)
    guard outcome.isValid, let filter = try? environment.compile(text) else {
      var reply = Reply()
      reply.errors = rendered
      reply.failed = true
      reply.correction = Self.correction(of: outcome)
      return .failure(reply)
    }
    return .success(filter)
  }

  /// The text with the fix-it applied, when the diagnostics offer exactly one.
  static func correction(of outcome: CheckOutcome) -> String? {
    let fixIts = outcome.diagnostics.flatMap(\.fixIts)
    guard fixIts.count == 1, let fix = fixIts.first else { return nil }
    let bytes = Array(outcome.source.text.utf8)
    guard fix.range.lowerBound >= 0, fix.range.upperBound <= bytes.count, fix.range.lowerBound <= fix.range.upperBound
    else { return nil }
    let fixed = bytes[..<fix.range.lowerBound] + Array(fix.replacement.utf8) + bytes[fix.range.upperBound...]
    return String(decoding: fixed, as: UTF8.self)
  }

  private func evaluate(_ text: String) -> Reply {
    let filter: Filter
    switch compile(text) {
    case .success(let compiled): filter = compiled
    case .failure(let reply): return reply
    }
    var reply = Reply()
    if !filter.warnings.isEmpty { reply.errors = options.formatter.render(filter.warnings, in: filter.source) }
    guard let sample else {
      reply.output = "\(filter.canonicalSource)\n(valid; no sample loaded: :load FILE evaluates filters on events)\n"
      return reply
    }
    guard case .expression(let expression) = filter.checked else {
      // A sequence runs as a rule of its own over the sample, in the sample's order.
      reply.output = findings(of: [Rule(id: "sequence", name: "sequence", condition: filter.checked)])
      return reply
    }
    let start = ContinuousClock.now
    let interrupted = options.interrupted ?? { false }
    let (matches, evaluated) = sample.matching(expression, schema: environment.schema, interrupted: interrupted)
    let elapsed = ContinuousClock.now - start
    if evaluated < sample.events.count {
      var reply = Reply.error(
        "interrupted after \(evaluated) of \(sample.events.count) events (\(matches.count) matched)"
      )
      reply.failed = false
      return reply
    }
    last = LastResult(filter: filter, matches: matches, shown: 0)
    var text = "\(matches.count) of \(sample.events.count) events match"
    if options.timing { text += String(format: " (%.2f ms)", elapsed.inMilliseconds) }
    reply.output = text + "\n" + nextRows() + KernelSplit.of(filter, over: sample, matched: matches).summary + "\n"
    return reply
  }

  /// The next ``Options/rowLimit`` rows of the last result, and a note if more remain.
  func nextRows() -> String {
    guard var result = last, let sample else { return "" }
    let rows = result.matches[result.shown...].prefix(options.rowLimit)
    let collected = Collected()
    let output = ByteOutput { collected.append($0) }
    let sink: EventSink =
      switch options.output {
      case .table: TableSink(output: output, schema: environment.schema)
      case .json: JSONLinesSink(output: output, hostName: options.hostName, schema: environment.schema)
      }
    for index in rows { try? sink.write(sample.events[index]) }
    try? sink.finish()
    result.shown += rows.count
    last = result
    var text = collected.text
    let remaining = result.matches.count - result.shown
    if remaining > 0 { text += "… \(remaining) more (:more)\n" }
    return text
  }
}

/// Bytes written by a sink, kept as text.
final class Collected: @unchecked Sendable {
  private var bytes: [UInt8] = []
  private let lock = NSLock()

  func append(_ more: [UInt8]) { lock.withLock { bytes += more } }
  var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
}

extension Swift.Duration {
  /// The duration in milliseconds.
  var inMilliseconds: Double {
    let parts = components
    return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
  }
}
