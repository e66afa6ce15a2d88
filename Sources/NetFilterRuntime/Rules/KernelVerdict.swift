import NetFilterLowering
import NetFilterSema

/// How much of a rule the kernel plan decides.
public enum KernelVerdict: String, Sendable {
  /// The kernel decides the condition exactly; user space only confirms.
  case full
  /// The kernel lets through a superset; user space tests the rest (always so for sequences).
  case partial
  /// The kernel cannot restrict the rule: every event reaches user space for it.
  case none

  /// The verdict for `rule` lowered on its own.
  public init(_ rule: Rule) {
    let plan = KernelPlan.lower([rule.condition.kernelExpression])
    if plan.passesEverything {
      self = .none
    } else if plan.isExact(filter: 0), rule.sequence == nil {
      self = .full
    } else {
      self = .partial
    }
  }
}
