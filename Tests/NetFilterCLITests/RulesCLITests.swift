import Foundation
import NetFilterCLI
import Testing

/// This repository's root.
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()
private let exampleRules = root.appendingPathComponent("examples/rules").path
private let networkMacros = root.appendingPathComponent("examples/macros/network.yml").path
private let demoEvents = root.appendingPathComponent("examples/events/rules-demo.jsonl").path
private let bundledCapture = root.appendingPathComponent("examples/captures/loopback-http-dns.pcap").path

/// Writes `text` to a fresh file and returns its path.
private func temporary(_ name: String, _ text: String) throws -> String {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rules-cli-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  let path = directory.appendingPathComponent(name).path
  try text.write(toFile: path, atomically: true, encoding: .utf8)
  return path
}

@Suite struct RulesCLITests {
  @Test func validateSaysOkForEachFile() {
    let result = runCLI(["rules", "validate", "--macros", networkMacros, exampleRules])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout.split(separator: "\n").count == 3
        && result.stdout.split(separator: "\n").allSatisfy { $0.hasSuffix(": ok") }
    )
  }

  @Test func validateShowsErrorsInTheFileAndExitsOne() throws {
    let path = try temporary(
      "bad.yml",
      "name: bad\nid: b\nversion: 1.0.0\nmin-engine-version: 3.0.0\ncondition: evt.name = 'Send'\nseverty: high\n"
    )
    let result = runCLI(["rules", "validate", path])
    #expect(result.status == 1)
    #expect(result.stdout == "\(path): invalid\n")
    #expect(result.stderr.contains("\(path):6:1: error: unknown key 'severty' in a rule"), "\(result.stderr)")
    #expect(result.stderr.contains("did you mean 'severity'?"))
    #expect(result.stderr.contains("6 | severty: high"))
  }

  @Test func aMissingPathIsAnError() {
    let result = runCLI(["rules", "validate", "/nonexistent/rules"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("cannot read rule file or directory '/nonexistent/rules'"))
  }

  @Test func listGivesKindsAndTheKernelVerdict() throws {
    let result = runCLI(["rules", "list", "--json", "--macros", networkMacros, exampleRules])
    #expect(result.status == 0, "\(result.stderr)")
    let rules = try result.stdout.split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    let verdicts = Dictionary(
      uniqueKeysWithValues: rules.map { ($0["name"] as? String ?? "", $0["kernel"] as? String) }
    )
    #expect(verdicts["Remote shell connects out"] == "full")
    #expect(verdicts["Repeated connections to one endpoint"] == "partial")
    #expect(rules.allSatisfy { ($0["events"] as? [String])?.isEmpty == false })
  }

  @Test func runPrintsFindingsAsJSONAndAsATable() throws {
    let json = runCLI(["run", "--macros", networkMacros, "--rules", exampleRules, "--input", demoEvents, "--stats"])
    #expect(json.status == 0, "\(json.stderr)")
    let findings = try json.stdout.split(separator: "\n").map {
      try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
    #expect(
      findings.map { $0["rule"] as? String } == ["Remote shell connects out", "Repeated connections to one endpoint"]
    )
    for key in [
      "time", "rule", "id", "severity", "priority", "output", "output_fields", "tags", "labels", "source", "hostname",
      "events",
    ] {
      #expect(findings.allSatisfy { $0[key] != nil }, "\(key)")
    }
    #expect(findings[1]["key"] as? [String: Int] == ["ps.pid": 4200])
    #expect(json.stderr.contains("\"findings\":2"))
    let table = runCLI([
      "run", "--macros", networkMacros, "--rules", exampleRules, "--input", demoEvents, "--output", "table",
    ])
    #expect(table.stdout.split(separator: "\n").count == 2)
    #expect(table.stdout.contains("HIGH  Remote shell connects out: bash (4100) connected to 203.0.113.5:4444"))
  }

  @Test func runTakesASequenceFilterAndRulesOverACapture() throws {
    let sequence = runCLI([
      "run", "--input", demoEvents, "--output", "json", "sequence by ps.pid |Connect| |Connect| |Connect|",
    ])
    #expect(sequence.status == 0, "\(sequence.stderr)")
    // curl (4200) connects four times: one finding; wget (4500) three times: one finding.
    #expect(sequence.stdout.split(separator: "\n").count == 2, "\(sequence.stdout)")
    let dns = try temporary(
      "dns.yml",
      "name: DNS answers\nid: d\nversion: 1.0.0\nmin-engine-version: 3.0.0\ncondition: ReplyDns\noutput: '%dns.name'\n"
    )
    let pcap = runCLI(["run", "--pcap", bundledCapture, "--rules", dns, "--output", "json"])
    let alone = runCLI(["run", "--pcap", bundledCapture, "--output", "json", "ReplyDns"])
    #expect(pcap.status == 0 && !alone.stdout.isEmpty)
    #expect(pcap.stdout.split(separator: "\n").count == alone.stdout.split(separator: "\n").count)
  }

  /// run --explain prints the one kernel plan of a rule set before running, a filter per rule,
  /// named by the rule, and the run goes on.
  @Test func explainShowsTheRuleSetsKernelPlan() {
    let result = runCLI(["run", "--explain", "--macros", networkMacros, "--rules", exampleRules, "--input", demoEvents])
    #expect(result.status == 0)
    #expect(result.stderr.hasPrefix("kernel plan: "), "\(result.stderr)")
    #expect(result.stderr.contains("filter 1: rule 'Remote shell connects out'"))
    #expect(result.stdout.split(separator: "\n").count == 2)
    #expect(result.stderr.contains("kernel plan (modelled): passes "), "\(result.stderr)")
  }

  /// Over a capture, `--explain` models the kernel plan: a filter the kernel decides alone passes
  /// exactly its matches, one with a residue passes at least them, and `--stats` carries the counts.
  @Test(arguments: [("net.dport = 53", true), ("net.dport = 53 and dns.name endswith '.test.'", false)])
  func explainModelsThePlanOverACapture(filter: String, exact: Bool) throws {
    let result = runCLI(["run", "--explain", "--stats", "--pcap", bundledCapture, "--output", "json", filter])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stderr.split(separator: "\n")
    let stats = try #require(
      lines.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    )
    let kernel = try #require(stats["kernel"] as? [String: Any])
    let (seen, passed, matched) = (
      kernel["seen"] as? Int, kernel["passed"] as? Int ?? -1, stats["matched"] as? Int ?? -2
    )
    #expect(seen == stats["received"] as? Int && kernel["modelled"] as? Bool == true)
    #expect(exact ? passed == matched : passed > matched && passed < seen ?? 0, "\(stats)")
    #expect(lines.contains { $0.hasPrefix("kernel plan (modelled): passes \(passed) of \(seen ?? 0) events (") })
  }

  @Test func aFilterAndRulesTogetherAreAUsageError() {
    let result = runCLI(["run", "--rules", exampleRules, "--input", demoEvents, "net.dport = 53"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("Give a filter or --rules, not both."))
  }
}
