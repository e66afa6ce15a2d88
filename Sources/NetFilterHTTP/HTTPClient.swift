import CCurl
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// How an ``HTTPClient`` reaches its server: TLS files and the time allowed per request.
public struct HTTPTransportOptions: Sendable, Equatable {
  /// A PEM file of certificate authorities to verify the server with (instead of the system's).
  public var caFile: String?
  /// A PEM client certificate for mutual TLS.
  public var clientCertificate: String?
  /// The PEM private key of ``clientCertificate``.
  public var clientKey: String?
  /// Seconds allowed for connecting.
  public var connectTimeout: Double = 5
  /// Seconds allowed for a whole request, connecting included.
  public var timeout: Double = 10

  /// Options with the system's certificate authorities and default timeouts.
  public init() {}
}

/// What a server answered.
public struct HTTPResponse: Sendable, Equatable {
  /// The status code (200, 503, …).
  public var status: Int
  /// Seconds the server asked to wait before retrying (`Retry-After`), if it said.
  public var retryAfter: Double?
  /// The start of the response body (at most ``HTTPClient/maximumBodyKept`` bytes).
  public var body: [UInt8]
}

/// Why a request got no answer: no connection, a timeout, a TLS failure, or a cancellation.
public struct HTTPTransportError: Error, Sendable, Equatable, CustomStringConvertible {
  /// libcurl's code (`CURLE_*`).
  public var code: Int
  /// libcurl's message, e.g. "Couldn't connect to server".
  public var message: String
  /// Whether the request was stopped by ``HTTPClient/cancelAfter(nanoseconds:)``.
  public var cancelled: Bool

  public var description: String { message }
}

/// A blocking HTTP client over one libcurl handle, for one thread: connections are kept alive
/// between requests. Requests can be cut short from another thread with ``cancelAfter(nanoseconds:)``.
///
/// libcurl (Debian's libcurl4-openssl-dev, what Falco's HTTP output uses) brings TLS, mutual TLS
/// and connection reuse behind a C API, so the outputs need no Swift networking stack.
public final class HTTPClient: @unchecked Sendable {
  /// How much of a response body is kept.
  public static let maximumBodyKept = 65_536

  private let handle: UnsafeMutableRawPointer
  private let multi: UnsafeMutableRawPointer
  private let options: HTTPTransportOptions
  /// Monotonic nanoseconds after which a transfer is aborted (`Int64.max`: never).
  private let deadline = Atomic<Int64>(Int64.max)
  private var body: [UInt8] = []

  /// A client using `options` for every request.
  public init(options: HTTPTransportOptions = HTTPTransportOptions()) {
    _ = HTTPClient.globalSetup
    handle = curl_easy_init()!
    multi = curl_multi_init()!
    self.options = options
  }

  deinit {
    curl_multi_cleanup(multi)
    curl_easy_cleanup(handle)
  }

  private static let globalSetup: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()

  /// Aborts the running request at once when `nanoseconds` (monotonic) has passed, or else when it
  /// passes; later requests fail at once after it. May be called from any thread.
  public func cancelAfter(nanoseconds: Int64) {
    deadline.store(nanoseconds, ordering: .relaxed)
    curl_multi_wakeup(multi)
  }

  /// POSTs `body` to `url` with `headers` (each `Name: value`); returns the response, whatever its
  /// status, or why there was none.
  public func post(url: String, headers: [String], body payload: [UInt8]) -> Result<HTTPResponse, HTTPTransportError> {
    curl_easy_reset(handle)
    body.removeAll(keepingCapacity: true)
    var list: UnsafeMutablePointer<curl_slist>? = nil
    for header in headers + ["Expect:"] { list = curl_slist_append(list, header) }
    defer { curl_slist_free_all(list) }
    let code: CURLcode = withExtendedLifetime(self) {
      payload.withUnsafeBytes { bytes in
        var code = configure(url: url)
        if code == CURLE_OK { code = nf_curl_set_headers(handle, list) }
        if code == CURLE_OK { code = nf_curl_set_body(handle, bytes.baseAddress, curl_off_t(bytes.count)) }
        return code == CURLE_OK ? perform() : code
      }
    }
    guard code == CURLE_OK else {
      let cancelled = code == CURLE_ABORTED_BY_CALLBACK
      let message = cancelled ? "cancelled at the deadline" : String(cString: curl_easy_strerror(code))
      return .failure(HTTPTransportError(code: Int(code.rawValue), message: message, cancelled: cancelled))
    }
    let retryAfter = nf_curl_retry_after(handle)
    return .success(
      HTTPResponse(status: nf_curl_status(handle), retryAfter: retryAfter >= 0 ? Double(retryAfter) : nil, body: body)
    )
  }

  /// Runs the transfer on the multi handle, so that ``cancelAfter(nanoseconds:)`` can wake it.
  private func perform() -> CURLcode {
    guard curl_multi_add_handle(multi, handle) == CURLM_OK else { return CURLE_FAILED_INIT }
    defer { curl_multi_remove_handle(multi, handle) }
    var running: Int32 = 1
    while true {
      guard curl_multi_perform(multi, &running) == CURLM_OK else { return CURLE_FAILED_INIT }
      if running == 0 { break }
      if HTTPClient.now() >= deadline.load(ordering: .relaxed) { return CURLE_ABORTED_BY_CALLBACK }
      curl_multi_poll(multi, nil, 0, 200, nil)
    }
    var pending: Int32 = 0
    while let message = curl_multi_info_read(multi, &pending) {
      if message.pointee.msg == CURLMSG_DONE { return message.pointee.data.result }
    }
    return CURLE_FAILED_INIT
  }

  /// Sets the URL, TLS files, timeouts and the callbacks that keep the body and watch the deadline.
  private func configure(url: String) -> CURLcode {
    let context = Unmanaged.passUnretained(self).toOpaque()
    var codes = [
      nf_curl_set_string(handle, CURLOPT_URL, url),
      nf_curl_set_long(handle, CURLOPT_NOSIGNAL, 1),
      nf_curl_set_long(handle, CURLOPT_POST, 1),
      nf_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000)),
      nf_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Int(options.timeout * 1000)),
      nf_curl_set_write(
        handle,
        { data, size, count, context in
          let client = Unmanaged<HTTPClient>.fromOpaque(context!).takeUnretainedValue()
          let length = size * count
          let room = max(0, HTTPClient.maximumBodyKept - client.body.count)
          if let data, room > 0 {
            client.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: min(room, length)))
          }
          return length
        },
        context
      ),
    ]
    if let file = options.caFile { codes.append(nf_curl_set_string(handle, CURLOPT_CAINFO, file)) }
    if let file = options.clientCertificate { codes.append(nf_curl_set_string(handle, CURLOPT_SSLCERT, file)) }
    if let file = options.clientKey { codes.append(nf_curl_set_string(handle, CURLOPT_SSLKEY, file)) }
    return codes.first { $0 != CURLE_OK } ?? CURLE_OK
  }

  /// The monotonic clock in nanoseconds (the clock of ``cancelAfter(nanoseconds:)``).
  public static func now() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
  }
}
