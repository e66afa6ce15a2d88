import Foundation
import Synchronization

/// A bounded queue of alerts between the capture thread and one output's delivery thread: a ring
/// of slots allocated once. ``push(_:)`` never waits; when the queue is full the new alert is
/// refused (drop-newest, as Falco's output queue does) and the caller counts it.
public final class OutputQueue: @unchecked Sendable {
  private let condition = NSCondition()
  private var slots: [Alert?]
  private var head = 0
  private var count = 0
  private var closed = false
  private let depth = Atomic<Int>(0)
  /// How many alerts fit.
  public let capacity: Int

  /// An empty queue for `capacity` alerts (at least 1).
  public init(capacity: Int) {
    self.capacity = max(1, capacity)
    slots = [Alert?](repeating: nil, count: self.capacity)
  }

  /// Alerts waiting now (read without the lock: for metrics, and to skip building an alert that
  /// would be dropped).
  public var waiting: Int { depth.load(ordering: .relaxed) }

  /// Whether another alert fits now.
  public var hasRoom: Bool { waiting < capacity }

  /// Adds `alert` unless the queue is full or closed; returns whether it was added.
  public func push(_ alert: Alert) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    guard count < capacity, !closed else { return false }
    slots[(head + count) % capacity] = alert
    count += 1
    depth.store(count, ordering: .relaxed)
    condition.signal()
    return true
  }

  /// Waits for at least one alert, then takes up to `limit`, waiting up to `delay` seconds after the
  /// first for more (batching). Returns an empty array once the queue is closed and empty.
  public func take(upTo limit: Int, delay: Double) -> [Alert] {
    condition.lock()
    defer { condition.unlock() }
    while count == 0, !closed { condition.wait() }
    if delay > 0, count < limit, !closed {
      let until = Date(timeIntervalSinceNow: delay)
      while count < limit, !closed, condition.wait(until: until) {}
    }
    var taken: [Alert] = []
    taken.reserveCapacity(min(limit, count))
    while count > 0, taken.count < limit {
      taken.append(slots[head]!)
      slots[head] = nil
      head = (head + 1) % capacity
      count -= 1
    }
    depth.store(count, ordering: .relaxed)
    return taken
  }

  /// Refuses further alerts and wakes the delivery thread; what is queued can still be taken.
  public func close() {
    condition.lock()
    closed = true
    condition.broadcast()
    condition.unlock()
  }

  /// Takes everything left (when giving up at the shutdown deadline).
  public func drain() -> Int {
    condition.lock()
    defer { condition.unlock() }
    let drained = count
    for index in 0..<capacity { slots[index] = nil }
    head = 0
    count = 0
    depth.store(0, ordering: .relaxed)
    return drained
  }
}
