import NetFilter
import NetFilterTestSupport
import Testing

/// THE property of the offload: the kernel plan never rejects an event the full filter accepts. Random
/// filters over kernel and user-space fields, several lowered together, against random events whose
/// kernel view is evaluated on the Swift model of the kernel program. Where the plan says it decides a
/// filter exactly, and the view has no unknown value, the kernel's answer must equal the filter's.
@Suite struct SoundnessTests {
  /// Counts over one run, to show the plans actually filter.
  struct Tally: CustomStringConvertible {
    var evaluations = 0
    var rejectedByFilter = 0
    var rejectedByKernel = 0
    var exactChecks = 0
    var fullPlans = 0

    var description: String {
      "\(evaluations) evaluations: the filter rejects \(rejectedByFilter), the kernel \(rejectedByKernel); "
        + "\(exactChecks) exact answers checked; \(fullPlans) plans with all 64 bits used"
    }
  }

  /// One property run: `plans` plans of the filters `makeFilters` draws, each against `events` events.
  struct Run {
    var seed: UInt64
    var plans = 120
    var events = 60
    /// Lower as a rule set: clauses of different filters merge into their union.
    var acrossFilters = false
    var tally = Tally()

    mutating func check(_ makeFilters: (inout RandomFilters, inout SplitMix64) -> [String]) throws {
      var filters = RandomFilters(rng: SplitMix64(seed: seed))
      var rng = SplitMix64(seed: seed ^ 0xA5A5_A5A5)
      let environment = Environment()
      for round in 0..<plans {
        let texts = makeFilters(&filters, &rng)
        let compiled = try texts.map { try environment.compile($0) }
        let programs = try compiled.map { try $0.program(for: ModelEvent.self) }
        let plan = KernelPlan.lower(compiled, mergingAcrossFilters: acrossFilters)
        if plan.clauses.count == KernelPlan.maxClauses { tally.fullPlans += 1 }
        checkResidues(plan, texts, round: round)
        for _ in 0..<events {
          let world = World.random(using: &rng)
          let result = plan.evaluate(world.view)
          for (index, program) in programs.enumerated() {
            check(plan, index, result, program.matches(world.event), world) { "round \(round): '\(texts[index])'" }
          }
        }
      }
    }

    private mutating func check(
      _ plan: KernelPlan,
      _ filter: Int,
      _ result: UInt64,
      _ matches: Bool,
      _ world: World,
      _ what: () -> String
    ) {
      let passes = result & plan.filterMasks[filter] != 0
      tally.evaluations += 1
      if !matches { tally.rejectedByFilter += 1 }
      if !passes { tally.rejectedByKernel += 1 }
      #expect(!matches || passes, "seed \(seed) \(what()): the kernel rejects a match\n  \(world)")
      if plan.isExact(filter: filter), !world.hasUnknowns {
        tally.exactChecks += 1
        #expect(matches == passes, "seed \(seed) \(what()): not exact, residue '\(plan.residues[filter])'\n  \(world)")
      }
    }

    /// Residues are real source: every one checks.
    private func checkResidues(_ plan: KernelPlan, _ texts: [String], round: Int) {
      #expect(plan.residues.count == texts.count)
      #expect(plan.clauses.count <= KernelPlan.maxClauses)
      for residue in plan.residues where !residue.isEmpty {
        #expect(Environment().check(residue).isValid, "seed \(seed) round \(round): residue '\(residue)' of \(texts)")
      }
    }
  }

  @Test(arguments: [1, 2, 3, 0x5EED, 0xC0FFEE, 20_260_101] as [UInt64])
  func kernelPlanNeverRejectsAMatchingEvent(seed: UInt64) throws {
    var run = Run(seed: seed)
    try run.check { filters, rng in (0..<Int.random(in: 1...4, using: &rng)).map { _ in filters.filter() } }
    // The plans filter: a plan accepting everything would reject nothing here.
    #expect(run.tally.rejectedByKernel * 2 >= run.tally.rejectedByFilter, "\(run.tally)")
    #expect(run.tally.exactChecks > run.tally.evaluations / 20, "\(run.tally)")
  }

