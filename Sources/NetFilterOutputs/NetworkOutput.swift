import Foundation
import NetFilterHTTP
import NetFilterRuntime
import Synchronization

/// One network output's settings.
public struct OutputConfiguration: Sendable {
  /// What an output sends.
  public enum Kind: String, Sendable {
    /// Falco's JSON, one alert per POST (falcosidekick, generic webhooks).
    case falco
    /// OpenTelemetry logs over OTLP/HTTP in JSON, one `ExportLogsServiceRequest` per batch.
    case otlp
  }

  /// What is sent.
  public var kind: Kind
  /// Where it is POSTed.
  public var url: String
  /// Extra request headers, each `Name: value` (authorization); never logged.
  public var headers: [String] = []
  /// TLS files and timeouts.
  public var transport = HTTPTransportOptions()
  /// Whether bodies are gzip-compressed (`Content-Encoding: gzip`).
  public var gzip = false
  /// Alerts the queue holds before dropping new ones.
  public var capacity = 10_000
  /// Alerts per request at most (OTLP; Falco's JSON is always one).
  public var batchSize = 512
  /// Body bytes per request at most (OTLP), before compression.
  public var batchBytes = 4 << 20
  /// Seconds a batch waits to fill after its first alert (OTLP).
  public var batchDelay = 1.0
  /// Retries.
  public var retry = RetryPolicy()

  /// An output of `kind` to `url`, with defaults for the rest.
  public init(kind: Kind, url: String) {
    self.kind = kind
    self.url = url
    retry.retriesAnyServerError = kind == .falco
  }
}

/// One network output: a bounded queue filled by the capture thread and a delivery thread of its
/// own that batches, POSTs and retries, so that a slow or dead receiver stalls nothing else.
public final class NetworkOutput: @unchecked Sendable {
  /// The settings.
  public let configuration: OutputConfiguration
  /// The queue.
  public let queue: OutputQueue
  /// What happened to the alerts offered.
  public let statistics = OutputStatistics()
  /// The host name of OTLP's resource.
  let hostName: String
  let client: HTTPClient
  let report: @Sendable (String) -> Void
  /// Monotonic nanoseconds after which delivery gives up (set by ``close(deadline:)``).
  let giveUpAt = Atomic<Int64>(Int64.max)
  private let finished = DispatchSemaphore(value: 0)
  let lastWarning = Mutex<Int64>(Int64.min)

  /// An output; `report` is told of failures (at most one line per 30 seconds).
  public init(_ configuration: OutputConfiguration, hostName: String, report: @escaping @Sendable (String) -> Void) {
    self.configuration = configuration
    self.hostName = hostName
    self.report = report
    queue = OutputQueue(capacity: configuration.capacity)
    client = HTTPClient(options: configuration.transport)
    let thread = Thread { [self] in
      SignalStop.blockOnThisThread()
      deliverAll()
      finished.signal()
    }
    thread.name = "netfilter.output.\(configuration.kind.rawValue)"
    thread.start()
  }

  /// A short name for reports and metrics labels: the kind and the URL without credentials or query.
  public var label: String {
    var url = configuration.url
    if let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") {
      url.removeSubrange(scheme.upperBound...at)
    }
    if let query = url.firstIndex(of: "?") { url.removeSubrange(query...) }
    return url
  }

  /// Queues `alert` without waiting; counts it as dropped when the queue is full.
  @discardableResult
  public func offer(_ alert: Alert) -> Bool {
    if queue.push(alert) { return true }
    statistics.addDropped()
    return false
  }

  /// Counts an alert that was not built because the queue was full.
  func countDropped() { statistics.addDropped() }

  /// Stops accepting alerts; delivery goes on until the queue is empty or `deadline` (monotonic
  /// nanoseconds, ``HTTPClient/now()``) passes, then what is left counts as unsent. Returns once
  /// the delivery thread has stopped.
  public func close(deadline: Int64) {
    giveUpAt.store(deadline, ordering: .relaxed)
    client.cancelAfter(nanoseconds: deadline)
    queue.close()
    finished.wait()
  }

  /// Whether the shutdown deadline has passed.
  var givingUp: Bool { HTTPClient.now() >= giveUpAt.load(ordering: .relaxed) }

  /// Reports `message` unless another report went out in the last 30 seconds.
  func warn(_ message: String) {
    let now = HTTPClient.now()
    let due = lastWarning.withLock { last in
      guard last == Int64.min || now - last >= 30_000_000_000 else { return false }
      last = now
      return true
    }
    if due { report("netfilter: output \(label): \(message)") }
  }
}
