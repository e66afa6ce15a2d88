import Foundation
import NetFilterHTTP

/// The delivery thread of a ``NetworkOutput``: takes batches off the queue, encodes them, POSTs
/// them and retries as the ``RetryPolicy`` says, until the queue is closed and empty or the
/// shutdown deadline passes.
extension NetworkOutput {
  func deliverAll() {
    let limit = configuration.kind == .falco ? 1 : max(1, configuration.batchSize)
    let delay = configuration.kind == .falco ? 0 : configuration.batchDelay
    while true {
      let batch = queue.take(upTo: limit, delay: delay)
      if batch.isEmpty { return }
      if givingUp {
        statistics.add(unsent: batch.count + queue.drain())
        continue
      }
      deliver(batch[...])
    }
  }

  /// The request body for `batch`, before compression.
  private func encode(_ batch: ArraySlice<Alert>) -> [UInt8] {
    switch configuration.kind {
    case .falco: FalcoJSON.encode(batch.first!)
    case .otlp: OTLPLogs.encode(batch, hostName: hostName, observed: AlertClock.now())
    }
  }

  /// The request body and headers for `batch`.
  private func request(_ body: [UInt8]) -> (body: [UInt8], headers: [String]) {
    var body = body
    var headers = ["Content-Type: application/json", "User-Agent: netfilter"]
    if configuration.gzip, let compressed = Gzip.compress(body) {
      body = compressed
      headers.append("Content-Encoding: gzip")
    }
    return (body, headers + configuration.headers)
  }

  /// Sends one batch, retrying, and counts how it ended; a body over
  /// ``OutputConfiguration/batchBytes`` is sent as two halves instead.
  private func deliver(_ batch: ArraySlice<Alert>) {
    let encoded = encode(batch)
    if encoded.count > configuration.batchBytes, batch.count > 1 {
      let middle = batch.startIndex + batch.count / 2
      deliver(batch[..<middle])
      return deliver(batch[middle...])
    }
    let (body, headers) = request(encoded)
    let policy = configuration.retry
    var attempt = 0
    while true {
      attempt += 1
      let result = client.post(url: configuration.url, headers: headers, body: body)
      if givingUp, case .failure = result { return statistics.add(unsent: batch.count) }
      switch policy.verdict(result) {
      case .delivered:
        let rejected = configuration.kind == .otlp ? min(batch.count, rejectedRecords(result)) : 0
        if rejected > 0 { warn("the receiver rejected \(rejected) log records") }
        return statistics.add(sent: batch.count - rejected, failed: rejected)
      case .reject(let reason):
        warn("\(reason); \(batch.count) alerts not delivered (not retried)")
        return statistics.add(failed: batch.count)
      case .retry(let after):
        guard attempt < policy.maximumAttempts else {
          warn("\(describe(result)); giving up after \(attempt) attempts")
          return statistics.add(failed: batch.count)
        }
        warn("\(describe(result)); retrying")
        guard pause(policy.delay(afterAttempt: attempt, retryAfter: after, random: Double.random(in: 0..<1))) else {
          return statistics.add(unsent: batch.count)
        }
        statistics.add(retried: batch.count)
      }
    }
  }

  private func rejectedRecords(_ result: Result<HTTPResponse, HTTPTransportError>) -> Int {
    guard case .success(let response) = result else { return 0 }
    return OTLPLogs.rejectedRecords(in: response.body)
  }

  private func describe(_ result: Result<HTTPResponse, HTTPTransportError>) -> String {
    switch result {
    case .success(let response): "HTTP status \(response.status)"
    case .failure(let error): error.message
    }
  }

  /// Sleeps `seconds`, in short steps; returns false if the shutdown deadline passed meanwhile.
  private func pause(_ seconds: Double) -> Bool {
    let until = HTTPClient.now() + Int64(seconds * 1e9)
    while HTTPClient.now() < until {
      if givingUp { return false }
      Thread.sleep(forTimeInterval: min(0.05, Double(until - HTTPClient.now()) / 1e9))
    }
    return !givingUp
  }
}
