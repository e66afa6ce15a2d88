import Foundation
import NetFilterCLI
import Testing

/// What one CLI run printed and returned.
struct CLIResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// Collects console output across threads.
final class OutputBuffer: @unchecked Sendable {
  private let lock = NSLock()
  private var text = ""

  func append(_ more: String) { lock.withLock { text += more } }
  var value: String { lock.withLock { text } }
}

/// Runs the CLI in-process with a captured console.
func runCLI(_ arguments: [String], stderrIsTerminal: Bool = false) -> CLIResult {
  let out = OutputBuffer()
  let err = OutputBuffer()
  let console = Console(
    out: { out.append($0) },
    err: { err.append($0) },
    outIsTerminal: false,
    errIsTerminal: stderrIsTerminal
  )
  let status = Console.$current.withValue(console) { CLI.run(arguments) }
  return CLIResult(status: status, stdout: out.value, stderr: err.value)
}

/// Where a built executable of the package is: next to the test bundle.
func builtExecutable(_ name: String = "netfilter") -> URL {
  var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  while !FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), directory.path != "/" {
    directory.deleteLastPathComponent()
  }
  return directory.appendingPathComponent(name)
}

/// Runs a built executable of the package (`netfilter` by default), which sits next to the test bundle;
/// `output` replaces the pipe its standard output is read from (the result's `stdout` is then empty);
/// `environment` adds variables.
func runBinary(
  _ arguments: [String],
  stdin: String? = nil,
  executable: String = "netfilter",
  output: FileHandle? = nil,
  environment: [String: String] = [:]
) throws -> CLIResult {
  let process = Process()
  process.executableURL = builtExecutable(executable)
  process.arguments = arguments
  process.environment = ["COLUMNS": "100", "PATH": "/usr/bin:/bin"].merging(environment) { $1 }
  let outPipe = Pipe()
  let errPipe = Pipe()
  let inPipe = Pipe()
  process.standardOutput = output ?? outPipe
  process.standardError = errPipe
  process.standardInput = inPipe
  try process.run()
  if output != nil { try outPipe.fileHandleForWriting.close() }
  if let stdin { inPipe.fileHandleForWriting.write(Data(stdin.utf8)) }
  try inPipe.fileHandleForWriting.close()
  let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
  let errData = errPipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return CLIResult(
    status: process.terminationStatus,
    stdout: String(decoding: outData, as: UTF8.self),
    stderr: String(decoding: errData, as: UTF8.self)
  )
}

/// The contents of a golden file in `Golden/`; set `NETFILTER_UPDATE_GOLDEN=1` to rewrite them.
func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
  let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
  if ProcessInfo.processInfo.environment["NETFILTER_UPDATE_GOLDEN"] == "1" {
    try actual.write(to: url, atomically: true, encoding: .utf8)
    return
  }
  let expected = try String(contentsOf: url, encoding: .utf8)
  #expect(actual == expected, "output differs from Golden/\(name)", sourceLocation: sourceLocation)
}
