import Foundation
import NetFilterBPF

/// Helpers for the live-capture tests: a local HTTP server, curl, bpftool and parsed events.
enum Live {
  /// Whether the live tests can run; says loudly why not.
  static let available: Bool = {
    let capability = BPFCapability.current
    var missing = capability.missing
    for tool in ["/usr/sbin/bpftool", "/usr/bin/curl"] where !FileManager.default.isExecutableFile(atPath: tool) {
      missing.append("\(tool) is not installed")
    }
    if !missing.isEmpty {
      FileHandle.standardError.write(
        Data("\n*** LiveCaptureTests SKIPPED: \(missing.joined(separator: "; ")) ***\n\n".utf8)
      )
    }
    return missing.isEmpty
  }()

  /// A copy of the netfilter binary that user nobody may run (in a new temporary directory,
  /// which the caller removes).
  static func binaryForNobody() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nf-unpriv-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let copy = directory.appendingPathComponent("netfilter")
    // Copied by cp, not in this process: a child another test forks meanwhile would inherit the
    // copy's open descriptor and make executing it fail with "Text file busy".
    let copied = try run("/bin/cp", [binary, copy.path])
    guard copied.status == 0 else { throw CocoaError(.fileWriteUnknown) }
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy.path)
    return copy
  }

  /// Runs a program to completion and returns its standard output and status.
  @discardableResult
  static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, out: String, pid: Int32) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let pid = process.processIdentifier
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self), pid)
  }

  /// One GET with curl (at most 5 seconds); returns curl's pid.
  static func curl(port: Int, host: String = "127.0.0.1") throws -> Int32 {
    let url = host.contains(":") ? "http://[\(host)]:\(port)/" : "http://\(host):\(port)/"
    let result = try run("/usr/bin/curl", ["-g", "-s", "-o", "/dev/null", "--max-time", "5", url])
    return result.pid
  }

  /// How many programs (and links) a capture attaches.
  static let programCount = 17
  /// How many maps a capture creates (ring buffer, counters, owners, listeners, peers, and the plan's nine).
  static let mapCount = 14

  /// Parsed JSON-lines output.
  static func events(_ output: String) -> [LiveJSONEvent] {
    output.split(separator: "\n").compactMap { line in
      guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
      return LiveJSONEvent(object)
    }
  }
}

/// A Tracee-shaped event as the CLI prints it.
struct LiveJSONEvent {
  let name: String
  let processName: String
  let processID: Int
  let threadID: Int
  let hostName: String
  let arguments: [String: Any]

  init(_ object: [String: Any]) {
    name = object["eventName"] as? String ?? ""
    processName = object["processName"] as? String ?? ""
    processID = object["processId"] as? Int ?? -1
    threadID = object["threadId"] as? Int ?? -1
    hostName = object["hostName"] as? String ?? ""
    var arguments: [String: Any] = [:]
    for case let argument as [String: Any] in object["args"] as? [Any] ?? [] {
      if let name = argument["name"] as? String { arguments[name] = argument["value"] }
    }
    self.arguments = arguments
  }

  /// A TCP flag of a `net_packet_tcp` event (0 or 1), or nil.
  func tcpFlag(_ flag: String) -> Int? { (arguments["proto_tcp"] as? [String: Any])?[flag] as? Int }
}

/// `python3 -m http.server` on `host` (127.0.0.1 or ::1) and a port the kernel picks, serving an empty directory.
final class LocalHTTPServer {
  let process = Process()
  let port: Int
  private let directory: URL

  init(host: String = "127.0.0.1") throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("nf-live-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "python3", "-u", "-m", "http.server", "0", "--bind", host, "--directory", directory.path,
    ]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    // "Serving HTTP on 127.0.0.1 port 40123 (http://127.0.0.1:40123/) ..."
    var text = ""
    while !text.contains(")"), process.isRunning {
      let data = pipe.fileHandleForReading.availableData
      if data.isEmpty { break }
      text += String(decoding: data, as: UTF8.self)
    }
    guard let range = text.range(of: "port "), let port = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
      process.terminate()
      throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "http.server did not start: \(text)"])
    }
    self.port = port
  }

  /// Kills the server (SIGKILL: SIGTERM may be ignored, a disposition children inherit).
  func stop() {
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
    try? FileManager.default.removeItem(at: directory)
  }
}

extension Live {
  /// The built `netfilter` executable next to the test bundle.
  static var binary: String {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("netfilter").path),
      directory.path != "/"
    {
      directory.deleteLastPathComponent()
    }
    return directory.appendingPathComponent("netfilter").path
  }

  /// Starts `netfilter ARGS` with its standard output and error collected into files.
  static func start(_ arguments: [String]) throws -> (process: Process, out: URL, err: URL) {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("nf-live-\(UUID().uuidString)")
    let out = base.appendingPathExtension("out")
    let err = base.appendingPathExtension("err")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    return (process, out, err)
  }
}
