import NetFilter
import Testing

/// The plan of `filters`, lowered together.
func lower(_ filters: String...) throws -> KernelPlan {
  try lower(filters)
}

/// The plan of `filters`, lowered together.
func lower(_ filters: [String]) throws -> KernelPlan {
  let environment = Environment()
  return KernelPlan.lower(try filters.map { try environment.compile($0) })
}

/// An address literal.
func ip(_ text: String) -> IPAddress { IPAddress(text)! }

/// A CIDR literal.
func cidr(_ text: String) -> CIDR { CIDR(text)! }

/// Whether exactly the tables named are present.
func tablesPresent(_ plan: KernelPlan) -> Set<String> {
  var present = Set<String>()
  if plan.sourcePort != nil { present.insert("sport") }
  if plan.destinationPort != nil { present.insert("dport") }
  if plan.sourceAddress != nil { present.insert("saddr") }
  if plan.destinationAddress != nil { present.insert("daddr") }
  if plan.l4Protocol != nil { present.insert("proto") }
  if plan.direction != nil { present.insert("direction") }
  if plan.eventKind != nil { present.insert("kind") }
  if plan.pid != nil { present.insert("pid") }
  if plan.tid != nil { present.insert("tid") }
  if plan.comm != nil { present.insert("comm") }
  if plan.cgroupID != nil { present.insert("cgroup") }
  return present
}
