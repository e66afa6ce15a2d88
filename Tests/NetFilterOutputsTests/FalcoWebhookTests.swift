import Foundation
import Testing

/// `--output-http` against a receiver on loopback that checks every POST as falcosidekick does.
/// Serialized: the timing comparison must not share the CPU with the other runs.
@Suite(.serialized) struct FalcoWebhookTests {
  let filter = "net.dport = 9999"

  @Test func everyMatchArrivesOnceAsAValidFalcoObject() throws {
    let directory = try scratchDirectory()
    let capture = directory.appendingPathComponent("udp.pcap").path
    try writeUDPCapture(capture, count: 1200)
    let receiver = try Receiver(mode: "falco", port: 19110, in: directory)
    defer { receiver.stop() }
    let url = "http://127.0.0.1:19110/"
    let run = try runNetfilter([
      "run", "--pcap", capture, "--output", "json", "--stats", "--output-http", url, "--name", "udp-9999", filter,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.summary(url) == ["sent": 1200, "retried": 0, "failed": 0, "dropped": 0, "unsent": 0])
    #expect(run.stats["matched"] == 1200)
    let records = receiver.accepted()
    #expect(receiver.refused().isEmpty)
    #expect(records.count == 1200)
    let times = Set(records.compactMap { $0["time"] as? String })
    #expect(times.count == 1200)
    #expect(times.contains("2026-01-02T03:04:05.000000000Z") && times.contains("2026-01-02T03:04:05.001199000Z"))
    for record in records.prefix(5) {
      #expect(record["rule"] as? String == "udp-9999")
      #expect(record["priority"] as? String == "Notice")
      #expect(record["source"] as? String == "pcap")
      let fields = record["output_fields"] as? [String: Any] ?? [:]
      #expect(fields["net.dport"] as? Int == 9999)
      #expect((fields["net.sport"] as? Int).map { (40_000..<41_000).contains($0) } == true)
      #expect(fields["net.dip"] as? String == "127.0.0.2")
      #expect(fields["evt.name"] as? String == "net_packet_udp")
      #expect((record["output"] as? String)?.contains("udp-9999 matched") == true)
    }
  }

  @Test func findingsOfRulesGoOutTheSameWay() throws {
    let directory = try scratchDirectory()
    let capture = directory.appendingPathComponent("udp.pcap").path
    try writeUDPCapture(capture, count: 5000)
    let rules = directory.appendingPathComponent("rules.yml").path
    try """
    name: UDP from port 40007
    id: r-40007
    version: 1.0.0
    condition: net_packet_udp and net.dport = 9999 and net.sport = 40007
    output: "udp from %net.sip:%net.sport"
    severity: high
    tags: [test]
    labels:
      team: sec
    min-engine-version: 3.0.0
    """.write(toFile: rules, atomically: true, encoding: .utf8)
    let receiver = try Receiver(mode: "falco", port: 19124, in: directory)
    defer { receiver.stop() }
    let url = "http://127.0.0.1:19124/"
    let run = try runNetfilter(["run", "--pcap", capture, "--rules", rules, "--output", "json", "--output-http", url])
    #expect(run.summary(url)["sent"] == 5, "\(run.stderr)")
    let records = receiver.accepted()
    #expect(records.count == 5 && receiver.refused().isEmpty)
    for record in records {
      #expect(record["rule"] as? String == "UDP from port 40007" && record["priority"] as? String == "Error")
      #expect(record["id"] as? String == "r-40007" && record["tags"] as? [String] == ["test"])
      #expect(record["labels"] as? [String: String] == ["team": "sec"])
      #expect((record["output"] as? String)?.hasSuffix("Error udp from 127.0.0.1:40007") == true)
      let fields = record["output_fields"] as? [String: Any] ?? [:]
      #expect(fields["net.sport"] as? Int == 40007 && fields["net.sip"] as? String == "127.0.0.1")
    }
    #expect(Set(records.compactMap { $0["time"] as? String }).count == 5)
  }

  @Test func aStalledOutputDoesNotHoldBackAnother() throws {
    let directory = try scratchDirectory()
    let capture = directory.appendingPathComponent("udp.pcap").path
    try writeUDPCapture(capture, count: 1200)
    let stalled = try Receiver(mode: "falco", port: 19121, in: directory, ["--stall"])
    let healthy = try Receiver(mode: "falco", port: 19122, in: directory)
    defer {
      stalled.stop()
      healthy.stop()
    }
    let run = try runNetfilter([
      "run", "--pcap", capture, "--output", "json", "--output-http", "http://127.0.0.1:19121/", "--output-http",
      "http://127.0.0.1:19122/", "--flush-timeout", "3", filter,
    ])
    #expect(run.summary("http://127.0.0.1:19122/")["sent"] == 1200, "\(run.stderr)")
    #expect(run.summary("http://127.0.0.1:19121/")["unsent"] == 1200)
    #expect(healthy.accepted().count == 1200)
  }

  @Test func serviceUnavailableTwiceThenDelivered() throws {
    let directory = try scratchDirectory()
    let capture = directory.appendingPathComponent("udp.pcap").path
    try writeUDPCapture(capture, count: 1)
    let receiver = try Receiver(mode: "falco", port: 19111, in: directory, ["--script", "503,503,200"])
    defer { receiver.stop() }
    let url = "http://127.0.0.1:19111/"
    let run = try runNetfilter(["run", "--pcap", capture, "--output", "json", "--output-http", url, filter])
    #expect(run.summary(url) == ["sent": 1, "retried": 2, "failed": 0, "dropped": 0, "unsent": 0], "\(run.stderr)")
    #expect(receiver.accepted().count == 1)
    // Backoff from 1 s with ±20 % jitter: two waits of about 1 s and 2 s.
    #expect(run.seconds > 2.3 && run.seconds < 8)
  }

  @Test func retryAfterIsHonoured() throws {
    let directory = try scratchDirectory()
    let capture = directory.appendingPathComponent("udp.pcap").path
    try writeUDPCapture(capture, count: 1)
    let receiver = try Receiver(mode: "falco", port: 19118, in: directory, ["--script", "429:3"])
    defer { receiver.stop() }
    let url = "http://127.0.0.1:19118/"
    let run = try runNetfilter(["run", "--pcap", capture, "--output", "json", "--output-http", url, filter])
    #expect(run.summary(url) == ["sent": 1, "retried": 1, "failed": 0, "dropped": 0, "unsent": 0], "\(run.stderr)")
    // The server's 3 s, not the first backoff of about 1 s.
    #expect(run.seconds > 2.9 && run.seconds < 6)
  }

  @Test func badRequestIsNotRetried() throws {
    let directory = try scratchDirectory()
    let capture = directory.appendingPathComponent("udp.pcap").path
    try writeUDPCapture(capture, count: 3)
    let receiver = try Receiver(mode: "falco", port: 19112, in: directory, ["--script", "400,401,413"])
    defer { receiver.stop() }
    let url = "http://127.0.0.1:19112/"
    let run = try runNetfilter(["run", "--pcap", capture, "--output", "json", "--output-http", url, filter])
    #expect(run.summary(url) == ["sent": 0, "retried": 0, "failed": 3, "dropped": 0, "unsent": 0], "\(run.stderr)")
    #expect(run.stderr.contains("HTTP status 400; 1 alerts not delivered (not retried)"))
    #expect(run.seconds < 3)
  }

  @Test func receiverDownThenUpGetsEverything() throws {
    let directory = try scratchDirectory()
    let capture = directory.appendingPathComponent("udp.pcap").path
    try writeUDPCapture(capture, count: 300)
    let url = "http://127.0.0.1:19113/"
    let start = Date()
    let (process, errors) = try startNetfilter([
      "run", "--pcap", capture, "--output", "json", "--output-http", url, "--flush-timeout", "30", filter,
    ])
    Thread.sleep(forTimeInterval: 1.5)
    let receiver = try Receiver(mode: "falco", port: 19113, in: directory)
    defer { receiver.stop() }
    let run = finish(process, errors, since: start)
    let counts = run.summary(url)
    #expect(counts["sent"] == 300 && counts["failed"] == 0 && counts["dropped"] == 0, "\(run.stderr)")
    #expect((counts["retried"] ?? 0) >= 1)
    #expect(run.stderr.contains("Couldn't connect to server; retrying"))
    #expect(receiver.accepted().count == 300)
    #expect(Set(receiver.accepted().compactMap { $0["time"] as? String }).count == 300)
  }

  @Test func stalledReceiverCostsTheReplayAtMostTenPercent() throws {
    let directory = try scratchDirectory()
    let capture = directory.appendingPathComponent("udp.pcap").path
    let packets = 100_000
    try writeUDPCapture(capture, count: packets)
    let receiver = try Receiver(mode: "falco", port: 19114, in: directory, ["--stall"])
    defer { receiver.stop() }
    let url = "http://127.0.0.1:19114/"
    let plain = ["run", "--pcap", capture, "--output", "json", "--stats", filter]
    let shipped = plain + ["--output-http", url, "--queue-capacity", "1000", "--flush-timeout", "0"]
    // The machine is shared (its load often exceeds its two cores), so wall-clock times vary by
    // tens of percent: compare the CPU time each replay costs, best of five interleaved runs each,
    // and report the wall-clock times beside.
    var baseline = (cpu: Double.infinity, wall: Double.infinity)
    var withOutput = (cpu: Double.infinity, wall: Double.infinity)
    var last: RunResult?
    for _ in 0..<5 {
      let plainRun = try runNetfilter(plain)
      baseline = (min(baseline.cpu, plainRun.cpuSeconds), min(baseline.wall, plainRun.seconds))
      let run = try runNetfilter(shipped)
      withOutput = (min(withOutput.cpu, run.cpuSeconds), min(withOutput.wall, run.seconds))
      last = run
    }
    let run = try #require(last)
    let counts = run.summary(url)
    // Every alert is accounted for: refused by the full queue, or still queued (or in flight) at the deadline.
    #expect(counts["sent"] == 0 && counts["failed"] == 0, "\(run.stderr)")
    #expect((counts["dropped"] ?? 0) + (counts["unsent"] ?? 0) == packets)
    #expect((counts["dropped"] ?? 0) >= packets - 1001)
    print(
      "stalled receiver, \(packets) matches: CPU \(withOutput.cpu) s vs \(baseline.cpu) s without outputs; "
        + "wall \(withOutput.wall) s vs \(baseline.wall) s"
    )
    #expect(baseline.cpu > 0.5, "the replay is too short to compare")
    #expect(withOutput.cpu <= baseline.cpu * 1.10, "with a stalled output \(withOutput) s, without \(baseline) s")
  }

  @Test func sigtermStopsTheReplayAndFlushesWhatMatched() throws {
    let directory = try scratchDirectory()
    let capture = directory.appendingPathComponent("udp.pcap").path
    let packets = 400_000
    try writeUDPCapture(capture, count: packets)
    let receiver = try Receiver(mode: "falco", port: 19119, in: directory)
    defer { receiver.stop() }
    let url = "http://127.0.0.1:19119/"
    let start = Date()
    // One packet in a thousand matches (source port 40007).
    let (process, errors) = try startNetfilter([
      "run", "--pcap", capture, "--output", "json", "--stats", "--output-http", url, "net.sport = 40007",
    ])
    // Signal once the first match has arrived: the replay is under way then.
    for _ in 0..<250 where receiver.accepted().isEmpty { Thread.sleep(forTimeInterval: 0.02) }
    kill(process.processIdentifier, SIGTERM)
    let run = finish(process, errors, since: start)
    #expect(run.status == 0, "\(run.stderr)")
    let matched = try #require(run.stats["matched"])
    #expect((run.stats["received"] ?? packets) < packets, "the replay ended before SIGTERM")
    #expect(run.summary(url) == ["sent": matched, "retried": 0, "failed": 0, "dropped": 0, "unsent": 0])
    #expect(receiver.accepted().count == matched)
  }

  @Test func sigtermWhileStandardInputIsIdleFlushesAndExits() throws {
    let directory = try scratchDirectory()
    let receiver = try Receiver(mode: "falco", port: 19128, in: directory)
    defer { receiver.stop() }
    let url = "http://127.0.0.1:19128/"
    let input = Pipe()
    let start = Date()
    let (process, errors) = try startNetfilter(
      ["run", "--input", "-", "--output", "json", "--stats", "--output-http", url, "net.dport = 53"],
      stdin: input
    )
    input.fileHandleForWriting.write(
      Data(String(repeating: "{\"evt.name\":\"Send\",\"net.dport\":53}\n", count: 3).utf8)
    )
    Thread.sleep(forTimeInterval: 1)
    // Standard input stays open: the run waits in read() until the signal interrupts it.
    kill(process.processIdentifier, SIGTERM)
    let run = finish(process, errors, since: start)
    try input.fileHandleForWriting.close()
    #expect(run.status == 0 && run.seconds < 4, "\(run.seconds) s: \(run.stderr)")
    #expect(run.stats["matched"] == 3)
    #expect(run.summary(url) == ["sent": 3, "retried": 0, "failed": 0, "dropped": 0, "unsent": 0])
    #expect(receiver.accepted().count == 3)
  }

  @Test func authorizationHeaderFromEnvironmentAndFileIsSentNeverShown() throws {
    let directory = try scratchDirectory()
    let capture = directory.appendingPathComponent("udp.pcap").path
    try writeUDPCapture(capture, count: 5)
    let secret = directory.appendingPathComponent("token").path
    try "Bearer from-file-7f3a\n".write(toFile: secret, atomically: true, encoding: .utf8)
    let fromEnvironment = try Receiver(
      mode: "falco",
      port: 19115,
      in: directory,
      ["--require-header", "Authorization: Bearer env-9c1d"]
    )
    let fromFile = try Receiver(
      mode: "falco",
      port: 19116,
      in: directory,
      ["--require-header", "X-Token: Bearer from-file-7f3a"]
    )
    defer {
      fromEnvironment.stop()
      fromFile.stop()
    }
    let run = try runNetfilter(
      [
        "run", "--pcap", capture, "--output", "json", "--output-http", "http://127.0.0.1:19115/",
        "--header", "Authorization: env:NF_TEST_TOKEN", filter,
      ],
      environment: ["NF_TEST_TOKEN": "Bearer env-9c1d"]
    )
    #expect(fromEnvironment.accepted().count == 5 && fromEnvironment.refused().isEmpty, "\(run.stderr)")
    let second = try runNetfilter([
      "run", "--pcap", capture, "--output", "json", "--output-http", "http://127.0.0.1:19116/",
      "--header", "X-Token: @\(secret)", filter,
    ])
    #expect(fromFile.accepted().count == 5 && fromFile.refused().isEmpty, "\(second.stderr)")
    // A missing variable is an error naming the variable, not the value.
    let missing = try runNetfilter([
      "run", "--pcap", capture, "--output-http", "http://127.0.0.1:19115/", "--header", "Authorization: env:NF_UNSET",
      filter,
    ])
    #expect(missing.status == 64 && missing.stderr.contains("'NF_UNSET', which is not set"))
    for text in [run.stderr, second.stderr, missing.stderr] {
      #expect(!text.contains("env-9c1d") && !text.contains("from-file-7f3a"))
    }
  }

  @Test func gzipBodies() throws {
    let directory = try scratchDirectory()
    let capture = directory.appendingPathComponent("udp.pcap").path
    try writeUDPCapture(capture, count: 20)
    let receiver = try Receiver(mode: "falco", port: 19117, in: directory)
    defer { receiver.stop() }
    let run = try runNetfilter([
      "run", "--pcap", capture, "--output", "json", "--gzip", "--output-http", "http://127.0.0.1:19117/", filter,
    ])
    let records = receiver.accepted()
    #expect(records.count == 20, "\(run.stderr)")
    #expect(records.allSatisfy { $0["_gzip"] as? Bool == true })
  }
}
