import Foundation
import Testing

@testable import NetFilterHTTP
@testable import NetFilterOutputs

@Suite struct AlertEncodingTests {
  let alert = Alert(
    time: 1_767_323_045_123_456_789,
    rule: "dns \"out\"",
    priority: AlertPriority(name: "high")!,
    source: "live",
    hostname: "h1",
    output: "dns out matched",
    fields: [("net.dport", .uint(53)), ("ps.name", .string("curl")), ("net.dip.names", .list([.string("a.")]))],
    tags: ["network"],
    id: "r1",
    labels: [("team", "sec")]
  )

  @Test func rfc3339() {
    #expect(AlertClock.rfc3339(0) == "1970-01-01T00:00:00.000000000Z")
    #expect(AlertClock.rfc3339(1_767_323_045_123_456_789) == "2026-01-02T03:04:05.123456789Z")
    #expect(AlertClock.rfc3339(951_782_400_000_000_001) == "2000-02-29T00:00:00.000000001Z")
  }

  @Test func falcoShape() throws {
    let object = try #require(JSONSerialization.jsonObject(with: Data(FalcoJSON.encode(alert))) as? [String: Any])
    #expect(object["time"] as? String == "2026-01-02T03:04:05.123456789Z")
    #expect(object["rule"] as? String == "dns \"out\"")
    #expect(object["priority"] as? String == "Error")
    #expect(object["output"] as? String == "2026-01-02T03:04:05.123456789Z: Error dns out matched")
    let fields = try #require(object["output_fields"] as? [String: Any])
    #expect(fields["net.dport"] as? Int == 53 && fields["ps.name"] as? String == "curl")
    #expect(fields["net.dip.names"] as? [String] == ["a."])
    #expect(object["tags"] as? [String] == ["network"] && object["id"] as? String == "r1")
    #expect(object["labels"] as? [String: String] == ["team": "sec"])
  }

  @Test func outputFieldsAreNeverEmpty() {
    let bare = Alert(time: 0, rule: "r", priority: .notice, source: "json", hostname: "h", output: "o", fields: [])
    #expect(bare.fields.map(\.name) == ["netfilter.rule"])
  }

  @Test func severities() {
    #expect(
      ["low", "medium", "high", "critical"].map { AlertPriority(name: $0) } == [.notice, .warning, .error, .critical]
    )
    #expect(AlertPriority(name: "INFO") == .informational && AlertPriority(name: "loud") == nil)
    #expect(AlertPriority.allCases.map(\.severityNumber) == [22, 21, 18, 17, 13, 10, 9, 5])
  }

  @Test func otlpRejections() {
    #expect(OTLPLogs.rejectedRecords(in: Array(#"{"partialSuccess":{"rejectedLogRecords":"7"}}"#.utf8)) == 7)
    #expect(OTLPLogs.rejectedRecords(in: Array(#"{"partialSuccess":{"rejectedLogRecords": 3}}"#.utf8)) == 3)
    #expect(OTLPLogs.rejectedRecords(in: Array("{}".utf8)) == 0)
  }
}

@Suite struct DeliveryRulesTests {
  @Test func queueDropsTheNewest() {
    let queue = OutputQueue(capacity: 3)
    let alerts = (0..<5).map {
      Alert(time: Int64($0), rule: "r", priority: .notice, source: "json", hostname: "h", output: "o", fields: [])
    }
    #expect(alerts.map { queue.push($0) } == [true, true, true, false, false])
    #expect(queue.waiting == 3 && !queue.hasRoom)
    #expect(queue.take(upTo: 2, delay: 0).map(\.time) == [0, 1])
    #expect(queue.push(alerts[4]))
    queue.close()
    #expect(!queue.push(alerts[3]))
    #expect(queue.take(upTo: 10, delay: 1).map(\.time) == [2, 4])
    #expect(queue.take(upTo: 10, delay: 1).isEmpty)
  }

  @Test func headers() throws {
    let environment = ["TOKEN": "Bearer abc"]
    let read: (String) throws -> String = { path in
      guard path == "/secret" else { throw CocoaError(.fileNoSuchFile) }
      return "s3cret\n"
    }
    #expect(try OutputHeaders.resolve("X-A:  b ", environment: environment, readFile: read) == "X-A: b")
    #expect(
      try OutputHeaders.resolve("Authorization: env:TOKEN", environment: environment, readFile: read)
        == "Authorization: Bearer abc"
    )
    #expect(try OutputHeaders.resolve("X-Key: @/secret", environment: environment, readFile: read) == "X-Key: s3cret")
    #expect(throws: OutputHeaders.Problem.self) {
      try OutputHeaders.resolve("no colon", environment: [:], readFile: read)
    }
    #expect(throws: OutputHeaders.Problem.self) {
      try OutputHeaders.resolve("Bad Name: v", environment: [:], readFile: read)
    }
    #expect(throws: OutputHeaders.Problem.self) {
      try OutputHeaders.resolve("X: @/missing", environment: [:], readFile: read)
    }
    let otel = ["OTEL_EXPORTER_OTLP_LOGS_HEADERS": "api-key=a%20b, x-tenant=t1"]
    #expect(try OutputHeaders.otlp(environment: otel) == ["api-key: a b", "x-tenant: t1"])
    #expect(throws: OutputHeaders.Problem.self) {
      try OutputHeaders.otlp(environment: ["OTEL_EXPORTER_OTLP_HEADERS": "k=%zz"])
    }
    #expect(
      OutputHeaders.otlpEndpoint(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318/"])
        == "http://c:4318/v1/logs"
    )
  }
}

@Suite struct RetryPolicyTests {
  let policy = RetryPolicy()

  func response(_ status: Int, retryAfter: Double? = nil) -> Result<HTTPResponse, HTTPTransportError> {
    .success(HTTPResponse(status: status, retryAfter: retryAfter, body: []))
  }

  @Test func verdicts() {
    #expect(policy.verdict(response(200)) == .delivered && policy.verdict(response(204)) == .delivered)
    for status in [400, 401, 403, 413, 404, 301] {
      #expect(policy.verdict(response(status)) == .reject("HTTP status \(status)"))
    }
    #expect(policy.verdict(response(429, retryAfter: 7)) == .retry(after: 7))
    #expect(policy.verdict(response(500)) == .retry(after: nil))
    var otlp = policy
    otlp.retriesAnyServerError = false
    #expect(
      otlp.verdict(response(500)) == .reject("HTTP status 500") && otlp.verdict(response(503)) == .retry(after: nil)
    )
    let refused = HTTPTransportError(code: 7, message: "Couldn't connect to server", cancelled: false)
    #expect(policy.verdict(.failure(refused)) == .retry(after: nil))
    let unverified = HTTPTransportError(code: 60, message: "SSL peer certificate", cancelled: false)
    #expect(policy.verdict(.failure(unverified)) == .reject("SSL peer certificate"))
  }

  @Test func delays() {
    #expect(policy.delay(afterAttempt: 1, retryAfter: nil, random: 0.5) == 1)
    #expect(policy.delay(afterAttempt: 3, retryAfter: nil, random: 0.5) == 4)
    #expect(policy.delay(afterAttempt: 3, retryAfter: nil, random: 0) == 3.2)
    #expect(abs(policy.delay(afterAttempt: 3, retryAfter: nil, random: 0.999_999) - 4.8) < 0.001)
    #expect(policy.delay(afterAttempt: 30, retryAfter: nil, random: 0.5) == 60)
    #expect(policy.delay(afterAttempt: 1, retryAfter: 120, random: 0.5) == 60)
  }
}