  @Test(arguments: RandomFilters.Family.allCases)
  func eachFamilyOfTestsOnItsOwn(family: RandomFilters.Family) throws {
    var run = Run(seed: 7, plans: 150)
    try run.check { filters, rng in
      filters.families = [family]
      return (0..<Int.random(in: 1...3, using: &rng)).map { _ in filters.filter() }
    }
    if family != .userSpace {
      #expect(run.tally.rejectedByKernel * 3 >= run.tally.rejectedByFilter, "\(family): \(run.tally)")
    }
  }

  @Test(arguments: [11, 12, 13] as [UInt64])
  func plansWithMoreClausesThanBitsStaySound(seed: UInt64) throws {
    let kernelFamilies: [RandomFilters.Family] = [.ports, .addresses, .process, .kinds, .protocols]
    // Ports, addresses and protocols lower exactly: their merges must say when they widen.
    for families in [kernelFamilies, [.ports, .addresses, .protocols]] {
      var run = Run(seed: seed, plans: 25, events: 150)
      try run.check { filters, rng in
        filters.families = families
        return (0..<Int.random(in: 3...6, using: &rng)).map { _ in
          filters.wide(disjuncts: Int.random(in: 10...30, using: &rng))
        }
      }
      #expect(run.tally.fullPlans >= run.plans / 3, "\(run.tally)")
      #expect(run.tally.rejectedByKernel > 0, "\(run.tally)")
      if families.count == 3 { #expect(run.tally.exactChecks > 0, "\(run.tally)") }
    }
  }

  /// A rule set is one plan of many filters (every enabled rule one filter): from 1 to 2,000 rules,
  /// no rule loses a match, and the plan still rejects events.
  @Test(arguments: [1, 10, 200, 2_000])
  func ruleSetsOfUpToTwoThousandRulesStaySound(rules: Int) throws {
    for acrossFilters in [false, true] {
      var run = Run(seed: UInt64(rules) &* 7919, plans: rules >= 200 ? 2 : 20, events: rules >= 200 ? 40 : 60)
      run.acrossFilters = acrossFilters
      try run.check { filters, _ in (0..<rules).map { _ in filters.filter() } }
      #expect(run.tally.evaluations == run.plans * run.events * rules)
      if rules <= 10 { #expect(run.tally.rejectedByKernel > 0, "\(run.tally)") }
    }
  }

  /// 1,000 rules on one port each are one clause over a port set, and pass exactly their ports.
  @Test func rulesOnOneFieldMergeIntoOneClause() throws {
    let rules = try (0..<1_000).map { try Environment().compile("net.dport = \(10_000 + $0 * 7)") }
    let plan = KernelPlan.lower(rules, mergingAcrossFilters: true)
    #expect(plan.clauses.count == 1)
    for port in UInt16(9_990)...17_000 {
      let passes = plan.evaluate(KernelView(destinationPort: .value(port))) != 0
      #expect(passes == (port >= 10_000 && (port - 10_000) % 7 == 0 && port < 17_000), "port \(port)")
    }
    let connects = try (0..<300).map {
      try Environment().compile("evt.name = 'Connect' and net.dport = \(20_000 + $0)")
    }
    #expect(KernelPlan.lower(connects, mergingAcrossFilters: true).clauses.count == 1)
  }

  @Test func selectiveFilterRejectsMostEvents() throws {
    let filter = try Environment().compile("net.dport = 53 and net.dip in (10.0.0.0/8, 8.8.8.8)")
    let plan = filter.kernelPlan
    let program = try filter.program(for: ModelEvent.self)
    var rng = SplitMix64(seed: 42)
    var passed = 0
    var matched = 0
    for _ in 0..<5000 {
      let world = World.random(using: &rng)
      if plan.evaluate(world.view) != 0 { passed += 1 }
      if program.matches(world.event) { matched += 1 }
    }
    #expect(matched > 0, "the generator produces matching events")
    #expect(passed < 5000 / 5, "the kernel passes \(passed) of 5000")
    #expect(passed >= matched)
  }
}
