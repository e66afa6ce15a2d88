import NetFilterEval
import NetFilterSema

extension RuleMatcher {
  /// Offers `event` to sequence rule `rule`, last step first, so that one event fills at most one
  /// step of an instance; whether any step matched.
  func advance(_ rule: Int, _ event: E, _ shown: inout E?, _ sink: EventSink) throws(OutputError) -> Bool {
    guard let state = engine.sequences[rule] else { return false }
    let plan = state.plan
    var matched = false
    var touched: [[FieldValue]] = []
    var time: UInt64?
    for step in plan.by.indices.reversed() {
      let index = first[rule] + step
      if step > 0, state.instances.isEmpty { continue }
      if fills[index].isEmpty, !programs.matches(index, event) { continue }
      let now = time ?? self.time(of: event)
      time = now
      engine.sweep(at: now)
      if plan.usesAliasInstances {
        matched = try advanceAliased(rule, step, event, now, &shown, sink) || matched
        continue
      }
      guard let key = key(event, joins[index]), !touched.contains(key) else { continue }
      if step == 0 {
        guard state.instance(key, at: now, &engine.counters) == nil else { continue }
        let ready = shown ?? prepare(event)
        shown = ready
        state.start(
          key,
          time: now,
          event: line(ready),
          captured: capture(ready, captures[index]),
          limits: engine.limits,
          &engine.counters
        )
        matched = true
        continue
      }
      guard let instance = state.instance(key, at: now, &engine.counters), instance.next == step, now >= instance.last
      else { continue }
      if !fills[index].isEmpty {
        bind(fills[index], instance)
        guard programs.matches(index, event) else { continue }
      }
      matched = true
      touched.append(key)
      try fill(rule, key, instance, step, event, now, &shown, sink)
    }
    return matched
  }

  /// For a sequence joined only by `$alias` references: tests the step against each instance
  /// waiting for it.
  private func advanceAliased(
    _ rule: Int,
    _ step: Int,
    _ event: E,
    _ now: UInt64,
    _ shown: inout E?,
    _ sink: EventSink
  ) throws(OutputError) -> Bool {
    guard let state = engine.sequences[rule] else { return false }
    let index = first[rule] + step
    if step == 0 {
      let ready = shown ?? prepare(event)
      shown = ready
      state.start(
        [],
        time: now,
        event: line(ready),
        captured: capture(ready, captures[index]),
        limits: engine.limits,
        &engine.counters
      )
      return true
    }
    var matched = false
    try state.forEachWaiting(for: step) { (key, instance) throws(OutputError) in
      guard now >= instance.last, state.instance(key, at: now, &engine.counters) != nil else { return }
      bind(fills[index], instance)
      guard programs.matches(index, event) else { return }
      matched = true
      try fill(rule, key, instance, step, event, now, &shown, sink)
    }
    return matched
  }

  /// Records `event` as `step` of `instance`; at the last step writes the finding and ends the
  /// instance (only that one).
  private func fill(
    _ rule: Int,
    _ key: [FieldValue],
    _ instance: SequenceState.Instance,
    _ step: Int,
    _ event: E,
    _ now: UInt64,
    _ shown: inout E?,
    _ sink: EventSink
  ) throws(OutputError) {
    guard let state = engine.sequences[rule] else { return }
    let ready = shown ?? prepare(event)
    shown = ready
    var instance = instance
    instance.events.append(line(ready))
    instance.captured.append(capture(ready, captures[first[rule] + step]))
    instance.next += 1
    instance.last = now
    guard instance.next == state.plan.by.count else {
      state.update(key, instance, &engine.counters)
      return
    }
    state.update(key, nil, &engine.counters)
    let captures = state.plan.captures
    let joined = zip(state.plan.by[0], instance.captured[0]).map { ($0.description, $1) }
    let finding = engine.finding(
      rule,
      time: now,
      events: instance.events,
      key: state.plan.usesAliasInstances ? [] : joined
    ) {
      event,
      field in
      guard event < instance.captured.count, let at = captures[event].firstIndex(of: field) else { return .missing }
      return instance.captured[event][at]
    }
    try sink.write(finding)
  }

  /// The join key of `event`: its `by` fields, strings lowercased; `nil` when one is missing.
  private func key(_ event: E, _ fields: [FieldReader<E>]) -> [FieldValue]? {
    var key: [FieldValue] = []
    key.reserveCapacity(fields.count)
    for field in fields {
      switch field.read(event) {
      case .missing: return nil
      case .string(let text): key.append(.string(text.lowercased()))
      case .strings(let texts): key.append(.strings(texts.map { $0.lowercased() }))
      case let value: key.append(value)
      }
    }
    return key
  }

  private func bind(_ fills: [(slot: Int, step: Int, capture: Int)], _ instance: SequenceState.Instance) {
    for (slot, step, capture) in fills {
      programs.bound.values[slot] = step < instance.captured.count ? instance.captured[step][capture] : .missing
    }
  }

  private func capture(_ event: E, _ fields: [FieldReader<E>]) -> [FieldValue] { fields.map { $0.read(event) } }

  private func line(_ event: E) -> [UInt8] { event.jsonLine(hostName: engine.hostName, schema: engine.schema) }
}
