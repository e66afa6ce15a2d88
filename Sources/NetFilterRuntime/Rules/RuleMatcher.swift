import NetFilterEval
import NetFilterSema

/// A rule set's conditions compiled for events of type `E`, testing each event against every
/// rule and advancing the engine's sequences. Testing an event that matches nothing allocates
/// nothing.
struct RuleMatcher<E: OutputEvent> {
  let engine: RuleEngine
  let programs: ProgramSet<E>
  /// Each rule's first expression in ``set``.
  let first: [Int]
  /// For each expression: the bound slots it reads and the (step, capture) that fills each.
  let fills: [[(slot: Int, step: Int, capture: Int)]]
  /// Makes an event ready to be shown (a live event gets its process from /proc).
  var prepare: (E) -> E = { $0 }
  /// The fields read of matching events, resolved once for `E`: the time, and for each step of a
  /// sequence (by expression) its join fields and the fields it keeps for `$alias` and templates.
  let timeReader: FieldReader<E>?
  let joins: [[FieldReader<E>]]
  let captures: [[FieldReader<E>]]

  init(engine: RuleEngine) {
    self.engine = engine
    let (all, first) = engine.expressions
    let set = ProgramSet<E>(all, reading: engine.index.readFields(engine.schema), schema: engine.schema)
    self.programs = set
    self.first = first
    var fills = Array(repeating: [(slot: Int, step: Int, capture: Int)](), count: all.count)
    var joins = Array(repeating: [FieldReader<E>](), count: all.count)
    var captures = joins
    for (rule, plan) in engine.plans.enumerated() {
      guard let plan, let steps = engine.rules[rule].sequence?.steps else { continue }
      let aliases = steps.map(\.alias)
      for step in steps.indices {
        let index = first[rule] + step
        joins[index] = plan.by[step].map(FieldReader.init)
        captures[index] = plan.captures[step].map(FieldReader.init)
        fills[index] = set.boundSlots(of: index).compactMap { slot in
          let (alias, field) = set.bound.slots[slot]
          guard let source = aliases.firstIndex(of: alias), let capture = plan.captures[source].firstIndex(of: field)
          else { return nil }
          return (slot, source, capture)
        }
      }
    }
    self.fills = fills
    self.joins = joins
    self.captures = captures
    timeReader = engine.time.map(FieldReader.init)
  }

  /// The time of `event` in nanoseconds (0 when it has none).
  func time(of event: E) -> UInt64 { timeReader.map { RuleEngine.nanoseconds($0.read(event)) } ?? 0 }

  /// What the rules' fields cost the source.
  var needs: FieldNeeds { programs.needs }

  /// Tests `event` against every rule, writing findings to `sink`; whether any condition or step
  /// matched.
  func handle(_ event: E, _ sink: EventSink) throws(OutputError) -> Bool {
    var matched = false
    var shown: E?
    for rule in engine.index.always where try test(rule, event, &shown, sink) { matched = true }
    // The engine's buffer, held here so that filling it needs no access checks and no allocation.
    var candidates = engine.candidates
    engine.candidates = []
    defer { engine.candidates = candidates }
    candidates.removeAll(keepingCapacity: true)
    engine.index.forEachCandidate(of: event, reading: programs.fieldReaders) { rule in
      candidates.append(rule)
      return true
    }
    guard !candidates.isEmpty else { return matched }
    // Rules in rule order, each once, after the unindexed ones: the same order on every run.
    candidates.sort()
    var previous = -1
    for rule in candidates where rule != previous {
      previous = rule
      if try test(rule, event, &shown, sink) { matched = true }
    }
    return matched
  }

  /// Tests `event` against rule `rule`; whether its condition or a step matched.
  @inline(__always)
  private func test(_ rule: Int, _ event: E, _ shown: inout E?, _ sink: EventSink) throws(OutputError) -> Bool {
    guard engine.plans[rule] == nil else { return try advance(rule, event, &shown, sink) }
    guard programs.matches(first[rule], event) else { return false }
    let ready = shown ?? prepare(event)
    shown = ready
    try sink.write(single(rule, ready))
    return true
  }

  private func single(_ rule: Int, _ event: E) -> Finding {
    let line = event.jsonLine(hostName: engine.hostName, schema: engine.schema)
    return engine.finding(rule, time: time(of: event), events: [line]) { _, field in event.lookup(field) }
  }
}
