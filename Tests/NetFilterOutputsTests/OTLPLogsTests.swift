import Foundation
import NetFilterOutputs
import Testing

/// `--output-otlp` against a receiver that parses every body with opentelemetry-proto.
@Suite(.serialized) struct OTLPLogsTests {
  let filter = "net.dport = 9999"

  @Test(.enabled(if: packagedPython != nil, Comment(rawValue: missingPython)))
  func batchesParseAsExportLogsServiceRequests() throws {
    let directory = try scratchDirectory()
    let capture = directory.appendingPathComponent("udp.pcap").path
    try writeUDPCapture(capture, count: 1200)
    let receiver = try Receiver(mode: "otlp", port: 19130, in: directory)
    defer { receiver.stop() }
    let url = "http://127.0.0.1:19130/v1/logs"
    let run = try runNetfilter([
      "run", "--pcap", capture, "--output", "json", "--output-otlp", url, "--priority", "warning", filter,
    ])
    #expect(run.summary(url) == ["sent": 1200, "retried": 0, "failed": 0, "dropped": 0, "unsent": 0], "\(run.stderr)")
    let batches = receiver.accepted()
    #expect(receiver.refused().isEmpty)
    // Batches of at most 512 records.
    #expect(batches.count >= 3 && batches.allSatisfy { ($0["batch"] as? Int ?? 0) <= 512 })
    let records = batches.flatMap { $0["records"] as? [[String: Any]] ?? [] }
    #expect(records.count == 1200)
    let times = Set(records.compactMap { ($0["timeUnixNano"] as? NSNumber)?.int64Value })
    #expect(times == Set((0..<1200).map(packetTime)))
    for record in records.prefix(3) {
      #expect(record["severityNumber"] as? Int == 13)
      #expect(record["severityText"] as? String == "Warning")
      #expect(record["eventName"] as? String == "netfilter.rule.match")
      #expect(record["scope"] as? String == "netfilter")
      let resource = record["resource"] as? [String: [Any]] ?? [:]
      #expect(resource["service.name"]?.last as? String == "netfilter")
      #expect(resource["host.name"]?.first as? String == "string_value")
      let attributes = record["attributes"] as? [String: [Any]] ?? [:]
      #expect(attributes["net.dport"]?.first as? String == "int_value")
      #expect(attributes["net.dport"]?.last as? Int == 9999)
      #expect(attributes["net.sport"]?.first as? String == "int_value")
      #expect(attributes["net.dip"]?.last as? String == "127.0.0.2")
      #expect(attributes["rule"]?.last as? String == filter)
      #expect(attributes["tags"]?.first as? String == "array_value")
    }
  }

  @Test(.enabled(if: packagedPython != nil, Comment(rawValue: missingPython)))
  func endpointAndHeadersFromTheEnvironment() throws {
    let directory = try scratchDirectory()
    let capture = directory.appendingPathComponent("udp.pcap").path
    try writeUDPCapture(capture, count: 10)
    let receiver = try Receiver(
      mode: "otlp",
      port: 19131,
      in: directory,
      ["--require-header", "Authorization: Bearer otel 5e2b"]
    )
    defer { receiver.stop() }
    let run = try runNetfilter(
      ["run", "--pcap", capture, "--output", "json", "--output-otlp", "env", "--gzip", filter],
      environment: [
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:19131/",
        "OTEL_EXPORTER_OTLP_LOGS_HEADERS": "Authorization=Bearer%20otel%205e2b",
      ]
    )
    #expect(run.summary("http://127.0.0.1:19131/v1/logs")["sent"] == 10, "\(run.stderr)")
    let batches = receiver.accepted()
    #expect(batches.flatMap { $0["records"] as? [[String: Any]] ?? [] }.count == 10)
    #expect(batches.allSatisfy { $0["_gzip"] as? Bool == true })
    #expect(!run.stderr.contains("5e2b"))
  }

  @Test(.enabled(if: packagedPython != nil, Comment(rawValue: missingPython)))
  func retriesOnlyWhatOTLPAllows() throws {
    let directory = try scratchDirectory()
    let capture = directory.appendingPathComponent("udp.pcap").path
    try writeUDPCapture(capture, count: 4)
    let retried = try Receiver(mode: "otlp", port: 19132, in: directory, ["--script", "503,200"])
    let refused = try Receiver(mode: "otlp", port: 19133, in: directory, ["--script", "500"])
    defer {
      retried.stop()
      refused.stop()
    }
    let first = "http://127.0.0.1:19132/v1/logs"
    let second = "http://127.0.0.1:19133/v1/logs"
    let run = try runNetfilter([
      "run", "--pcap", capture, "--output", "json", "--output-otlp", first, "--output-otlp", second, filter,
    ])
    // One batch of 4: 503 is retried, 500 is not (OTLP retries only 429, 502, 503, 504).
    #expect(run.summary(first) == ["sent": 4, "retried": 4, "failed": 0, "dropped": 0, "unsent": 0], "\(run.stderr)")
    #expect(run.summary(second) == ["sent": 0, "retried": 0, "failed": 4, "dropped": 0, "unsent": 0])
  }

  @Test(.enabled(if: packagedPython != nil, Comment(rawValue: missingPython)))
  func alertsSentDirectlyAreBatchedByBytes() throws {
    let directory = try scratchDirectory()
    let receiver = try Receiver(mode: "otlp", port: 19134, in: directory)
    defer { receiver.stop() }
    var configuration = OutputConfiguration(kind: .otlp, url: "http://127.0.0.1:19134/v1/logs")
    configuration.batchBytes = 4096
    configuration.batchDelay = 0.2
    let hub = OutputHub([configuration], hostName: "h1") { _ in }
    for index in 0..<60 {
      hub.send(
        Alert(
          time: 1_000_000_000 * Int64(index),
          rule: "direct",
          priority: .critical,
          source: "json",
          hostname: "h1",
          output: "alert \(index)",
          fields: [("ps.pid", .uint(UInt64(index))), ("net.dip", .string("10.0.0.1"))]
        )
      )
    }
    let summary = hub.finish(timeout: 10)
    #expect(
      summary == ["netfilter: output http://127.0.0.1:19134/v1/logs: 60 sent, 0 retried, 0 failed, 0 dropped, 0 unsent"]
    )
    let batches = receiver.accepted()
    let records = batches.flatMap { $0["records"] as? [[String: Any]] ?? [] }
    // About 600 bytes a record: no body over 4 KiB, so several requests.
    #expect(batches.count >= 10 && batches.allSatisfy { ($0["batch"] as? Int ?? 99) <= 7 })
    #expect(records.compactMap { $0["body"] as? String } == (0..<60).map { "alert \($0)" })
    #expect(records.allSatisfy { $0["severityNumber"] as? Int == 18 })
  }
}
