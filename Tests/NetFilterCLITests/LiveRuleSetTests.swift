import Foundation
import Testing

/// 200 rules in one kernel plan on live traffic: the kernel lets through about what the union of
/// the rules would, and the offload loses no finding.
@Suite(
  .serialized,
  .enabled(
    if: LiveNetwork.available,
    "needs live capture and the trigger tools: \(LiveNetwork.missing.joined(separator: "; "))"
  )
)
struct LiveRuleSetTests {
  /// Rule i: a Connect to port 19500 + i.
  static let ports = (0..<200).map { 19_500 + $0 }
  /// The ports connected to: three a rule names, one no rule names.
  static let connected = [19_500, 19_577, 19_699, 19_950]

  @Test func twoHundredRulesPassTheirUnionAndLoseNoFinding() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let rules = Self.ports.enumerated().map { index, port in
      "- name: connect \(port)\n  id: live-\(index)\n  version: 1.0.0\n  min-engine-version: 3.0.0\n"
        + "  condition: evt.name = 'Connect' and net.dport = \(port)\n  output: '%ps.name to %net.dport'\n"
    }
    try rules.joined().write(to: directory.appendingPathComponent("connects.yml"), atomically: true, encoding: .utf8)
    let union = Self.ports.map { "net.dport = \($0)" }.joined(separator: " or ")

    let offloaded = try LiveNetwork.capture(arguments: ["--rules", directory.path, "--stats"]) { try Self.drive() }
    let unionRun = try LiveNetwork.capture(arguments: ["--stats", "evt.name = 'Connect' and (\(union))"]) {
      try Self.drive()
    }
    let everything = try LiveNetwork.capture(arguments: ["--rules", directory.path, "--stats", "--no-offload"]) {
      try Self.drive()
    }
    for run in [offloaded, unionRun, everything] { #expect(run.status == 0, "\(run.stderr)") }

    let found = Self.findings(offloaded.stdout)
    // Each connect to a rule's port is seen by that rule (a Connect per connect), none to 19950.
    #expect(Set(found) == ["connect 19500", "connect 19577", "connect 19699"], "\(offloaded.stdout)")
    #expect(Set(Self.findings(everything.stdout)) == Set(found), "the offload lost a finding")
    #expect(Self.findings(everything.stdout).count == found.count)

    let passed = try Self.kernel(offloaded.stderr)
    let unionPassed = try Self.kernel(unionRun.stderr)
    let allPassed = try Self.kernel(everything.stderr)
    // The load (2,000 datagrams to a port no rule names) stays in the kernel.
    #expect(passed.passed <= 2 * unionPassed.passed + 20, "rules \(passed), union \(unionPassed)")
    #expect(
      passed.passed * 10 < allPassed.passed,
      "rules \(passed), union \(unionPassed), no offload \(allPassed)\n\(offloaded.stderr)"
    )
    #expect(passed.seen > 2_000, "\(offloaded.stderr)")
  }

  /// A sequence joined by ps.pid holds an instance for a process until it exits: a process that
  /// connects once and ends leaves nothing waiting.
  @Test func anInstanceKeyedByAPidEndsWhenTheProcessExits() throws {
    let rule = try Self.file(
      "sequence.yml",
      "name: connect twice\nid: twice\nversion: 1.0.0\nmin-engine-version: 3.0.0\ncondition: >\n"
        + "  sequence maxspan 1h by ps.pid |evt.name = 'Connect' and net.dport = 19961|\n"
        + "  |evt.name = 'Connect' and net.dport = 19962|\n"
    )
    defer { try? FileManager.default.removeItem(atPath: rule) }
    let script = """
      import socket
      s = socket.socket(); s.bind(("127.0.0.1", 19961)); s.listen(1)
      c = socket.create_connection(("127.0.0.1", 19961), timeout=2); c.close()
      """
    let run = try LiveNetwork.capture(arguments: ["--rules", rule, "--stats"]) {
      for _ in 0..<3 {
        let done = try LiveNetwork.run("/usr/bin/python3", ["-c", script], timeout: 10)
        guard done.status == 0 else { throw LiveNetwork.failure("the client failed: \(done.output)") }
      }
    }
    #expect(run.status == 0, "\(run.stderr)")
    let line = try #require(run.stderr.split(separator: "\n").last { $0.hasPrefix("{") })
    let stats = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    let sequences = try #require(stats["sequences"] as? [String: Int], "\(line)")
    #expect(sequences["ended"] == 3 && sequences["instances"] == 0, "\(line)")
  }

  /// Writes `text` to a fresh file; returns its path.
  static func file(_ name: String, _ text: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString)-\(name)").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// 2,000 UDP datagrams to a port no rule names, and one TCP connect to each of ``connected``.
  static func drive() throws {
    let script = """
      import socket, sys
      ports = [int(p) for p in sys.argv[1:]]
      servers = []
      for port in ports:
          s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
          s.bind(("127.0.0.1", port)); s.listen(4); servers.append(s)
      u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
      for i in range(2000):
          u.sendto(b"x" * 32, ("127.0.0.1", 19900))
      for port in ports:
          c = socket.create_connection(("127.0.0.1", port), timeout=2); c.close()
      """
    let run = try LiveNetwork.run("/usr/bin/python3", ["-c", script] + connected.map(String.init), timeout: 30)
    guard run.status == 0 else { throw LiveNetwork.failure("the load failed: \(run.output)") }
  }

  static func findings(_ stdout: String) -> [String] {
    stdout.split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["rule"] as? String
    }
  }

  static func kernel(_ stderr: String) throws -> (seen: Int, passed: Int) {
    let line = try #require(stderr.split(separator: "\n").last { $0.hasPrefix("{") })
    let stats = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    let kernel = try #require(stats["kernel"] as? [String: Any], "\(line)")
    return (kernel["seen"] as? Int ?? 0, kernel["passed"] as? Int ?? 0)
  }
}
