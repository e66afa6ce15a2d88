import NetFilter

/// What the kernel plan of a filter would decide on a sample: how many events it passes to user
/// space, and how many of those the whole filter matches. The plan passes a superset of the
/// matches, so ``passed`` is never below ``matched``.
public struct KernelSplit: Sendable, Equatable {
  /// Events in the sample.
  public var total: Int
  /// Events the kernel plan lets through.
  public var passed: Int
  /// Events the whole filter matches.
  public var matched: Int
  /// Whether the plan decides the whole filter (no residue for user space).
  public var exact: Bool

  /// The split of `filter` over `sample`, given the indices it matched.
  public static func of(_ filter: Filter, over sample: Sample, matched: [Int]) -> KernelSplit {
    let plan = filter.kernelPlan
    // A model per event: the sample holds events of several types.
    func passes<E: OutputEvent>(_ event: E) -> Bool { KernelModel<E>(plan).passes(event) }
    let passed = sample.events.count(where: { passes($0) })
    return KernelSplit(
      total: sample.events.count,
      passed: passed,
      matched: matched.count,
      exact: plan.isExact(filter: 0)
    )
  }

  /// One line: `kernel plan passes P of M events (x%); the filter matches N, P-N re-checked in user space`.
  public var summary: String {
    let share = total == 0 ? 0 : Double(passed) * 100 / Double(total)
    let percent = String(format: "%.1f%%", share)
    let rest = exact ? "the kernel decides it alone" : "\(passed - matched) dropped in user space"
    return "kernel plan passes \(passed) of \(total) events (\(percent)); the filter matches \(matched); \(rest)"
  }
}
