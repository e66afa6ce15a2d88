import Foundation
import NetFilter

extension Session {
  /// The most findings a `:rules` reply lists.
  static let findingRows = 20

  /// `:rules PATH`: runs the rule files at `path` (with the session's macros) over the sample, in
  /// its order, and lists the findings and how many each rule had.
  func rules(_ path: String) -> Reply {
    guard FileManager.default.fileExists(atPath: path) else {
      return .error("cannot read rule file or directory '\(path)': No such file or directory")
    }
    let (library, problems) = RuleLibrary.read(paths: [path], environment: environment)
    var reply = Reply()
    let rendered = problems.render(with: options.formatter)
    if problems.containsErrors {
      reply.errors = rendered
      reply.failed = true
      return reply
    }
    if !rendered.isEmpty { reply.errors = rendered }
    guard sample != nil else {
      reply.output = "\(library.rules.count) rules load; :load FILE to try them on a sample\n"
      return reply
    }
    reply.output = findings(of: library.rules)
    return reply
  }

  /// Runs `rules` over the sample: the findings (at most ``findingRows``) and the count per rule.
  func findings(of rules: [Rule]) -> String {
    let events = sample?.events ?? []
    let runner = RuleRunner<SampleEvent>(rules: rules, source: "repl", hostName: "repl")
    let findings = FindingList()
    for event in events { _ = try? runner.handle(SampleEvent(event), into: findings) }
    let enabled = rules.filter(\.enabled)
    var lines = ["\(findings.items.count) findings of \(enabled.count) rules over \(events.count) events"]
    lines += findings.items.prefix(Self.findingRows).map(\.tableLine)
    if findings.items.count > Self.findingRows { lines.append("… \(findings.items.count - Self.findingRows) more") }
    let counts = zip(enabled, runner.counters.findings).filter { $0.1 > 0 }
    if !counts.isEmpty {
      lines.append("COUNT  RULE")
      lines += counts.map { rule, count in "\(String(count).leftPadded(to: 5))  \(rule.name)" }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

/// A sample event as one concrete type for a rule runner: its fields are read through the event
/// itself (a sample is small, so a lookup per field read costs little).
struct SampleEvent: OutputEvent {
  let base: any OutputEvent

  init(_ base: any OutputEvent) { self.base = base }

  func value(of key: FieldKey) -> FieldValue { base.lookup(key.binding) }
  func lookup(_ binding: FieldBinding) -> FieldValue { base.lookup(binding) }
  func jsonLine(hostName: String, schema: Schema) -> [UInt8] { base.jsonLine(hostName: hostName, schema: schema) }
  func detached() -> SampleEvent { self }
}

/// Keeps the findings a rule runner writes.
final class FindingList: EventSink {
  var items: [Finding] = []

  func write<E: OutputEvent>(_ event: E) throws(OutputError) {
    if let finding = event as? Finding { items.append(finding) }
  }
  func flush() throws(OutputError) {}
  func finish() throws(OutputError) {}
}

extension String {
  /// The string with spaces before it up to `width` characters.
  fileprivate func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
