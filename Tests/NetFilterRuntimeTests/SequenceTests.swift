import Foundation
import NetFilter
import NetFilterRuntime
import NetFilterTestSupport
import Testing

/// Sequence semantics over JSON-lines fixtures with chosen timestamps (seconds, as `evt.time.ns`).
@Suite struct SequenceTests {
  /// `Query then Connect by ps.pid within 10 s`.
  static let queryThenConnect = "sequence maxspan 10s by ps.pid |evt.name = 'QueryDns'| |evt.name = 'Connect'|"

  @Test func interleavedKeysEachFireWithTheirOwnEvents() throws {
    let run = try Fixture(Self.queryThenConnect).run([
      event("QueryDns", at: 1, pid: 10), event("QueryDns", at: 2, pid: 20),
      event("Connect", at: 3, pid: 20), event("Connect", at: 4, pid: 10),
    ])
    #expect(run.findings.map(\.key) == ["20", "10"])
    #expect(run.findings.map(\.times) == [[2, 3], [1, 4]])
  }

  @Test func aStepBeyondMaxSpanDoesNotFireEvenWhenReplayedInstantly() throws {
    let run = try Fixture(Self.queryThenConnect).run([
      event("QueryDns", at: 1, pid: 10), event("Connect", at: 12, pid: 10),
    ])
    #expect(run.findings.isEmpty)
    #expect(run.counters.rules?.counters.sequenceExpired == 1)
  }

  @Test func firingResetsOnlyThatKey() throws {
    let run = try Fixture(Self.queryThenConnect).run([
      event("QueryDns", at: 1, pid: 10), event("QueryDns", at: 2, pid: 20), event("Connect", at: 3, pid: 10),
      // pid 10 starts over; pid 20 kept its first step through pid 10's firing.
      event("QueryDns", at: 4, pid: 10), event("Connect", at: 5, pid: 20), event("Connect", at: 6, pid: 10),
      // Nothing is waiting now: a lone Connect fires nothing.
      event("Connect", at: 7, pid: 10),
    ])
    #expect(run.findings.map(\.key) == ["10", "20", "10"])
    #expect(run.findings.map(\.times) == [[1, 3], [2, 5], [4, 6]])
  }

  @Test func stepsOutOfOrderDoNotFire() throws {
    let run = try Fixture(Self.queryThenConnect).run([
      event("Connect", at: 1, pid: 10), event("QueryDns", at: 2, pid: 10),
    ])
    #expect(run.findings.isEmpty)
    #expect(run.counters.rules?.counters.sequenceInstances == 1)
  }

  @Test func oneEventNeverFillsTwoSteps() throws {
    // Every step accepts the same event; it takes two events to fire.
    let fixture = try Fixture("sequence by ps.pid |evt.name = 'Send'| |evt.name = 'Send'|")
    let once = try fixture.run([event("Send", at: 1, pid: 10)])
    #expect(once.findings.isEmpty)
    let twice = try fixture.run([event("Send", at: 1, pid: 10), event("Send", at: 2, pid: 10)])
    #expect(twice.findings.map(\.times) == [[1, 2]])
  }

  @Test func capsEvictTheOldestAndCountIt() throws {
    var fixture = try Fixture(Self.queryThenConnect)
    fixture.limits = RuleLimits(instancesPerRule: 2, instances: 100)
    let run = try fixture.run([
      event("QueryDns", at: 1, pid: 1), event("QueryDns", at: 2, pid: 2), event("QueryDns", at: 3, pid: 3),
      event("Connect", at: 4, pid: 1), event("Connect", at: 5, pid: 3),
    ])
    // pid 1's instance was evicted for pid 3's.
    #expect(run.findings.map(\.key) == ["3"])
    #expect(run.counters.rules?.counters.sequenceEvicted == 1)
    #expect(run.counters.rules?.counters.sequenceInstances == 1)
  }

  @Test func boundReferencesJoin() throws {
    let fixture = try Fixture(
      "sequence maxspan 1m |evt.name = 'Accept'| as peer |evt.name = 'Connect' and net.dip = $peer.net.dip|"
    )
    // Whoever connected to us, we connect back to: each Accept opens an instance, and the Connect
    // joins the one whose peer address it goes to.
    let run = try fixture.run([
      #"{"evt.name":"Accept","evt.time.ns":1000000000,"ps.pid":5,"net.dip":"10.0.0.1"}"#,
      #"{"evt.name":"Accept","evt.time.ns":2000000000,"ps.pid":6,"net.dip":"10.0.0.2"}"#,
      #"{"evt.name":"Connect","evt.time.ns":3000000000,"ps.pid":7,"net.dip":"10.0.0.9"}"#,
      #"{"evt.name":"Connect","evt.time.ns":4000000000,"ps.pid":7,"net.dip":"10.0.0.2"}"#,
    ])
    #expect(run.findings.map(\.times) == [[2, 4]])
  }

