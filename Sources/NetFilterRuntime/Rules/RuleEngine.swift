import NetFilterEval
import NetFilterSema

/// A rule set running over one stream of events: the rules, each sequence's instances, and the
/// counters, shared by the matchers of every event type the source produces (a live capture's
/// packets and socket events advance the same sequences).
final class RuleEngine {
  let rules: [Rule]
  let plans: [SequencePlan?]
  let sequences: [SequenceState?]
  let limits: RuleLimits
  let source: String
  let hostName: String
  let schema: Schema
  /// The field every event's time is read from.
  let time: FieldBinding?
  var counters = RuleCounters()
  /// Which rules an event can match.
  let index: ConditionIndex
  /// The candidate rules of the event being tested (reused, so testing allocates nothing).
  var candidates: [Int] = []
  /// Findings of every rule so far.
  private(set) var totalFindings = 0
  /// The event time after which the next sweep of expired instances runs.
  private var nextSweep: UInt64 = 0

  init(rules: [Rule], limits: RuleLimits, source: String, hostName: String, schema: Schema) {
    let rules = rules.filter(\.enabled)
    self.rules = rules
    plans = rules.map { rule in rule.sequence.map { SequencePlan($0, output: rule.output) } }
    sequences = plans.enumerated().map { index, plan in plan.map { SequenceState(rule: index, plan: $0) } }
    self.limits = limits
    self.source = source
    self.hostName = hostName
    self.schema = schema
    time = schema.field(named: "evt.time.ns").map { FieldBinding($0) }
    index = ConditionIndex(rules.map(\.steps))
    candidates.reserveCapacity(rules.count)
    counters.findings = Array(repeating: 0, count: rules.count)
  }

  /// Every condition of every rule, rule by rule and step by step, and where each rule's begin.
  var expressions: (all: [CheckedExpr], first: [Int]) {
    var all: [CheckedExpr] = []
    var first: [Int] = []
    for rule in rules {
      first.append(all.count)
      all += rule.steps
    }
    return (all, first)
  }

  /// An event's time in nanoseconds, from the value of its ``time`` field (0 when it has none).
  static func nanoseconds(_ value: FieldValue) -> UInt64 {
    switch value {
    case .int(let value): return UInt64(clamping: value)
    case .uint(let value): return value
    default: return 0
    }
  }

  /// Ends the instances of every sequence joined by `ps.pid` alone whose key is `pid`: the process
  /// exited, so no later event of it can complete them (a new process may reuse the pid).
  func processExited(pid: UInt32) {
    let key: [FieldValue] = [.uint(UInt64(pid))]
    for state in sequences {
      guard let state, state.plan.by.allSatisfy({ $0.count == 1 && $0[0].descriptor.name == "ps.pid" }) else {
        continue
      }
      if state.end(key, &counters) { counters.sequenceEnded += 1 }
    }
  }

  /// Removes expired instances of every sequence once per second of event time.
  func sweep(at time: UInt64) {
    guard time >= nextSweep else { return }
    nextSweep = time &+ 1_000_000_000
    for state in sequences { state?.sweep(before: time, &counters) }
  }

  /// A finding of rule `index`; `value(event, field)` reads the template's fields.
  func finding(
    _ index: Int,
    time: UInt64,
    events: [[UInt8]],
    key: [(name: String, value: FieldValue)] = [],
    value: (Int, FieldBinding) -> FieldValue
  ) -> Finding {
    let rule = rules[index]
    counters.findings[index] += 1
    totalFindings += 1
    var output = ""
    var fields: [(name: String, value: FieldValue)] = []
    if let template = rule.output {
      for part in template.parts {
        switch part {
        case .text(let text): output += text
        case .field(let event, let field, _):
          let found = value(event, field)
          output += found == .missing ? "N/A" : found.text
        }
      }
      fields = template.fields.map { event, field, written in
        (event == 0 ? written : "\(event + 1).\(written)", value(event, field))
      }
    } else {
      output = rule.name
    }
    return Finding(
      rule: rule,
      time: time,
      source: source,
      hostName: hostName,
      output: output,
      outputFields: fields,
      key: key,
      events: events
    )
  }
}
