import Foundation
import Testing

/// A live eBPF capture (root) shipping socket events: curl's connections arrive at the receiver with
/// their process. Skipped where live capture is not available (netfilter exits 77).
@Suite(.serialized) struct LiveOutputTests {
  @Test func liveConnectsArriveWithTheirProcess() throws {
    let directory = try scratchDirectory()
    let receiver = try Receiver(mode: "falco", port: 19125, in: directory)
    defer { receiver.stop() }
    let target = Process()
    target.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    target.arguments = ["-m", "http.server", "19126", "--bind", "127.0.0.1", "--directory", directory.path]
    target.standardOutput = FileHandle.nullDevice
    target.standardError = FileHandle.nullDevice
    try target.run()
    defer {
      kill(target.processIdentifier, SIGKILL)
      target.waitUntilExit()
    }
    let url = "http://127.0.0.1:19125/"
    let start = Date()
    let (process, errors) = try startNetfilter([
      "run", "--duration", "6", "--output", "json", "--stats", "--output-http", url, "--name", "curl-connects",
      "--metrics", "127.0.0.1:19153", "evt.name = 'Connect' and net.dport = 19126",
    ])
    Thread.sleep(forTimeInterval: 2.5)
    for _ in 0..<5 {
      let curl = Process()
      curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
      curl.arguments = ["-s", "-o", "/dev/null", "--max-time", "2", "http://127.0.0.1:19126/"]
      try curl.run()
      curl.waitUntilExit()
    }
    // Scraped during the capture: the kernel's figures and the matches so far.
    Thread.sleep(forTimeInterval: 0.5)
    let samples = packagedPython == nil ? nil : MetricsEndpointTests().scrape("http://127.0.0.1:19153/metrics")
    let run = finish(process, errors, since: start)
    if run.status == 77 { return print("live capture is not available here: \(run.stderr)") }
    #expect(run.status == 0, "\(run.stderr)")
    let matched = try #require(run.stats["matched"])
    #expect(matched >= 5)
    #expect(run.summary(url) == ["sent": matched, "retried": 0, "failed": 0, "dropped": 0, "unsent": 0])
    let records = receiver.accepted()
    #expect(records.count == matched)
    if let samples {
      #expect((samples["netfilter_kernel_events_seen_total{}"] ?? 0) > 0)
      #expect((samples["netfilter_kernel_events_passed_total{}"] ?? 0) > 0)
      let scraped = samples["netfilter_events_matched_total{source=live}"] ?? 0
      #expect(scraped >= 5 && Int(scraped) <= matched, "\(samples)")
      #expect((samples["netfilter_events_received_total{source=live}"] ?? 0) >= scraped)
    }
    let fromCurl = records.filter { ($0["output_fields"] as? [String: Any])?["ps.name"] as? String == "curl" }
    #expect(fromCurl.count >= 5)
    for record in fromCurl {
      let fields = record["output_fields"] as? [String: Any] ?? [:]
      #expect(record["source"] as? String == "live" && record["rule"] as? String == "curl-connects")
      #expect(fields["evt.name"] as? String == "Connect" && fields["net.dport"] as? Int == 19126)
      #expect((fields["ps.pid"] as? Int ?? 0) > 0)
    }
  }
}
