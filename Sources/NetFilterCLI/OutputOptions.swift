import ArgumentParser
import Foundation
import NetFilter
import NetFilterHTTP
import NetFilterOutputs

/// `run`'s network outputs and metrics: where matches are shipped besides standard output.
struct OutputOptions: ParsableArguments {
  @Option(
    name: .customLong("output-http"),
    help: ArgumentHelp(
      "POST each match to URL as Falco's JSON (falcosidekick, webhooks); repeatable.",
      valueName: "url"
    )
  )
  var httpURLs: [String] = []

  @Option(
    name: .customLong("output-otlp"),
    help: ArgumentHelp(
      "Send matches as OpenTelemetry logs over OTLP/HTTP (JSON) to URL, e.g. http://127.0.0.1:4318/v1/logs; repeatable.",
      discussion: "'env' takes OTEL_EXPORTER_OTLP_LOGS_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/logs).",
      valueName: "url"
    )
  )
  var otlpURLs: [String] = []

  @Option(
    name: .customLong("header"),
    help: ArgumentHelp(
      "Add a request header to every output: 'Name: value', 'Name: @FILE' or 'Name: env:VAR'; repeatable.",
      valueName: "header"
    )
  )
  var headers: [String] = []

  @Option(help: ArgumentHelp("Verify HTTPS outputs with the certificate authorities in FILE (PEM).", valueName: "file"))
  var caFile: String?

  @Option(help: ArgumentHelp("Client certificate (PEM) for mutual TLS.", valueName: "file"))
  var clientCert: String?

  @Option(help: ArgumentHelp("Private key (PEM) of --client-cert.", valueName: "file"))
  var clientKey: String?

  @Flag(help: "Compress request bodies with gzip.")
  var gzip = false

  @Option(help: "Rule name of shipped matches (default: the filter text).")
  var name: String?

  @Option(
    help: "Priority of shipped matches: emergency, alert, critical, error, warning, notice, informational, debug."
  )
  var priority: String = "notice"

  @Option(help: ArgumentHelp("Alerts each output queues before dropping new ones.", valueName: "n"))
  var queueCapacity = 10_000

  @Option(
    help: ArgumentHelp("Seconds to finish delivering at exit (end of input, SIGINT, SIGTERM).", valueName: "seconds")
  )
  var flushTimeout = 5.0

  @Option(help: ArgumentHelp("Serve Prometheus metrics at http://ADDR:PORT/metrics.", valueName: "addr:port"))
  var metrics: String?

  func validate() throws {
    guard AlertPriority(name: priority) != nil else { throw ValidationError("Unknown --priority '\(priority)'.") }
    if queueCapacity <= 0 { throw ValidationError("--queue-capacity must be a positive number.") }
    if !(flushTimeout >= 0) { throw ValidationError("--flush-timeout must be zero or more seconds.") }
    if (clientCert == nil) != (clientKey == nil) {
      throw ValidationError("Give --client-cert and --client-key together.")
    }
    if let metrics { _ = try Self.address(metrics) }
    for url in httpURLs + otlpURLs where url != "env" && !url.hasPrefix("http://") && !url.hasPrefix("https://") {
      throw ValidationError("Output URL '\(url)' must start with http:// or https://.")
    }
  }

  /// The configured outputs; throws on a header or endpoint that cannot be used.
  func configurations(_ environment: [String: String]) throws -> [OutputConfiguration] {
    let resolved: [String]
    do {
      resolved = try headers.map { spec throws(OutputHeaders.Problem) in
        try OutputHeaders.resolve(spec, environment: environment) { path in
          do throws(ReadFileError) { return try readTextFile(path) } catch {
            throw ValidationError("unreadable: \(error.reason)")
          }
        }
      }
    } catch { throw ValidationError(error.message) }
    var transport = HTTPTransportOptions()
    transport.caFile = caFile
    transport.clientCertificate = clientCert
    transport.clientKey = clientKey
    var result = httpURLs.map { OutputConfiguration(kind: .falco, url: $0) }
    for url in otlpURLs {
      guard let endpoint = url == "env" ? OutputHeaders.otlpEndpoint(environment: environment) : url else {
        throw ValidationError(
          "--output-otlp env: neither OTEL_EXPORTER_OTLP_LOGS_ENDPOINT nor OTEL_EXPORTER_OTLP_ENDPOINT is set."
        )
      }
      var configuration = OutputConfiguration(kind: .otlp, url: endpoint)
      do { configuration.headers = try OutputHeaders.otlp(environment: environment) } catch {
        throw ValidationError(error.message)
      }
      result.append(configuration)
    }
    return result.map { configuration in
      var configuration = configuration
      configuration.headers += resolved
      configuration.transport = transport
      configuration.gzip = gzip
      configuration.capacity = queueCapacity
      return configuration
    }
  }

  /// Whether a network output or metrics are asked for (SIGINT and SIGTERM then end any run
  /// gracefully, so that queued alerts are flushed).
  var isActive: Bool { !httpURLs.isEmpty || !otlpURLs.isEmpty || metrics != nil }

  /// `ADDR:PORT` split.
  static func address(_ text: String) throws -> (String, UInt16) {
    guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
      throw ValidationError("--metrics needs ADDR:PORT, e.g. 127.0.0.1:9464.")
    }
    let host = String(text[..<colon])
    return (host.isEmpty || host == "localhost" ? "127.0.0.1" : host, port)
  }

  /// The sink and metrics endpoint of a run: `sink` alone when no output or metrics are asked for.
  func start(_ sink: EventSink, _ pipeline: inout Pipeline, filterText: String, console: Console) throws
    -> OutputSession
  {
    let environment = ProcessInfo.processInfo.environment
    let configurations = try configurations(environment)
    var session = OutputSession(sink: sink)
    let report: @Sendable (String) -> Void = { console.err($0 + "\n") }
    let hub = configurations.isEmpty ? nil : OutputHub(configurations, hostName: pipeline.hostName, report: report)
    if let hub {
      let rule = name ?? filterText.split(whereSeparator: \.isNewline).joined(separator: " ")
      let builder = AlertBuilder(
        filter: pipeline.filter,
        schema: pipeline.schema,
        rule: rule,
        priority: AlertPriority(name: priority) ?? .notice,
        source: pipeline.source.name,
        hostname: pipeline.hostName
      )
      session.sink = OutputSink(
        forwarding: sink,
        hub: hub,
        builder: builder,
        flushTimeout: flushTimeout,
        report: report
      )
    }
    if let metrics {
      let (host, port) = try Self.address(metrics)
      let board = CounterBoard()
      pipeline.board = board
      do {
        session.endpoint = try MetricsEndpoint(
          address: host,
          port: port,
          board: board,
          hub: hub,
          source: pipeline.source.name
        )
      } catch { throw ValidationError(error.message) }
    }
    return session
  }
}

/// What ``OutputOptions/start(_:_:filterText:console:)`` set up for one run.
struct OutputSession {
  /// The sink the pipeline writes to.
  var sink: EventSink
  /// The `/metrics` endpoint, if any.
  var endpoint: MetricsEndpoint?

  /// Stops serving metrics.
  func stop() { endpoint?.stop() }
}
