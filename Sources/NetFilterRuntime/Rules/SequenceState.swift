import NetFilterEval
import NetFilterSema

/// The live instances of one sequence rule: one per join-key value (or, for a sequence that joins
/// only through `$alias` references, one per first-step event), each waiting for its next step.
///
/// Time is the events' own: an instance expires when an event more than `maxspan` after its first
/// step's event reaches it, or when a sweep finds the event clock past its deadline. Memory is
/// bounded: past ``RuleLimits/instancesPerRule`` (or the global cap) the oldest instance is evicted
/// and counted.
final class SequenceState {
  /// One partly matched sequence.
  struct Instance {
    /// The order of creation, to tell a live instance from a stale entry of ``order``.
    var serial: UInt64
    /// The next step to fill.
    var next: Int
    /// The first step's event time.
    var start: UInt64
    /// The latest step's event time.
    var last: UInt64
    /// Each filled step's event as a JSON line.
    var events: [[UInt8]]
    /// Each filled step's captured field values (``SequencePlan/captures``).
    var captured: [[FieldValue]]
  }

  let rule: Int
  let plan: SequencePlan
  private(set) var instances: [[FieldValue]: Instance] = [:]
  /// Instances in creation order, for eviction and expiry (entries of removed instances are stale).
  private var order: [(key: [FieldValue], serial: UInt64)] = []
  private var head = 0
  private var serial: UInt64 = 0

  init(rule: Int, plan: SequencePlan) {
    self.rule = rule
    self.plan = plan
  }

  /// The instance waiting under `key`, if it has not expired by `time`.
  func instance(_ key: [FieldValue], at time: UInt64, _ counters: inout RuleCounters) -> Instance? {
    guard let instance = instances[key] else { return nil }
    guard time &- instance.start <= plan.maxSpan || time < instance.start else {
      remove(key, &counters)
      counters.sequenceExpired += 1
      return nil
    }
    return instance
  }

  /// Starts an instance under `key` with its first step's event.
  func start(
    _ key: [FieldValue],
    time: UInt64,
    event: [UInt8],
    captured: [FieldValue],
    limits: RuleLimits,
    _ counters: inout RuleCounters
  ) {
    serial += 1
    let key = plan.usesAliasInstances ? [.uint(serial)] : key
    instances[key] = Instance(serial: serial, next: 1, start: time, last: time, events: [event], captured: [captured])
    order.append((key, serial))
    counters.sequenceInstances += 1
    while instances.count > limits.instancesPerRule || counters.sequenceInstances > limits.instances {
      guard evictOldest(&counters) else { break }
    }
    compactIfSparse()
  }

  /// Stores an advanced instance back, or removes it once it fired.
  func update(_ key: [FieldValue], _ instance: Instance?, _ counters: inout RuleCounters) {
    guard let instance else { return remove(key, &counters) }
    instances[key] = instance
  }

  /// Removes the instance under `key` (the process of its pid exited); whether there was one.
  func end(_ key: [FieldValue], _ counters: inout RuleCounters) -> Bool {
    guard instances[key] != nil else { return false }
    remove(key, &counters)
    return true
  }

  /// Removes the instance under `key`, if any, and counts it out of the live ones.
  private func remove(_ key: [FieldValue], _ counters: inout RuleCounters) {
    guard instances.removeValue(forKey: key) != nil else { return }
    counters.sequenceInstances -= 1
  }

  /// Calls `body` with each instance waiting for `step`, oldest first (sequences joined by aliases
  /// only test each of them), walking the creation order without copying or sorting.
  func forEachWaiting(for step: Int, _ body: ([FieldValue], Instance) throws(OutputError) -> Void) throws(OutputError) {
    let end = order.count
    var index = head
    while index < end {
      let (key, serial) = order[index]
      index += 1
      guard let instance = instances[key], instance.serial == serial, instance.next == step else { continue }
      try body(key, instance)
    }
  }

  /// Removes every instance whose deadline is before `time`, oldest first.
  func sweep(before time: UInt64, _ counters: inout RuleCounters) {
    while head < order.count {
      let (key, serial) = order[head]
      if let instance = instances[key], instance.serial == serial {
        guard time > instance.start, time - instance.start > plan.maxSpan else { break }
        remove(key, &counters)
        counters.sequenceExpired += 1
      }
      head += 1
    }
    compactIfSparse()
  }

  private func evictOldest(_ counters: inout RuleCounters) -> Bool {
    while head < order.count {
      let (key, serial) = order[head]
      head += 1
      if let instance = instances[key], instance.serial == serial {
        remove(key, &counters)
        counters.sequenceEvicted += 1
        return true
      }
    }
    return false
  }

  /// Drops stale entries of ``order`` once they outnumber the live ones.
  private func compactIfSparse() {
    guard order.count - head > 2 * instances.count + 1024 else { return }
    order = order[head...].filter { instances[$0.key]?.serial == $0.serial }
    head = 0
  }
}

/// Bounds on sequence state.
public struct RuleLimits: Sendable {
  /// The most live instances one sequence rule keeps.
  public var instancesPerRule: Int
  /// The most live instances of all sequence rules together.
  public var instances: Int

  /// The defaults: 1,000 per rule and 100,000 in all.
  public init(instancesPerRule: Int = 1000, instances: Int = 100_000) {
    self.instancesPerRule = instancesPerRule
    self.instances = instances
  }
}

/// What a rule set counted.
public struct RuleCounters: Sendable, Equatable {
  /// Findings per rule, in rule order.
  public var findings: [Int] = []
  /// Sequence instances alive now.
  public var sequenceInstances = 0
  /// Instances evicted by the caps.
  public var sequenceEvicted = 0
  /// Instances that outlived their `maxspan`.
  public var sequenceExpired = 0
  /// Instances keyed by a process's pid that ended when the process exited.
  public var sequenceEnded = 0

  /// Zero counts.
  public init() {}
}
