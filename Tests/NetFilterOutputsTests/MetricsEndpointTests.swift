import Foundation
import Testing

/// `--metrics ADDR:PORT` scraped while a run waits for input, parsed with prometheus_client's parser.
@Suite(.serialized) struct MetricsEndpointTests {
  /// The samples of one scrape, or `nil` if the endpoint did not answer or did not parse.
  func scrape(_ url: String) -> [String: Double]? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: packagedPython ?? "/usr/bin/python3")
    process.arguments = [testsDirectory.appendingPathComponent("Receivers/scrape.py").path, url]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return try? JSONSerialization.jsonObject(with: data) as? [String: Double]
  }

  @Test(.enabled(if: packagedPython != nil, Comment(rawValue: missingPython)))
  func countersEqualStats() throws {
    let directory = try scratchDirectory()
    let receiver = try Receiver(mode: "falco", port: 19151, in: directory)
    defer { receiver.stop() }
    let output = "http://127.0.0.1:19151/"
    let input = Pipe()
    let start = Date()
    let (process, errors) = try startNetfilter(
      [
        "run", "--input", "-", "--output", "json", "--stats", "--metrics", "127.0.0.1:19150", "--output-http", output,
        "net.dport = 53",
      ],
      stdin: input
    )
    var lines = ""
    for index in 0..<40 {
      switch index % 8 {
      case 0: lines += "{bad\n"
      case 1: lines += "{\"evt.name\":\"Send\",\"net.dport\":80}\n"
      default: lines += "{\"evt.name\":\"Send\",\"net.dport\":53,\"net.sip\":\"10.0.0.\(index)\",\"ps.pid\":\(index)}\n"
      }
    }
    input.fileHandleForWriting.write(Data(lines.utf8))
    let key = "{source=json}"
    let sentKey = "netfilter_output_events_total{kind=falco,output=\(output),status=sent}"
    var samples: [String: Double] = [:]
    for _ in 0..<100 {
      samples = scrape("http://127.0.0.1:19150/metrics") ?? [:]
      if samples["netfilter_events_received_total\(key)"] == 40, samples[sentKey] == 30 { break }
      Thread.sleep(forTimeInterval: 0.1)
    }
    try input.fileHandleForWriting.close()
    let run = finish(process, errors, since: start)
    #expect(run.status == 0, "\(run.stderr)")
    let stats = run.stats
    #expect(stats == ["received": 40, "matched": 30, "malformed": 5, "lost": 0])
    for name in ["received", "matched", "malformed", "lost"] {
      #expect(samples["netfilter_events_\(name)_total\(key)"].map { Int($0) } == stats[name], "\(name)")
    }
    #expect(samples[sentKey] == 30)
    #expect(samples["netfilter_output_queue_length{kind=falco,output=\(output)}"] == 0)
    #expect(samples["netfilter_output_queue_capacity{kind=falco,output=\(output)}"] == 10_000)
    for status in ["retried", "failed", "dropped", "unsent"] {
      #expect(samples["netfilter_output_events_total{kind=falco,output=\(output),status=\(status)}"] == 0)
    }
    #expect(receiver.accepted().count == 30)
  }

  @Test(.enabled(if: packagedPython != nil, Comment(rawValue: missingPython)))
  func findingsPerRuleEqualStats() throws {
    let directory = try scratchDirectory()
    let rules = directory.appendingPathComponent("rules.yml").path
    try """
    - name: dns out
      id: r-dns
      version: 1.0.0
      condition: evt.name = 'Send' and net.dport = 53
      severity: low
      min-engine-version: 3.0.0
    - name: web out
      id: r-web
      version: 1.0.0
      condition: evt.name = 'Send' and net.dport = 80
      severity: medium
      min-engine-version: 3.0.0
    """.write(toFile: rules, atomically: true, encoding: .utf8)
    let input = Pipe()
    let start = Date()
    let (process, errors) = try startNetfilter(
      ["run", "--input", "-", "--rules", rules, "--output", "json", "--stats", "--metrics", "127.0.0.1:19152"],
      stdin: input
    )
    var lines = ""
    for index in 0..<30 { lines += "{\"evt.name\":\"Send\",\"net.dport\":\(index % 3 == 0 ? 80 : 53)}\n" }
    input.fileHandleForWriting.write(Data(lines.utf8))
    var samples: [String: Double] = [:]
    for _ in 0..<100 {
      samples = scrape("http://127.0.0.1:19152/metrics") ?? [:]
      if samples["netfilter_events_received_total{source=json}"] == 30 { break }
      Thread.sleep(forTimeInterval: 0.1)
    }
    try input.fileHandleForWriting.close()
    let run = finish(process, errors, since: start)
    let stats = try #require(
      JSONSerialization.jsonObject(with: Data((run.stderr.split(separator: "\n").last ?? "").utf8)) as? [String: Any]
    )
    #expect(stats["findings"] as? Int == 30, "\(run.stderr)")
    #expect(stats["rules"] as? [String: Int] == ["dns out": 20, "web out": 10])
    #expect(samples["netfilter_findings_total{source=json}"] == 30)
    #expect(samples["netfilter_rule_findings_total{rule=dns out}"] == 20)
    #expect(samples["netfilter_rule_findings_total{rule=web out}"] == 10)
    #expect(samples["netfilter_sequence_instances{}"] == 0)
  }
}