  @Test func joinedStringsCompareCaseInsensitively() throws {
    let fixture = try Fixture("sequence by ps.name |evt.name = 'QueryDns'| |evt.name = 'Connect'|")
    let run = try fixture.run([
      #"{"evt.name":"QueryDns","evt.time.ns":1000000000,"ps.name":"Curl"}"#,
      #"{"evt.name":"Connect","evt.time.ns":2000000000,"ps.name":"curl"}"#,
    ])
    #expect(run.findings.count == 1)
  }

  @Test func findingsAreByteIdenticalAcrossRuns() throws {
    let fixture = try Fixture(Self.queryThenConnect)
    let events = (0..<200).map { index in
      event(index % 3 == 0 ? "Connect" : "QueryDns", at: UInt64(index / 4), pid: index % 7)
    }
    let first = try fixture.run(events)
    let second = try fixture.run(events)
    #expect(!first.findings.isEmpty)
    #expect(first.output == second.output)
  }
}

/// One flat JSON event with a time in seconds and a pid.
private func event(_ name: String, at seconds: UInt64, pid: Int) -> String {
  #"{"evt.name":"\#(name)","evt.time.ns":\#(seconds * 1_000_000_000),"ps.pid":\#(pid)}"#
}

/// A sequence rule and the JSON lines it is run over.
private struct Fixture {
  let rule: Rule
  var limits = RuleLimits()

  init(_ sequence: String) throws {
    rule = Rule(id: "test", name: "test", condition: try Environment().compile(sequence).checked)
  }

  struct Run {
    struct Found {
      var key: String
      var times: [UInt64]
    }

    var output: String
    var findings: [Found]
    var counters: PipelineCounters
  }

  func run(_ lines: [String]) throws -> Run {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("sequence-\(UUID().uuidString).jsonl")
    try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    var pipeline = Pipeline(rules: [rule], source: .jsonLines(path: file.path, strict: true))
    pipeline.ruleLimits = limits
    pipeline.hostName = "test"
    let collected = CollectedOutput()
    let counters = try pipeline.run(into: collected.sink())
    let text = collected.text
    let findings = try text.split(separator: "\n").map { line -> Run.Found in
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let key = (object["key"] as? [String: Any])?.values.map { "\($0)" }.joined(separator: ",") ?? ""
      let events = try #require(object["events"] as? [[String: Any]])
      let times = events.compactMap { ($0["timestamp"] as? NSNumber)?.uint64Value }.map { $0 / 1_000_000_000 }
      return Run.Found(key: key, times: times)
    }
    return Run(output: text, findings: findings, counters: counters)
  }
}

/// Per-step `by`: each step names its own join field, and the values must be equal.
@Suite struct PerStepJoinTests {
  @Test func eachStepJoinsOnItsOwnField() throws {
    // A process accepts a connection from a port, and a connection later goes out from that port.
    let sequence = try Environment().compile(
      "sequence maxspan 1m |evt.name = 'Accept'| by net.dport |evt.name = 'Connect'| by net.sport"
    )
    let rule = Rule(id: "s", name: "s", condition: sequence.checked)
    let lines = [
      #"{"evt.name":"Accept","evt.time.ns":1000000000,"net.dport":5000,"net.sport":80}"#,
      #"{"evt.name":"Connect","evt.time.ns":2000000000,"net.dport":5000,"net.sport":6000}"#,
      #"{"evt.name":"Connect","evt.time.ns":3000000000,"net.dport":7000,"net.sport":5000}"#,
    ]
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("per-step-\(UUID().uuidString).jsonl")
    try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let found = Findings()
    _ = try Pipeline(rules: [rule], source: .jsonLines(path: file.path)).run(into: found)
    // The Connect from port 6000 does not join; the one from port 5000 does.
    #expect(found.times == [[1, 3]])
  }
}

/// The event times (seconds) of each finding written.
private final class Findings: EventSink {
  var times: [[UInt64]] = []
  func write<E: OutputEvent>(_ event: E) throws(OutputError) {
    guard let finding = event as? Finding else { return }
    times.append(
      finding.events.compactMap { line in
        let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
        return ((object?["timestamp"] as? NSNumber)?.uint64Value).map { $0 / 1_000_000_000 }
      }
    )
  }
  func flush() throws(OutputError) {}
  func finish() throws(OutputError) {}
}
