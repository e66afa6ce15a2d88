import Foundation
import Testing

/// The directory of this test target's files.
let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

/// The Python with opentelemetry-proto and prometheus_client: `NETFILTER_TEST_PYTHON`, or the venv
/// `.ci/run` makes under .build, or `nil` when there is none.
let packagedPython: String? = {
  if let path = ProcessInfo.processInfo.environment["NETFILTER_TEST_PYTHON"] { return path }
  let venv = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent(".build/outputs-venv/bin/python3").path
  guard FileManager.default.isExecutableFile(atPath: venv) else { return nil }
  let probe = Process()
  probe.executableURL = URL(fileURLWithPath: venv)
  probe.arguments = ["-c", "import opentelemetry.proto.collector.logs.v1.logs_service_pb2, prometheus_client"]
  guard (try? probe.run()) != nil else { return nil }
  probe.waitUntilExit()
  return probe.terminationStatus == 0 ? venv : nil
}()

/// Why the tests that need the packaged Python cannot run.
let missingPython =
  "needs opentelemetry-proto and prometheus_client: run `.ci/run`'s pip step (a venv at .build/outputs-venv) "
  + "or set NETFILTER_TEST_PYTHON"

/// A scratch directory for one test.
func scratchDirectory() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("netfilter-outputs-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// A receiver (Receivers/receiver.py) on 127.0.0.1, stopped by ``stop()``.
final class Receiver {
  let port: Int
  let records: URL
  private let process = Process()

  /// Starts a receiver in `mode` (falco or otlp) on `port`, with extra arguments; waits until it listens.
  init(mode: String, port: Int, in directory: URL, _ arguments: [String] = []) throws {
    self.port = port
    records = directory.appendingPathComponent("records-\(port).jsonl")
    let python = mode == "otlp" ? packagedPython ?? "/usr/bin/python3" : "/usr/bin/python3"
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments =
      [
        testsDirectory.appendingPathComponent("Receivers/receiver.py").path, "--mode", mode, "--port", String(port),
        "--records", records.path, "--lifetime", "120",
      ] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let line = String(decoding: output.fileHandleForReading.availableLine(), as: UTF8.self)
    guard line.hasPrefix("READY") else { throw ReceiverError(message: "receiver on \(port) did not start: \(line)") }
  }

  /// The accepted records, one JSON object each.
  func accepted() -> [[String: Any]] { Self.lines(records) }

  /// The refused requests (`status`, `reason`).
  func refused() -> [[String: Any]] { Self.lines(records.appendingPathExtension("rejected")) }

  private static func lines(_ url: URL) -> [[String: Any]] {
    guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").compactMap {
      try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
  }

  /// Kills the receiver (SIGKILL: the test runner's threads block SIGTERM, and children inherit that).
  func stop() {
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
  }

  deinit { stop() }
}

struct ReceiverError: Error, CustomStringConvertible {
  let message: String
  var description: String { message }
}

extension FileHandle {
  /// Bytes up to the next line feed (or the end).
  fileprivate func availableLine() -> [UInt8] {
    var line: [UInt8] = []
    while let byte = try? read(upToCount: 1), let first = byte.first, first != 10 { line.append(first) }
    return line
  }
}

/// What a run of the netfilter executable printed and how long it took.
struct RunResult {
  var status: Int32
  var stdout: String
  var stderr: String
  var seconds: Double
  /// CPU seconds (user and system) of the children reaped meanwhile: the run's own, when nothing
  /// else ends at the same time.
  var cpuSeconds: Double = 0

  /// The closing summary of the output whose label contains `url`: sent, retried, failed, dropped, unsent.
  func summary(_ url: String) -> [String: Int] {
    guard
      let line = stderr.split(separator: "\n").first(where: { $0.contains("output \(url): ") && $0.contains(" sent, ") }
      ),
      let colon = line.range(of: ": ", options: .backwards)
    else { return [:] }
    var counts: [String: Int] = [:]
    for part in line[colon.upperBound...].split(separator: ", ") {
      let words = part.split(separator: " ")
      if words.count == 2, let value = Int(words[0]) { counts[String(words[1])] = value }
    }
    return counts
  }

  /// The integer members of the `--stats` object (the last line of standard error).
  var stats: [String: Int] {
    guard let line = stderr.split(separator: "\n").last,
      let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    else { return [:] }
    return object.compactMapValues { $0 as? Int }
  }
}

/// The path of the built `netfilter` executable, next to the test bundle.
let netfilterExecutable: String = {
  var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("netfilter").path),
    directory.path != "/"
  {
    directory.deleteLastPathComponent()
  }
  return directory.appendingPathComponent("netfilter").path
}()

