import NetFilter
import Testing

@testable import NetFilterLowering

/// More clauses than bits, DNF blow-up, and several filters sharing one plan.
@Suite struct ClauseLimitTests {
  @Test func clausesDifferingInOneFieldMergeWithoutLoss() throws {
    let filter = (1...70).map { "(net.dport = \($0) and ps.name = 'curl')" }.joined(separator: " or ")
    let plan = try lower(filter)
    #expect(plan.clauses.count == KernelPlan.maxClauses)
    #expect(plan.isExact(filter: 0), "the hull of two clauses differing in one field is their union")
    for port in UInt16(0)...100 {
      let passes = plan.evaluate(KernelView(destinationPort: .value(port), comm: .value("curl"))) != 0
      #expect(passes == (1...70).contains(port), "port \(port)")
    }
  }

  @Test func lossyMergesWidenAndSaySo() throws {
    let filter = (1...70).map { "(net.dport = \($0) and ps.pid = \($0 * 10))" }.joined(separator: " or ")
    let plan = try lower(filter)
    #expect(plan.clauses.count == KernelPlan.maxClauses)
    #expect(!plan.isExact(filter: 0))
    #expect(plan.remarks.contains { $0.reason.contains("merged to fit 64") })
    for index in UInt16(1)...70 {
      let view = KernelView(destinationPort: .value(index), pid: .value(UInt32(index) * 10))
      #expect(plan.evaluate(view) != 0, "clause \(index) must still pass")
    }
    let widened = (UInt16(1)...70).filter {
      plan.evaluate(KernelView(destinationPort: .value($0), pid: .value(5))) != 0
    }
    #expect(widened.count < 70, "most clauses still test both fields")
  }

  @Test func manyFiltersShareBitsOnlyWhenTheyMust() throws {
    let filters = (1...80).map { "net.dport = \($0)" }
    let plan = try lower(filters)
    #expect(plan.clauses.count == KernelPlan.maxClauses)
    #expect(plan.filterMasks.allSatisfy { $0 != 0 })
    for port in 1...80 {
      let matching = plan.filters(matching: plan.evaluate(KernelView(destinationPort: .value(UInt16(port)))))
      #expect(matching.contains(port - 1), "filter \(port - 1)")
      #expect(matching.count <= 2, "a merged bit answers for two filters")
    }
    #expect(plan.evaluate(KernelView(destinationPort: .value(81))) == 0)
    let shared = plan.clauses.filter { $0.filters.count > 1 }
    #expect(shared.count == 16, "80 filters into 64 bits: 16 bits shared by two filters each")
  }

  @Test func dnfOverTheCapReplacesAConjunctByNoConstraint() throws {
    // 2^9 = 512 clauses: over the cap of 256, so one conjunct is replaced by "no constraint".
    let filter = (1...9).map { "(net.dport != \($0) or ps.pid != \($0))" }.joined(separator: " and ")
    let plan = try lower(filter)
    #expect(plan.remarks.contains { $0.reason.contains("disjunctive normal form") })
    #expect(!plan.isExact(filter: 0))
    for port in UInt16(0)...10 {
      for pid in UInt32(0)...10 where !(UInt32(port) == pid && (1...9).contains(pid)) {
        let view = KernelView(destinationPort: .value(port), pid: .value(pid))
        #expect(plan.evaluate(view) != 0, "dport \(port) pid \(pid) matches the filter")
      }
    }
  }

  @Test func productKeepsUnderTheCapByDroppingTheLargestOperand() {
    var dnf = DisjunctiveNormalForm(cap: 4)
    let port = { (value: UInt64) in
      ClauseDraft(.field(.destinationPort, .positive(.ports(PortSet([UInt16(value)...UInt16(value)])))))!
    }
    let pid = { (value: UInt64) in
      ClauseDraft(.field(.pid, .positive(.numbers(ExactSet(values: [value], complemented: false)))))!
    }
    let (clauses, replaced) = dnf.product([[port(1), port(2)], [pid(1), pid(2), pid(3)]])
    #expect(replaced == [1])
    #expect(clauses == [port(1), port(2)])
    #expect(dnf.clauses(.or((1...5).map { .literal(.field(.pid, pid(UInt64($0)).fields[.pid]!)) })) == [.empty])
    #expect(dnf.capped)
  }

  @Test func wideOrBeyondTheCapConstrainsNothing() throws {
    let filter = (1...300).map { "(net.dport = \($0) and ps.pid = \($0))" }.joined(separator: " or ")
    let plan = try lower(filter)
    #expect(plan.passesEverything)
    #expect(plan.remarks.contains { $0.reason.contains("disjunctive normal form") })
  }

  @Test func resultSaysWhichFiltersMayMatch() throws {
    let plan = try lower("net.dport = 53", "ps.name = 'curl'", "net.dport = 53 and ps.name = 'dig'")
    #expect(plan.filterMasks == [0b001, 0b010, 0b100])
    let view = KernelView(destinationPort: .value(53), comm: .value("dig"))
    #expect(plan.filters(matching: plan.evaluate(view)) == [0, 2])
    #expect(plan.filters(matching: plan.evaluate(KernelView(destinationPort: .missing, comm: .value("curl")))) == [1])
  }
}
