import Foundation
import NetFilter
import NetFilterTestSupport
import Testing

/// The diagnostics of loading rule files (name → text), each with `file:line:column`.
private func problems(_ files: [(String, String)], environment: Environment = Environment()) -> [String] {
  let sources = files.map { SourceText($1, name: $0) }
  let (_, groups) = RuleLibrary.load(sources: sources, environment: environment)
  return groups.flatMap { group in
    group.diagnostics.map {
      "\(group.source.name):\(group.source.lineColumn(of: $0.range.lowerBound)) \($0.id) \($0.message)"
    }
  }
}

private func rule(_ body: String, name: String = "A rule", id: String = "1") -> String {
  "name: \(name)\nid: '\(id)'\nversion: 1.0.0\nmin-engine-version: 3.0.0\n\(body)"
}

private let networkMacros = repositoryRoot.appendingPathComponent("examples/macros/network.yml").path

@Suite struct RuleFileTests {
  @Test func aRuleLoadsWithItsMetadata() throws {
    let yaml = rule(
      """
      condition: evt.name = 'Connect' and net.dport = 4444
      severity: critical
      output: '%ps.name to %net.dip:%net.dport'
      tags: [a, b]
      labels: {tactic: c2}
      enabled: false
      """
    )
    let (library, groups) = RuleLibrary.load(sources: [SourceText(yaml, name: "r.yml")])
    #expect(groups.isEmpty)
    let loaded = try #require(library.entries.first)
    #expect(loaded.rule.severity == .critical && loaded.rule.severity.priority == "Critical")
    #expect(loaded.rule.tags == ["a", "b"] && loaded.rule.labels == ["tactic": "c2"] && !loaded.rule.enabled)
    #expect(loaded.rule.output?.fields.map(\.written) == ["ps.name", "net.dip", "net.dport"])
    #expect(loaded.eventKinds == ["Connect"])
  }

  @Test func aListOfRulesLoadsToo() {
    let yaml =
      "- " + rule("condition: evt.name = 'Send'", name: "one", id: "1").replacingOccurrences(of: "\n", with: "\n  ")
      + "\n- " + rule("condition: evt.name = 'Recv'", name: "two", id: "2").replacingOccurrences(of: "\n", with: "\n  ")
    let (library, groups) = RuleLibrary.load(sources: [SourceText(yaml, name: "r.yml")])
    #expect(groups.isEmpty && library.rules.map(\.name) == ["one", "two"])
  }

  @Test func anUnknownKeyPointsAtItWithASuggestion() throws {
    let yaml = rule("condition: evt.name = 'Send'\nseverty: high")
    let (_, groups) = RuleLibrary.load(sources: [SourceText(yaml, name: "r.yml")])
    let diagnostic = try #require(groups.first?.diagnostics.first)
    #expect(diagnostic.id.description == "rules.unknownKey")
    #expect(groups[0].source.lineColumn(of: diagnostic.range.lowerBound).description == "6:1")
    #expect(diagnostic.notes.map(\.message) == ["did you mean 'severity'?"])
  }

  @Test func duplicateIdsAndNamesNameBothFiles() {
    let first = rule("condition: evt.name = 'Send'", name: "same", id: "x")
    let found = problems([("a.yml", first), ("b.yml", first)])
    #expect(found == ["b.yml:2:5 rules.duplicateID rule id 'x' is already used at a.yml:2:5"])
    let named = problems([("a.yml", first), ("b.yml", rule("condition: evt.name = 'Send'", name: "same", id: "y"))])
    #expect(named == ["b.yml:1:7 rules.duplicateName rule name 'same' is already used at a.yml:1:7"])
  }

  @Test func conditionErrorsPointIntoTheFile() {
    // A block scalar on its own lines: the error is on line 7, where `net.dprot` is written.
    let yaml = rule("condition: >\n  evt.name = 'Connect'\n  and net.dprot = 80\n")
    let found = problems([("r.yml", yaml)])
    #expect(found.first == "r.yml:7:7 sema.unknownField unknown field 'net.dprot'")
  }

