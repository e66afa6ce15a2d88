import NetFilterHTTP
import NetFilterRuntime

/// `/metrics` in the Prometheus text format (version 0.0.4): the pipeline's counters as published
/// on a ``CounterBoard``, and each network output's alerts by status and its queue depth.
public final class MetricsEndpoint: Sendable {
  private let listener: HTTPListener

  /// Serves `/metrics` on `address`:`port` (IPv4; port 0 picks one) from a thread of its own.
  public init(address: String, port: UInt16, board: CounterBoard, hub: OutputHub?, source: String)
    throws(HTTPListenerError)
  {
    listener = try HTTPListener(address: address, port: port)
    listener.start { path in
      guard path == "/metrics" || path.hasPrefix("/metrics?") else {
        return (404, "text/plain", Array("not found; try /metrics\n".utf8))
      }
      let text = MetricsText.render(board.snapshot, outputs: hub?.outputs ?? [], source: source)
      return (200, "text/plain; version=0.0.4; charset=utf-8", Array(text.utf8))
    }
  }

  /// The port served.
  public var port: UInt16 { listener.port }

  /// Stops serving.
  public func stop() { listener.stop() }
}