/// Starts `netfilter` with `arguments`; standard output goes to `stdout` (a file, or /dev/null).
func startNetfilter(
  _ arguments: [String],
  environment: [String: String] = [:],
  stdout: FileHandle = FileHandle.nullDevice,
  stdin: Pipe? = nil
) throws -> (Process, Pipe) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: netfilterExecutable)
  process.arguments = arguments
  process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
  let errors = Pipe()
  process.standardOutput = stdout
  process.standardError = errors
  process.standardInput = stdin ?? FileHandle.nullDevice
  try process.run()
  return (process, errors)
}

/// Runs `netfilter` to its end.
func runNetfilter(_ arguments: [String], environment: [String: String] = [:]) throws -> RunResult {
  let start = Date()
  let cpuBefore = childrenCPUSeconds()
  let (process, errors) = try startNetfilter(arguments, environment: environment)
  var result = finish(process, errors, since: start)
  result.cpuSeconds = childrenCPUSeconds() - cpuBefore
  return result
}

/// User and system CPU seconds of every child this process has reaped.
func childrenCPUSeconds() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_CHILDREN.rawValue, &usage)
  let seconds = { (time: timeval) in Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
  return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Waits for a started run.
func finish(_ process: Process, _ errors: Pipe, since start: Date) -> RunResult {
  let text = errors.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return RunResult(
    status: process.terminationStatus,
    stdout: "",
    stderr: String(decoding: text, as: UTF8.self),
    seconds: Date().timeIntervalSince(start)
  )
}

/// A pcap file (Ethernet) of `count` UDP packets 127.0.0.1:(40000 + i % 1000) → 127.0.0.2:9999, the
/// i-th at 2026-01-02T03:04:05Z plus i microseconds.
func writeUDPCapture(_ path: String, count: Int) throws {
  var bytes: [UInt8] = []
  bytes.reserveCapacity(24 + count * 63)
  func little32(_ value: UInt32) { bytes += [0, 8, 16, 24].map { UInt8(value >> $0 & 0xFF) } }
  func big16(_ value: Int) { bytes += [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
  little32(0xA1B2_C3D4)
  bytes += [2, 0, 4, 0]
  for word: UInt32 in [0, 0, 65_535, 1] { little32(word) }
  for index in 0..<count {
    let payload = Array("hello".utf8)
    let frameLength = 14 + 20 + 8 + payload.count
    little32(UInt32(packetEpoch + index / 1_000_000))
    little32(UInt32(index % 1_000_000))
    little32(UInt32(frameLength))
    little32(UInt32(frameLength))
    bytes += [UInt8](repeating: 0, count: 12) + [0x08, 0x00]
    bytes += [0x45, 0]
    big16(20 + 8 + payload.count)
    big16(index & 0xFFFF)
    bytes += [0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 2]
    big16(40_000 + index % 1000)
    big16(9999)
    big16(8 + payload.count)
    big16(0)
    bytes += payload
  }
  try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Seconds since the epoch of the first packet of ``writeUDPCapture(_:count:)``.
let packetEpoch = 1_767_323_045

/// The nanosecond time of packet `index` of ``writeUDPCapture(_:count:)``.
func packetTime(_ index: Int) -> Int64 {
  Int64(packetEpoch + index / 1_000_000) * 1_000_000_000 + Int64(index % 1_000_000) * 1000
}