  @Test func badValuesAreErrorsWithTheirPosition() {
    #expect(
      problems([("r.yml", rule("condition: evt.name = 'Send'\nseverity: urgent"))])
        == ["r.yml:6:11 rules.invalidSeverity severity must be low, medium, high or critical, not urgent"]
    )
    #expect(
      problems([("r.yml", rule("condition: evt.name = 'Send'\noutput: '%net.dprot'"))]).first?.contains(
        "r.yml:6:10 rules.invalidOutput in the output of rule 'A rule': unknown field 'net.dprot'"
      ) == true
    )
    #expect(
      problems([("r.yml", "name: x\nid: y\nversion: 1\nmin-engine-version: 3.0.0\ncondition: evt.name = 'Send'\n")])
        == ["r.yml:3:10 rules.invalidVersion 'version' must be a version such as 1.0.0, not '1'"]
    )
    #expect(problems([("r.yml", "name: x\n")]).contains { $0.contains("rules.missingKey rule 'x' has no 'condition'") })
    #expect(problems([("r.yml", "[unclosed")]).first?.contains("rules.invalidYAML") == true)
  }

  @Test func aNewerEngineVersionIsRefusedInFibratusWords() {
    let yaml = "name: x\nid: y\nversion: 1.0.0\nmin-engine-version: 9.0.0\ncondition: evt.name = 'Send'\n"
    #expect(
      problems([("r.yml", yaml)])
        == ["r.yml:4:21 rules.engineTooNew rule \"x\" needs engine version [9.0.0] but current version is [3.1.0]"]
    )
  }

  @Test func warningsDoNotStopLoading() {
    let yaml = rule("condition: net.dport = 4444\naction: [{name: kill}]")
    let (library, groups) = RuleLibrary.load(sources: [SourceText(yaml, name: "r.yml")])
    #expect(library.rules.count == 1)
    #expect(groups.flatMap(\.diagnostics).map(\.id.description) == ["rules.actionIgnored", "rules.noEventKind"])
    #expect(!groups.containsErrors)
  }

  @Test func sequenceLimitsAreErrors() {
    let oneStep = problems([("r.yml", rule("condition: sequence |evt.name = 'Send'|"))])
    #expect(oneStep.first?.contains("sema.tooFewSequenceSteps") == true)
    let long = problems([("r.yml", rule("condition: sequence maxspan 5h |evt.name = 'Send'| |evt.name = 'Recv'|"))])
    #expect(long.first?.contains("sema.maxSpanTooLong") == true)
    let mixed = problems([
      ("r.yml", rule("condition: sequence by ps.pid |evt.name = 'Send'| by ps.pid |evt.name = 'Recv'| by ps.pid"))
    ])
    #expect(mixed.first?.contains("sema.mixedSequenceJoins") == true)
  }

  /// Every example rule loads with the example network macros, as Fibratus rules load with theirs.
  @Test func exampleRulesLoadWithTheNetworkMacros() throws {
    let (macros, macroProblems) = MacroLibrary.read(files: [networkMacros])
    #expect(macroProblems.isEmpty)
    let directory = repositoryRoot.appendingPathComponent("examples/rules").path
    let (library, groups) = RuleLibrary.read(paths: [directory], environment: Environment(resolver: macros))
    #expect(groups.isEmpty, "\(groups.render(with: DiagnosticFormatter(style: .llvm)))")
    #expect(library.rules.count == 3)
  }

  /// The example rules over examples/events/rules-demo.jsonl: the reverse shell and the beacon fire,
  /// once each; the private connection, the changed endpoint and the slow beacon do not.
  @Test func exampleRulesFindTheDemoEvents() throws {
    let (macros, _) = MacroLibrary.read(files: [networkMacros])
    let directory = repositoryRoot.appendingPathComponent("examples/rules").path
    let (library, _) = RuleLibrary.read(paths: [directory], environment: Environment(resolver: macros))
    let events = repositoryRoot.appendingPathComponent("examples/events/rules-demo.jsonl").path
    let collected = CollectedOutput()
    let counters = try Pipeline(rules: library.rules, source: .jsonLines(path: events, strict: true))
      .run(into: collected.sink(hostName: "demo"))
    let findings = try collected.lines.map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    #expect(
      findings.map { $0["output"] as? String } == [
        "bash (4100) connected to 203.0.113.5:4444",
        "curl (4200) connected to 198.51.100.7:443 three times, from ports 40200, 40202 and 40203",
      ]
    )
    #expect(findings.map { ($0["events"] as? [Any])?.count } == [1, 3])
    // bash's and wget's beacons outlived their five minutes.
    #expect(counters.findings == 2 && counters.rules?.counters.sequenceExpired == 2)
  }
}
