import NetFilterHTTP

/// When a failed delivery is tried again, and after how long.
///
/// Connect errors, timeouts, 408, 429 and server errors are retried with exponential backoff from
/// ``initialBackoff`` to ``maximumBackoff`` with ±``jitter``, or after the server's `Retry-After`;
/// 400, 401, 403, 413 and other client errors are never retried (OTLP/HTTP's rules; Falco's
/// consumers answer 400 to a payload they refuse). A TLS verification failure or a malformed URL is
/// not retried either: it will not heal by itself.
public struct RetryPolicy: Sendable, Equatable {
  /// Seconds before the first retry.
  public var initialBackoff: Double = 1
  /// The longest wait between attempts, in seconds.
  public var maximumBackoff: Double = 60
  /// The relative spread of each wait (0.2: ±20 %).
  public var jitter: Double = 0.2
  /// Attempts per batch before it counts as failed.
  public var maximumAttempts: Int = 10
  /// Whether every 5xx is retried (webhooks), or only 502, 503 and 504 (OTLP).
  public var retriesAnyServerError = true

  /// The default policy.
  public init() {}

  /// What to do after one attempt.
  enum Verdict: Equatable {
    case delivered
    case retry(after: Double?)
    case reject(String)
  }

  /// The verdict on one attempt's result.
  func verdict(_ result: Result<HTTPResponse, HTTPTransportError>) -> Verdict {
    switch result {
    case .failure(let error):
      // 1 unsupported protocol, 3 malformed URL, 58 bad client certificate, 60 server certificate
      // not verified, 77 unreadable CA file: configuration problems, not outages.
      if [1, 3, 58, 60, 77].contains(error.code) { return .reject(error.message) }
      return .retry(after: nil)
    case .success(let response):
      switch response.status {
      case 200..<300: return .delivered
      case 408, 429: return .retry(after: response.retryAfter)
      case 502, 503, 504: return .retry(after: response.retryAfter)
      case 500..<600 where retriesAnyServerError: return .retry(after: response.retryAfter)
      default: return .reject("HTTP status \(response.status)")
      }
    }
  }

  /// Seconds to wait before attempt `attempt + 1` (attempt counts from 1), `random` in 0..<1.
  func delay(afterAttempt attempt: Int, retryAfter: Double?, random: Double) -> Double {
    if let retryAfter { return min(retryAfter, maximumBackoff) }
    let base = min(maximumBackoff, initialBackoff * Double(1 << min(attempt - 1, 20)))
    return base * (1 - jitter + 2 * jitter * random)
  }
}
